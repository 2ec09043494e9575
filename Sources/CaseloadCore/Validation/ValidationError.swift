/// One broken rule on one input field: what a client needs to show the user where and why.
///
/// `field` is the parameter's name as the client sent it (dotted for nested values,
/// e.g. `hr_contact.phone`), `rule` a stable machine-readable name (`required`,
/// `checksum`, `format`, `birth_date`, ...), `message` a human sentence.
public struct FieldIssue: Error, Hashable, Sendable, Codable {
    public var field: String
    public var rule: String
    public var message: String

    public init(field: String, rule: String, message: String) {
        self.field = field
        self.rule = rule
        self.message = message
    }
}

/// One or more `FieldIssue`s found while validating an input. Thrown by validators and
/// turned into a JSON-RPC error whose `data.errors` lists every issue.
public struct ValidationError: Error, Hashable, Sendable {
    public var issues: [FieldIssue]

    public init(_ issues: [FieldIssue]) {
        self.issues = issues
    }

    public init(field: String, rule: String, message: String) {
        self.issues = [FieldIssue(field: field, rule: rule, message: message)]
    }
}

extension ValidationError: CustomStringConvertible {
    public var description: String {
        issues.map { "\($0.field): \($0.message) [\($0.rule)]" }.joined(separator: "; ")
    }
}
