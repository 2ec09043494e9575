/// A notice's text with `{placeholder}`s: what a consultant pastes into WeChat or mail for a
/// case's next step. The built-in texts (`NoticeTemplates`) are defaults; an agency stores
/// its own per case kind, step and audience.
public enum NoticeTemplate {
    /// Every placeholder a template may use, with what it becomes.
    public static let placeholders: [(name: String, meaning: String)] = [
        ("applicant_name", "the applicant's name"),
        ("company_name", "the employer's registered name"),
        ("company_short_name", "the employer's name as lists show it"),
        ("hr_name", "the HR contact's name (人事老师 when none is recorded)"),
        ("case_kind_name", "the case kind in Chinese, e.g. 积分新办"),
        ("step_name", "the next step in Chinese, e.g. 材料递交"),
        ("talent_center", "the company's district talent service center, e.g. 浦东新区人才服务中心"),
        ("documents", "the missing papers for the step, one a line, original or sealed copy"),
        ("from_date", "the earliest day the step may be taken (today when no window applies)"),
        ("by_date", "the day it is due by"),
        ("working_days", "working days from today to by_date"),
    ]

    public static let placeholderNames: Set<String> = Set(placeholders.map(\.name))

    /// The longest body accepted: a chat message, not a letter.
    public static let maxLength = 2000

    /// Checks a body an agency stores: 1…2000 characters, no NUL, every `{…}` a known
    /// placeholder and every brace closed. Names each problem (field `body`).
    public static func validate(_ body: String, field: String = "body") throws(ValidationError) {
        var issues: [FieldIssue] = []
        if body.trimmingWhitespace.isEmpty {
            issues.append(FieldIssue(field: field, rule: "required", message: "the template is empty", zh: "模板为空"))
        }
        if body.count > maxLength {
            issues.append(FieldIssue(field: field, rule: "length", message: "at most \(maxLength) characters (this one has \(body.count))",
                zh: "最多 \(maxLength) 个字符（这个有 \(body.count) 个）"))
        }
        if body.contains("\u{0}") {
            issues.append(FieldIssue(field: field, rule: "characters", message: "must not contain NUL", zh: "不能含有 NUL 字符"))
        }
        for token in tokens(body) {
            switch token {
            case .text: continue
            case .placeholder(let name) where placeholderNames.contains(name): continue
            case .placeholder(let name):
                let known = placeholders.map(\.name)
                issues.append(FieldIssue(
                    field: field, rule: "placeholder",
                    message: "unknown placeholder {\(name)}\(Suggestion.hint(for: name, among: known)): use \(known.map { "{\($0)}" }.joined(separator: ", "))",
                    zh: "未知的占位符 {\(name)}\(Suggestion.hintZh(for: name, among: known))：可用 \(known.map { "{\($0)}" }.joined(separator: "、"))"))
            case .unclosed:
                issues.append(FieldIssue(field: field, rule: "placeholder", message: "a '{' is not closed by '}'", zh: "有一个 '{' 没有用 '}' 闭合"))
            }
        }
        if !issues.isEmpty { throw ValidationError(issues) }
    }

    /// The body with each placeholder replaced by its value (an unknown one stays as written).
    public static func render(_ body: String, values: [String: String]) -> String {
        var out = ""
        for token in tokens(body) {
            switch token {
            case .text(let t): out += t
            case .placeholder(let name): out += values[name] ?? "{\(name)}"
            case .unclosed(let t): out += t
            }
        }
        return out
    }

    enum Token: Equatable {
        case text(String)
        case placeholder(String)
        case unclosed(String)
    }

    /// Text and `{name}`s; a `{` without its `}` is the rest of the body, unclosed.
    static func tokens(_ body: String) -> [Token] {
        var tokens: [Token] = []
        var rest = Substring(body)
        while let open = rest.firstIndex(of: "{") {
            if open > rest.startIndex { tokens.append(.text(String(rest[..<open]))) }
            let after = rest.index(after: open)
            guard let close = rest[after...].firstIndex(of: "}") else {
                tokens.append(.unclosed(String(rest[open...])))
                return tokens
            }
            tokens.append(.placeholder(String(rest[after..<close])))
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { tokens.append(.text(String(rest))) }
        return tokens
    }
}

extension ShanghaiDistrict {
    /// The district's talent service center, where its companies' applications go.
    public var talentCenterName: String { "\(chineseName)人才服务中心" }
}
