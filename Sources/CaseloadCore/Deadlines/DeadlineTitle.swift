/// A deadline's title in each language.
///
/// A deadline stores one title, "中文 English" for one derived from a rule; a line shown in one
/// language names it by its rule instead. A title set by hand is whatever was typed, in both.
public struct DeadlineTitle: Sendable, Hashable {
    public var chinese: String
    public var english: String

    public init(chinese: String, english: String) {
        self.chinese = chinese
        self.english = english
    }

    /// The title of a deadline derived from `rule` (nil: set by hand) and stored as `stored`.
    public init(rule: String?, stored: String) {
        if let rule, let found = DeadlineRules.defaults.first(where: { $0.id == rule }) {
            self.init(chinese: found.chineseName, english: found.englishName)
        } else {
            self.init(chinese: stored, english: stored)
        }
    }

    /// Both, as one tuple.
    public var pair: (chinese: String, english: String) { (chinese, english) }
}
