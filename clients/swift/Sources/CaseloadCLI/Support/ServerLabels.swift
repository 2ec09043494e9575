import CaseloadClient
import CaseloadProtocol
import Synchronization

/// The names of protocol values as the server publishes them (`system.labels`), loaded once
/// per process on the first connection: the CLI keeps no copy of its own. A server without the
/// method (older than this CLI) leaves the tables empty and values print as they are.
enum ServerLabels {
    /// A value's names: Chinese always, English where the domain has one.
    struct Name: Sendable, Equatable {
        var zh: String
        var en: String?
    }

    private struct Tables: Sendable {
        var groups: [String: [String: Name]] = [:]
        /// Each case kind's stages by id.
        var stages: [String: [String: Name]] = [:]
    }

    private static let tables = Mutex<Tables?>(nil)

    /// Loads the catalogue over `client` unless it is loaded already.
    static func load(using client: RPCClient) async {
        guard tables.withLock({ $0 == nil }) else { return }
        let reply = try? await client.call("system.labels")
        install(reply ?? .null)
    }

    /// Installs a `system.labels` result: the groups by name, and the stages by case kind.
    static func install(_ catalogue: JSONValue) {
        func names(_ labels: JSONValue?) -> [String: Name] {
            var out: [String: Name] = [:]
            for label in labels?.arrayValue ?? [] {
                if let value = label["value"]?.stringValue, let zh = label["zh"]?.stringValue { out[value] = Name(zh: zh, en: label["en"]?.stringValue) }
            }
            return out
        }
        var loaded = Tables()
        for group in catalogue["groups"]?.arrayValue ?? [] {
            if let name = group["name"]?.stringValue { loaded.groups[name] = names(group["labels"]) }
        }
        for kind in catalogue["stages"]?.arrayValue ?? [] {
            if let name = kind["kind"]?.stringValue { loaded.stages[name] = names(kind["labels"]) }
        }
        tables.withLock { $0 = loaded }
    }

    /// The names of a group's values in the current language (empty before a load, or for an
    /// unknown group). In English a value without an English name is left out, so that it
    /// prints as itself (`on_hold`).
    static func names(_ group: String) -> [String: String] {
        let names = tables.withLock { $0?.groups[group] ?? [:] }
        return names.compactMapValues { Language.current == .zh ? $0.zh : $0.en }
    }

    /// A case kind's stage named by its Chinese name (as agenda lines carry it), in English;
    /// nil when the catalogue does not know it.
    static func stageEnglishName(kind: String, chineseName: String) -> String? {
        tables.withLock { $0?.stages[kind]?.values.first { $0.zh == chineseName }?.en }
    }
}
