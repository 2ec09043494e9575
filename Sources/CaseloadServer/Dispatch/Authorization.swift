import CaseloadCore
import CaseloadProtocol
import CaseloadStorage
import Foundation
import Logging
import PostgresNIO

/// The server's wall: who may call a method, and which companies' data they may touch. (The
/// database's row-level security enforces the same rules again; see schema/008.)
enum Authorization {
    /// Refuses a caller whose role the method does not allow.
    static func checkRole(of principal: Principal, for method: RPCMethod) throws {
        guard method.roles.contains(principal.role) else {
            throw RPCError(
                .forbidden, "Forbidden: the \(principal.role) role may not call \(method.name)",
                zh: "无权操作：\(principal.role.chineseName)角色不能调用 \(method.name)")
        }
    }

    /// Forces the filters that keep a role to its companies: a consultant's or viewer's
    /// `consultant_id` is themselves; a client's `company_id` is their company. Asking for
    /// someone else's is refused rather than silently narrowed.
    static func confine(_ params: JSONValue, of principal: Principal, for method: RPCMethod) throws -> JSONValue {
        let role = principal.role
        guard method.scope == .companies, !role.seesAllCompanies,
            case .object(var fields) = params
        else { return params }
        let names = Set(method.params.map(\.name))
        func force(_ key: String, to id: UUID?, what: String, whatZh: String) throws {
            guard names.contains(key) else { return }
            guard let id else { throw RPCError(.forbidden, "Forbidden: this client user has no company", zh: "无权操作：这个客户用户不属于任何公司") }
            let wanted = id.lowercasedString
            if let given = fields[key]?.stringValue, given.lowercased() != wanted {
                throw RPCError(.forbidden, "Forbidden: a \(principal.role) sees only \(what)", zh: "无权操作：\(principal.role.chineseName)只能看到\(whatZh)")
            }
            fields[key] = .string(wanted)
        }
        switch role {
        case .client: try force("company_id", to: principal.companyID, what: "their own company", whatZh: "自己的公司")
        case .consultant, .viewer: try force("consultant_id", to: principal.userID, what: "the companies assigned to them", whatZh: "分配给自己的公司")
        case .owner, .manager: break
        }
        return .object(fields)
    }

    /// Checks that every entity the params name belongs to a company the caller may touch.
    /// Unknown ids are `not_found`, others' are `forbidden`; owners and managers skip it.
    static func checkEntities(in params: JSONValue, for method: RPCMethod, in tx: Transaction) async throws {
        let principal = tx.principal
        let role = principal.role
        guard !role.seesAllCompanies else { return }
        var assigned: Set<UUID>?
        // A param names one entity, or (a bulk call's list) several.
        let named = method.entityParams.flatMap { name, entity -> [(String, AccessStore.Entity, String?)] in
            if case .array(let elements)? = params[name] { return elements.map { (name, entity, $0.stringValue) } }
            return [(name, entity, params[name]?.stringValue)]
        }
        for (name, entity, raw) in named {
            guard let raw, let id = UUID(uuidString: raw) else { continue }
            guard let company = try await tx.access.company(of: entity, id)
            else { throw StorageError.notFound(entity: entity.rawValue) }
            let allowed: Bool
            if role == .client {
                allowed = company == principal.companyID
            } else {
                if assigned == nil {
                    assigned = try await tx.access.assignedCompanies(user: principal.userID)
                }
                allowed = assigned?.contains(company) ?? false
            }
            guard allowed else {
                throw RPCError(
                    .forbidden, "Forbidden: this \(entity.rawValue) belongs to a company that is not yours",
                    zh: "无权操作：这个\(EntityNames.chinese(entity.rawValue))属于不归你负责的公司", data: ["field": .string(name)])
            }
        }
    }
}
