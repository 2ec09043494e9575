/// A value recorded on a stage field.
///
/// Codable as `{"type": "date", "value": "2026-09-30"}`: tagged, because a text that happens
/// to look like a date must come back as text.
public enum FieldValue: Sendable, Hashable, Codable {
    case date(CalendarDate)
    case text(String)
    case bool(Bool)
    case integer(Int)

    /// The type this value has.
    public var type: FieldType {
        switch self {
        case .date: .date
        case .text: .text
        case .bool: .bool
        case .integer: .integer
        }
    }

    /// Converts a value as it arrived in a request (CaseloadCore has no JSON type, so the
    /// caller maps its JSON scalar to `RawFieldValue`) to the field's declared type.
    ///
    /// Strict on purpose: a date must be a string as people write dates (`CalendarDate(input:)`:
    /// 2026-09-30, 2026/9/30, 2026年9月30日), an integer a JSON integer,
    /// a bool a JSON boolean; text is trimmed, and a JSON integer is taken as its digits
    /// (receipt numbers are often all digits, and clients send them as numbers). Throws `ValidationError` with `field` and rule
    /// `type`; a JSON null is the caller's business (treat it as absent).
    public static func parse(_ raw: RawFieldValue, as type: FieldType, field: String) throws(ValidationError) -> FieldValue {
        switch (type, raw) {
        case (.date, .string(let s)):
            guard let date = CalendarDate(input: s) else {
                throw ValidationError([FieldIssue(field: field, rule: "type", message: CalendarDate.notADate(s), zh: CalendarDate.notADateZh(s))])
            }
            guard CalendarDate.acceptedRange.contains(date) else {
                throw ValidationError(field: field, rule: "range", .acceptedDate)
            }
            return .date(date)
        case (.text, .string(let s)):
            let text = String(s.trimmingWhitespace)
            guard text.unicodeScalars.count <= maximumTextLength else {
                throw ValidationError(field: field, rule: "max_length", .atMost(characters: maximumTextLength))
            }
            return .text(text)
        case (.text, .int(let i)):
            return .text(String(i))
        case (.bool, .bool(let b)):
            return .bool(b)
        case (.integer, .int(let i)):
            return .integer(i)
        default:
            break
        }
        // The value is not repeated back: it may be personal data typed into the wrong field.
        throw ValidationError(field: field, rule: "type", message: "must be \(type.expectation)", zh: "须为\(type.expectationZh)")
    }

    /// The longest text a stage field records (receipt numbers, reasons, notes).
    public static let maximumTextLength = 2000

    private enum CodingKeys: String, CodingKey { case type, value }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(FieldType.self, forKey: .type) {
        case .date: self = .date(try container.decode(CalendarDate.self, forKey: .value))
        case .text: self = .text(try container.decode(String.self, forKey: .value))
        case .bool: self = .bool(try container.decode(Bool.self, forKey: .value))
        case .integer: self = .integer(try container.decode(Int.self, forKey: .value))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        switch self {
        case .date(let d): try container.encode(d, forKey: .value)
        case .text(let s): try container.encode(s, forKey: .value)
        case .bool(let b): try container.encode(b, forKey: .value)
        case .integer(let i): try container.encode(i, forKey: .value)
        }
    }
}

/// A JSON scalar as a request carried it, before it is given a `FieldType`.
public enum RawFieldValue: Sendable, Hashable, CustomStringConvertible {
    case string(String)
    case bool(Bool)
    case int(Int)

    public var description: String {
        switch self {
        case .string(let s): "the text \"\(s)\""
        case .bool(let b): "the boolean \(b)"
        case .int(let i): "the integer \(i)"
        }
    }
}

extension FieldType {
    /// "a date as YYYY-MM-DD" etc., for messages.
    var expectation: String {
        switch self {
        case .date: "a date (\(CalendarDate.inputForms))"
        case .text: "text"
        case .bool: "true or false"
        case .integer: "a whole number"
        }
    }

    /// `expectation` in Chinese, to follow "须为".
    var expectationZh: String {
        switch self {
        case .date: "日期（2026-09-30、2026/9/30 或 2026年9月30日）"
        case .text: "文本"
        case .bool: "true 或 false"
        case .integer: "整数"
        }
    }
}

extension Stage {
    /// Converts request data for this stage to typed values, reporting every problem at once:
    /// `data.<name>` with rule `unknown_field` for a name the stage does not record, `type` for
    /// a value of the wrong type. Required fields are checked by `CaseMachine.advance`, not here,
    /// so the same parser serves `CaseMachine.record` (partial updates).
    public func parseData(_ raw: [String: RawFieldValue]) throws(ValidationError) -> [String: FieldValue] {
        var values: [String: FieldValue] = [:]
        var issues: [FieldIssue] = []
        for name in raw.keys.sorted() {
            let key = "data.\(name)"
            guard let field = field(name) else {
                issues.append(unknownFieldIssue(name))
                continue
            }
            do {
                values[name] = try FieldValue.parse(raw[name]!, as: field.type, field: key)
            } catch {
                issues += error.issues
            }
        }
        guard issues.isEmpty else { throw ValidationError(issues) }
        return values
    }

    /// Issues for typed data against this stage: unknown fields, wrong types and, when
    /// `requireAll`, missing required fields (an empty text counts as missing).
    func dataIssues(_ data: [String: FieldValue], requireAll: Bool) -> [FieldIssue] {
        var issues: [FieldIssue] = []
        for name in data.keys.sorted() {
            guard let field = field(name) else {
                issues.append(unknownFieldIssue(name))
                continue
            }
            let value = data[name]!
            if value.type != field.type {
                issues.append(FieldIssue(
                    field: "data.\(name)", rule: "type",
                    message: "\(field.label) must be \(field.type.expectation), not \(value.type.rawValue)",
                    zh: "\(field.chineseLabel)须为\(field.type.expectationZh)，不能是 \(value.type.rawValue)"))
            }
        }
        if requireAll {
            for field in fields where field.required {
                let missing: Bool
                switch data[field.name] {
                case nil: missing = true
                case .text(let s)?: missing = s.trimmingWhitespace.isEmpty
                default: missing = false
                }
                if missing {
                    issues.append(FieldIssue(
                        field: "data.\(field.name)", rule: "required",
                        message: "entering \(displayName) needs \(field.label)", zh: "进入\(chineseName)须填写\(field.chineseLabel)"))
                }
            }
        }
        return issues
    }

    private func unknownFieldIssue(_ name: String) -> FieldIssue {
        let known = fields.map(\.name)
        return FieldIssue(
            field: "data.\(name)", rule: "unknown_field",
            message: "\(displayName) records no field \"\(name)\""
                + (known.isEmpty ? "; it takes no data" : "; it records \(known.joined(separator: ", "))"),
            zh: "\(chineseName)没有“\(name)”这一项"
                + (known.isEmpty ? "；这个阶段不记录数据" : "；它记录 \(known.joined(separator: "、"))"))
    }
}
