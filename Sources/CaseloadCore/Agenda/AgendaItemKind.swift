/// What a line of a consultant's agenda is about, in the order a day's work takes them: what
/// is late first, then what falls due, then what may be done now, then what is out too long.
public enum AgendaItemKind: String, Sendable, CaseIterable, Codable {
    /// A due date still pending after its day.
    case overdue
    /// A due date within the agenda's days.
    case due
    /// A window that is open or opens within the agenda's days: the step may be taken now
    /// (an account created, materials delivered).
    case opens
    /// A case past the time allowed in its stage.
    case lateCase = "late_case"
    /// An original out with an authority for longer than the agenda's limit.
    case originalOut = "original_out"

    public var chineseName: String {
        switch self {
        case .overdue: "逾期"
        case .due: "到期"
        case .opens: "可办理"
        case .lateCase: "阶段超时"
        case .originalOut: "原件在外"
        }
    }

    public var englishName: String {
        switch self {
        case .overdue: "overdue"
        case .due: "due"
        case .opens: "may be done now"
        case .lateCase: "late in its stage"
        case .originalOut: "original out"
        }
    }

    /// Where the kind sorts in a company's lines.
    public var order: Int { Self.allCases.firstIndex(of: self) ?? Self.allCases.count }
}
