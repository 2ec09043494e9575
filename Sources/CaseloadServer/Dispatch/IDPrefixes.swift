import CaseloadCore
import CaseloadProtocol
import CaseloadStorage
import Foundation

/// Ids given by their first characters, as lists print them (`be880cef`), replaced by the one
/// id each names before anything else reads the params: in the call's transaction, among the
/// records the caller may see, so a prefix never reveals another agency's or company's ids.
enum IDPrefixes {
    /// `params` with each id param that holds a prefix (`Property.prefixTarget`) replaced by
    /// the id it names. None: `not_found`, as for a whole id; more than one: `invalid_params`
    /// naming the param, with rule `ambiguous_prefix`.
    static func resolve(_ params: JSONValue, for method: RPCMethod, in tx: Transaction) async throws -> JSONValue {
        guard case .object(var members) = params else { return params }
        var changed = false
        for property in method.params {
            guard let named = property.prefixTarget, case .string(let raw)? = members[property.name], UUID(uuidString: raw) == nil,
                let prefix = IDPrefix(raw)
            else { continue }
            let ids = try await tx.access.ids(of: named, startingWith: prefix)
            guard let id = ids.first else { throw StorageError.notFound(entity: named.rawValue) }
            guard ids.count == 1 else {
                throw RPCError.invalidParams([
                    (property.name, "ambiguous_prefix", "\(prefix) begins the id of more than one \(named.rawValue): give more of its characters")
                ])
            }
            members[property.name] = .string(id.uuidString.lowercased())
            changed = true
        }
        return changed ? .object(members) : params
    }
}
