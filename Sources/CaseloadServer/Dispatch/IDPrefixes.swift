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
        // Most calls give whole ids: then the params are handed on as they came.
        var changed = false
        for property in method.params {
            guard let named = property.prefixTarget, let value = members[property.name] else { continue }
            switch value {
            case .string(let raw):
                let id = try await resolve(raw, named, field: property.name, in: tx)
                changed = changed || id != raw
                members[property.name] = .string(id)
            case .array(let elements):
                // A bulk call's list of ids: each element as a single id would be.
                var resolved: [JSONValue] = []
                for (index, element) in elements.enumerated() {
                    guard case .string(let raw) = element else { resolved.append(element); continue }
                    let id = try await resolve(raw, named, field: "\(property.name)[\(index)]", in: tx)
                    changed = changed || id != raw
                    resolved.append(.string(id))
                }
                members[property.name] = .array(resolved)
            default:
                continue
            }
        }
        return changed ? .object(members) : params
    }

    /// The whole id `raw` names: itself when it is one, else the one id it begins.
    private static func resolve(_ raw: String, _ named: AccessStore.Named, field: String, in tx: Transaction) async throws -> String {
        guard UUID(uuidString: raw) == nil, let prefix = IDPrefix(raw) else { return raw }
        let ids = try await tx.access.ids(of: named, startingWith: prefix)
        guard let id = ids.first else { throw StorageError.notFound(entity: named.rawValue) }
        guard ids.count == 1 else {
            throw RPCError.invalidParams([
                (field, "ambiguous_prefix", "\(prefix) begins the id of more than one \(named.rawValue): give more of its characters",
                 "\(prefix) 是不止一个\(EntityNames.chinese(named.rawValue))的编号开头：请多给几位字符")
            ])
        }
        return id.lowercasedString
    }
}
