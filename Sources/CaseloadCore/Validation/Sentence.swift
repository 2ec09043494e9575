/// One message in English and Chinese, built side by side from the same values so the two
/// always name the same dates, stages, rules and counts.
///
/// Used where a sentence is assembled in pieces (the rule engine, the case machine): each
/// piece is a `Sentence`, and `+` / `joined` keep the languages in step.
public struct Sentence: Hashable, Sendable {
    public var en: String
    public var zh: String

    public init(_ en: String, zh: String) {
        self.en = en
        self.zh = zh
    }

    public static func + (a: Sentence, b: Sentence) -> Sentence {
        Sentence(a.en + b.en, zh: a.zh + b.zh)
    }

    public static func += (a: inout Sentence, b: Sentence) {
        a = a + b
    }
}

extension FieldIssue {
    /// An issue whose message and Chinese come from one `Sentence`.
    public init(field: String, rule: String, _ sentence: Sentence) {
        self.init(field: field, rule: rule, message: sentence.en, zh: sentence.zh)
    }
}

extension ValidationError {
    /// One issue whose message and Chinese come from one `Sentence`.
    public init(field: String, rule: String, _ sentence: Sentence) {
        self.init([FieldIssue(field: field, rule: rule, sentence)])
    }
}

extension Sentence {
    /// "X cannot go from A to B; from A it can go to C, D" — the refusal of every status
    /// machine (archives, deadlines, talent-center status), built once. `thing` is the subject
    /// ("an archive" / "档案"); statuses are given as (Chinese name, raw value).
    public static func statusMove(
        _ thing: Sentence, from: (chinese: String, raw: String), to: (chinese: String, raw: String),
        allowed: [(chinese: String, raw: String)]
    ) -> Sentence {
        let en = "\(thing.en) cannot go from \(from.chinese) (\(from.raw)) to \(to.chinese) (\(to.raw)); "
            + (allowed.isEmpty
                ? "\(from.raw) is final"
                : "from \(from.raw) it can go to \(allowed.map { "\($0.chinese) (\($0.raw))" }.joined(separator: ", "))")
        let zh = "\(thing.zh)不能从\(from.chinese)（\(from.raw)）变为\(to.chinese)（\(to.raw)）；"
            + (allowed.isEmpty
                ? "\(from.chinese)是最终状态"
                : "从\(from.chinese)只能变为\(allowed.map { "\($0.chinese)（\($0.raw)）" }.joined(separator: "、"))")
        return Sentence(en, zh: zh)
    }
}

extension Sentence {
    /// "must be one of a, b, c (did you mean 'b'?)" / "须为 a、b、c 之一（是不是 'b'？）": the
    /// refusal of a value outside a closed set, built once for every enum-like field.
    public static func oneOf(_ values: [String], typed: String) -> Sentence {
        Sentence(
            "must be one of \(values.joined(separator: ", "))" + Suggestion.hint(for: typed, among: values),
            zh: "须为 \(values.joined(separator: "、")) 之一" + Suggestion.hintZh(for: typed, among: values))
    }
}

extension Sentence {
    /// "must be a real date (…) between 1900-01-01 and 2100-12-31", for a date outside `CalendarDate.acceptedRange`.
    public static let acceptedDate = Sentence(
        "must be " + CalendarDate.acceptedDescription, zh: "须为" + CalendarDate.acceptedDescriptionZh)

    /// "must have at most N characters" / "最多 N 个字符".
    public static func atMost(characters limit: Int) -> Sentence {
        Sentence("must have at most \(limit) characters", zh: "最多 \(limit) 个字符")
    }

    /// "must be between a and b" / "须在 a 到 b 之间".
    public static func between(_ range: ClosedRange<Int>) -> Sentence {
        Sentence("must be between \(range.lowerBound) and \(range.upperBound)", zh: "须在 \(range.lowerBound) 到 \(range.upperBound) 之间")
    }
}
