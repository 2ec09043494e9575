import CaseloadCore
import CaseloadStorage

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

    /// The params that name an entity of a company, with the entity each names: as declared on
    /// the param (`Property.entity`, set by `Property.id(_:_:)` and for the `*_id` names).
    public var entityParams: [(name: String, entity: AccessStore.Entity)] {
        guard scope == .companies else { return [] }
        return params.compactMap { property in property.entity.map { (property.name, $0) } }
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
