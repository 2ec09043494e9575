/// The type of a value recorded on a case stage.
public enum FieldType: String, Sendable, Codable, CaseIterable {
    case date, text, bool, integer
}

/// One piece of data recorded when a case enters a stage, e.g. the date the permit was received.
public struct StageField: Sendable, Hashable, Codable {
    /// Stable snake_case name, the key in `CaseState.recorded` and in request data.
    public var name: String
    public var type: FieldType
    /// Whether entering the stage needs the value. Optional fields may be recorded later with
    /// `CaseMachine.record` (e.g. the verification checks, which finish while the case waits).
    public var required: Bool
    /// Human label, Chinese and English.
    public var label: String

    public init(name: String, type: FieldType, required: Bool, label: String) {
        self.name = name
        self.type = type
        self.required = required
        self.label = label
    }

    /// The label's Chinese: the parenthesised Chinese at the end of "date the permit was
    /// received (领取居住证日期)", else the whole label (an agency's table may write only one).
    public var chineseLabel: String {
        guard label.hasSuffix(")"), let open = label.lastIndex(of: "(") else { return label }
        let inner = label[label.index(after: open)..<label.index(before: label.endIndex)]
        return inner.unicodeScalars.contains(where: { $0.value >= 0x4E00 && $0.value <= 0x9FFF }) ? String(inner) : label
    }
}

/// One step of a case kind, e.g. 居住证 (residence permit) or 正式受理 (accepted).
public struct Stage: Sendable, Hashable, Codable {
    /// Stable snake_case id, e.g. `residence_permit`.
    public var id: String
    /// e.g. 居住证
    public var chineseName: String
    /// e.g. Residence permit
    public var englishName: String
    /// Data recorded when entering this stage.
    public var fields: [StageField]
    /// Default time allowed in this stage (calendar days) before the case is late; nil = no limit.
    public var allowedDays: Int?
    /// A closed end of the process: reaching it closes the case.
    public var isTerminal: Bool

    public init(
        id: String, chineseName: String, englishName: String, fields: [StageField] = [],
        allowedDays: Int? = nil, isTerminal: Bool = false
    ) {
        self.id = id
        self.chineseName = chineseName
        self.englishName = englishName
        self.fields = fields
        self.allowedDays = allowedDays
        self.isTerminal = isTerminal
    }

    /// The field named `name`, if the stage records one.
    public func field(_ name: String) -> StageField? {
        fields.first { $0.name == name }
    }

    /// The day the case becomes late if it entered this stage on `entered`; nil when the stage has no limit.
    public func dueDate(enteredOn entered: CalendarDate) -> CalendarDate? {
        allowedDays.map { entered.adding(days: $0) }
    }

    /// "居住证 (Residence permit)", the form every user-facing message uses.
    public var displayName: String { "\(chineseName) (\(englishName))" }
}
