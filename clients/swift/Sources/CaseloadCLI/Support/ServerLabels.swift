import CaseloadClient
import CaseloadProtocol
import Synchronization

/// The names of protocol values as the server publishes them (`system.labels`), loaded once
/// per process on the first connection: the CLI keeps no copy of its own. A server without the
/// method (older than this CLI) leaves the tables empty and values print as they are.
enum ServerLabels {
    private static let tables = Mutex<[String: [String: String]]?>(nil)

    /// Loads the catalogue over `client` unless it is loaded already.
    static func load(using client: RPCClient) async {
        guard tables.withLock({ $0 == nil }) else { return }
        let reply = try? await client.call("system.labels")
        install(reply ?? .null)
    }

    /// Installs a `system.labels` result's groups by name. (Stage names come with each case, as
    /// `stage_name_zh` and `stage_name_en`, so the catalogue's stages are not kept.)
    static func install(_ catalogue: JSONValue) {
        var loaded: [String: [String: String]] = [:]
        func names(_ labels: JSONValue?) -> [String: String] {
            var out: [String: String] = [:]
            for label in labels?.arrayValue ?? [] {
                if let value = label["value"]?.stringValue, let zh = label["zh"]?.stringValue { out[value] = zh }
            }
            return out
        }
        for group in catalogue["groups"]?.arrayValue ?? [] {
            if let name = group["name"]?.stringValue { loaded[name] = names(group["labels"]) }
        }
        tables.withLock { $0 = loaded }
    }

    /// The Chinese names of a group's values (empty before a load, or for an unknown group).
    static func names(_ group: String) -> [String: String] {
        tables.withLock { $0?[group] ?? [:] }
    }
}
