/// One broken rule on one input field: what a client needs to show the user where and why.
///
/// `field` is the parameter's name as the client sent it (dotted for nested values,
/// e.g. `hr_contact.phone`), `rule` a stable machine-readable name (`required`,
/// `checksum`, `format`, `birth_date`, ...), `message` a human sentence in English and `zh`
/// the same sentence in Chinese, for sessions whose language is Chinese. An issue without
/// `zh` is shown with its rule's Chinese fallback (`FieldIssue.chineseFallback`).
public struct FieldIssue: Error, Hashable, Sendable, Codable {
    public var field: String
    public var rule: String
    public var message: String
    /// The message in Chinese; optional so issues stored or sent before it existed decode.
    public var zh: String?

    public init(field: String, rule: String, message: String, zh: String? = nil) {
        self.field = field
        self.rule = rule
        self.message = message
        self.zh = zh
    }

    /// The message for a session in Chinese: `zh`, else the rule's fallback, else English.
    public var chinese: String { zh ?? Self.chineseFallback[rule] ?? message }
}

/// One or more `FieldIssue`s found while validating an input. Thrown by validators and
/// turned into a JSON-RPC error whose `data.errors` lists every issue.
public struct ValidationError: Error, Hashable, Sendable {
    public var issues: [FieldIssue]

    public init(_ issues: [FieldIssue]) {
        self.issues = issues
    }

    public init(field: String, rule: String, message: String, zh: String? = nil) {
        self.issues = [FieldIssue(field: field, rule: rule, message: message, zh: zh)]
    }
}

extension ValidationError: CustomStringConvertible {
    public var description: String {
        issues.map { "\($0.field): \($0.message) [\($0.rule)]" }.joined(separator: "; ")
    }
}
