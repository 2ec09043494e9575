/// The built-in case kinds. An agency may store its own tables (they are Codable); these are
/// the defaults, checked by tests to have no `problems()`.
public enum CaseKinds {
    /// Every built-in kind: 积分新办, 积分续办, 居转户, 人才引进.
    public static let all: [CaseKind] = [pointsNew, pointsRenewal, hukouTransfer, talentIntroduction]

    /// The built-in kind with id `id`.
    public static func kind(_ id: String) -> CaseKind? {
        all.first { $0.id == id }
    }
}

// Shorthands for the tables below.
extension StageField {
    static func date(_ name: String, _ label: String, required: Bool = true) -> StageField {
        StageField(name: name, type: .date, required: required, label: label)
    }
    static func text(_ name: String, _ label: String, required: Bool = true) -> StageField {
        StageField(name: name, type: .text, required: required, label: label)
    }
    static func bool(_ name: String, _ label: String, required: Bool = false) -> StageField {
        StageField(name: name, type: .bool, required: required, label: label)
    }
    static func integer(_ name: String, _ label: String, required: Bool = false) -> StageField {
        StageField(name: name, type: .integer, required: required, label: label)
    }
    /// The receipt (收件凭证) the talent center issues when it takes complete paper materials.
    static let receiptFields: [StageField] = [
        .text("receipt_number", "receipt number (收件凭证编号)"),
        .date("delivered_date", "date the materials were delivered (材料递交日期)"),
    ]
}

extension Transition {
    /// Transitions along `ids` in order, with no rules.
    static func chain(_ ids: [String]) -> [Transition] {
        zip(ids, ids.dropFirst()).map { Transition(from: $0, to: $1) }
    }
}

extension Stage {
    static let closed = Stage(id: "closed", chineseName: "结案", englishName: "Closed", isTerminal: true)
}
