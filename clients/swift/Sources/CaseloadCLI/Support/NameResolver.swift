import CaseloadClient
import CaseloadProtocol
import Foundation

/// `--company 明远` and `--user 李娜`: an option that takes an id also takes a name. An id
/// or id prefix (hex digits and hyphens, 6 or more) passes through untouched for the server
/// to resolve; a name is looked up (`search.find` for companies, `user.list` for users):
/// an exact name (or a company's short name) wins, else a single partial match; several
/// are refused with their id prefixes, none is refused too.
enum NameResolver {
    enum Kind {
        case company, user

        var option: String { self == .company ? "--company" : "--user" }
    }

    /// Whether `raw` is an id or the start of one, which the server resolves itself.
    static func isID(_ raw: String) -> Bool {
        raw.count >= 6 && raw.allSatisfy { $0.isHexDigit || $0 == "-" }
    }

    /// The id `raw` names, as the request param (nil when `raw` is).
    static func resolve(_ raw: String?, _ kind: Kind, options: ClientOptions) async throws -> JSONValue? {
        guard let raw else { return nil }
        let name = raw.trimmingCharacters(in: .whitespaces)
        if isID(name) { return .string(name) }
        let candidates = try await options.withClient { client in try await self.candidates(name, kind, client) }
        return .string(try choose(name, kind, among: candidates))
    }

    /// (id, names it goes by) of everything the name may mean.
    static func candidates(_ name: String, _ kind: Kind, _ client: RPCClient) async throws -> [(id: String, names: [String])] {
        switch kind {
        case .company:
            let items = try await client.call("search.find", ["q": .string(name), "limit": 100])["items"]?.arrayValue ?? []
            return items.filter { $0["kind"]?.stringValue == "company" }.compactMap { item in
                item["id"]?.stringValue.map { ($0, [item["company_name"]?.stringValue, item["company_short_name"]?.stringValue].compactMap { $0 }) }
            }
        case .user:
            let users = try await client.call("user.list")["users"]?.arrayValue ?? []
            return users.compactMap { u in
                guard let id = u["id"]?.stringValue, let n = u["name"]?.stringValue else { return nil }
                return n.lowercased().contains(name.lowercased()) ? (id, [n]) : nil
            }
        }
    }

    /// The one candidate `name` means: exact first, else the only one.
    static func choose(_ name: String, _ kind: Kind, among candidates: [(id: String, names: [String])]) throws -> String {
        let exact = candidates.filter { $0.names.contains { $0.lowercased() == name.lowercased() } }
        if exact.count == 1 { return exact[0].id }
        let pool = exact.isEmpty ? candidates : exact
        if pool.count == 1 { return pool[0].id }
        if pool.isEmpty {
            throw CLIError(kind == .company
                ? L(en: "\(kind.option) \(name): no company by that name or id", zh: "\(kind.option) \(name)：没有这个名称或 id 的单位")
                : L(en: "\(kind.option) \(name): no user by that name or id", zh: "\(kind.option) \(name)：没有这个名字或 id 的用户"))
        }
        let listed = pool.prefix(10).map { "\(Labels.short(.string($0.id))) \($0.names.first ?? "")" }.joined(separator: ", ")
        let more = pool.count > 10 ? ", …" : ""
        throw CLIError(L(
            en: "\(kind.option) \(name) could mean \(pool.count): \(listed)\(more); give more of the name or an id prefix",
            zh: "\(kind.option) \(name) 可能指 \(pool.count) 个：\(listed)\(more)；请多写几个字，或给出 id 前缀"))
    }
}

extension ClientOptions {
    /// `--company NAME|ID` as the request's `company_id`.
    func company(_ raw: String?) async throws -> JSONValue? { try await NameResolver.resolve(raw, .company, options: self) }
    /// `--user NAME|ID` (and `--consultant`) as the request's user id.
    func user(_ raw: String?) async throws -> JSONValue? { try await NameResolver.resolve(raw, .user, options: self) }
}
