/// What a rule's date means. Part of the rule data, so whether a date can be missed is never
/// guessed from its name.
public enum DeadlineKind: String, Sendable, Codable, CaseIterable, Hashable {
    /// A latest date (renewal reminders, originals to collect, permit expiry and the 60/90-day
    /// lapse thresholds, a date set by hand): open until it is met, missed once it passes unmet.
    case due
    /// An earliest date, the end of a waiting period ("the account may be created from",
    /// "materials may be delivered from"): waiting until it comes, then open until the step
    /// happens. Never missed: the day after it is simply a day the step may be taken.
    case window
    /// When something is expected by (the city's review time): shown, never missed.
    case expectation

    /// Whether passing the date unmet makes it missed.
    public var canBeMissed: Bool { self == .due }

    /// "截止 due", "可办起始 opens", "预计 expected" for lists and reports.
    public var chineseName: String {
        switch self {
        case .due: "截止"
        case .window: "起始"
        case .expectation: "预计"
        }
    }

    /// How the date reads in a sentence: "due", "opens", "expected by".
    public var verb: String {
        switch self {
        case .due: "due"
        case .window: "opens"
        case .expectation: "expected by"
        }
    }
}
