/// The roles of an agency's users, and the sets of them that methods allow.
///
/// | role       | sees                                   | changes                                  |
/// |------------|----------------------------------------|------------------------------------------|
/// | owner      | every company                          | everything, users, settings, calendar, rules |
/// | manager    | every company                          | every company's data, assignments, imports |
/// | consultant | companies assigned to them             | those companies' data                    |
/// | viewer     | companies assigned to them             | nothing                                  |
/// | client     | their own company's cases and report   | nothing                                  |
public enum Role: String, Sendable, Codable, CaseIterable, Comparable {
    case owner, manager, consultant, viewer, client

    /// Everyone, the client included (methods a company's HR contact may call).
    public static let everyone = Set(allCases)
    /// The agency's own people: reading.
    public static let staff: Set<Role> = [.owner, .manager, .consultant, .viewer]
    /// The agency's people who change data.
    public static let writers: Set<Role> = [.owner, .manager, .consultant]
    /// Work across all companies: assignments, imports, the agency report, the audit log.
    public static let managers: Set<Role> = [.owner, .manager]
    /// The agency's configuration: users, settings, calendar, rules.
    public static let owners: Set<Role> = [.owner]

    /// Whether the role sees every company of the agency (the others see assigned ones, or their own).
    public var seesAllCompanies: Bool { self == .owner || self == .manager }

    /// Table order: owner first, client last.
    public static func < (a: Role, b: Role) -> Bool {
        (allCases.firstIndex(of: a) ?? 0) < (allCases.firstIndex(of: b) ?? 0)
    }

    /// "所有者 owner", "顾问 consultant", … for people.
    public var chineseName: String {
        switch self {
        case .owner: "所有者"
        case .manager: "经理"
        case .consultant: "顾问"
        case .viewer: "查看者"
        case .client: "客户人事"
        }
    }
}

