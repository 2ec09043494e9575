import CaseloadStorage

/// The roles of an agency's users, and the sets of them that methods allow.
///
/// | role       | sees                                   | changes                                  |
/// |------------|----------------------------------------|------------------------------------------|
/// | owner      | every company                          | everything, users, settings, calendar, rules |
/// | manager    | every company                          | every company's data, assignments, imports |
/// | consultant | companies assigned to them             | those companies' data                    |
/// | viewer     | companies assigned to them             | nothing                                  |
/// | client     | their own company's cases and report   | nothing                                  |
public enum Role: String, Sendable, CaseIterable, Comparable {
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

    public static func < (a: Role, b: Role) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

extension RPCMethod {
    /// What data a method touches, for the company-scope check.
    public enum Scope: Sendable {
        /// Agency-wide things (locations, calendar, settings, rules, users, tokens) or nothing.
        case agency
        /// One or more client companies' data: entity params are checked against the caller's
        /// companies, and `consultant_id` / `company_id` filters are forced for roles that
        /// see only some companies.
        case companies
    }

    /// The roles that may call it, in table order (everyone for methods that need no login).
    public var callers: [Role] { (access == .anyone ? Role.everyone : roles).sorted() }

    /// Which entity a param names, by its name (`case_id`), or for `id` by the method's prefix.
    static let entityByParam: [String: AccessStore.Entity] = [
        "company_id": .company, "applicant_id": .applicant, "case_id": .case, "document_id": .document, "deadline_id": .deadline,
    ]
    static let entityByPrefix: [String: AccessStore.Entity] = [
        "company": .company, "applicant": .applicant, "case": .case, "document": .document, "deadline": .deadline, "archive": .applicant,
        "report": .company,
    ]

    /// The params that name an entity of a company, with the entity each names.
    public var entityParams: [(name: String, entity: AccessStore.Entity)] {
        guard scope == .companies else { return [] }
        let prefix = String(name.prefix { $0 != "." })
        return params.compactMap { property in
            if property.name == "id", let entity = Self.entityByPrefix[prefix] { return (property.name, entity) }
            return Self.entityByParam[property.name].map { (property.name, $0) }
        }
    }

    /// Why this method's company scope cannot be enforced for every role allowed to call it,
    /// or nil when it can: a role that sees only some companies needs an entity param to
    /// check or a filter to force.
    var scopeGap: String? {
        guard access == .authenticated, scope == .companies else { return nil }
        let names = Set(params.map(\.name))
        let hasEntity = !entityParams.isEmpty
        if roles.contains(.client), !hasEntity {
            return "clients may call it but it has no company_id or entity id to confine them with"
        }
        if !roles.isDisjoint(with: [.consultant, .viewer]), !hasEntity, !names.contains("consultant_id") {
            return "consultants or viewers may call it but it has no consultant_id filter or entity id to confine them with"
        }
        return nil
    }
}
