import ArgumentParser
import CaseloadClient
import CaseloadProtocol
import Foundation

/// Request patterns several commands share: paging through a list, changing a versioned record,
/// and turning `--data key=value` items into a JSON object.
extension RPCClient {
    /// The items under `key` of `method`'s first page, or of every page with `all`; `more` tells
    /// whether pages were left unread.
    func pages(_ method: String, _ params: [String: JSONValue], key: String, all: Bool) async throws -> (items: [JSONValue], more: Bool) {
        var params = params
        var collected: [JSONValue] = []
        while true {
            let page = try await call(method, .object(params))
            collected += page[key]?.arrayValue ?? []
            guard let next = page["next_cursor"]?.stringValue else { return (collected, false) }
            guard all else { return (collected, true) }
            params["cursor"] = .string(next)
        }
    }

    /// Calls the change `method` on record `id` with `params` and a version: `version` when the
    /// user gave one, else the record's current version, read with `getMethod` just before (so the
    /// last writer wins only within that instant; a change in between is still a conflict).
    func change(_ method: String, id: String, version: Int?, readingWith getMethod: String, _ params: [String: JSONValue] = [:])
        async throws -> JSONValue
    {
        var params = params
        params["id"] = .string(id)
        return try await change(method, params, version: version) { try await $0.call(getMethod, ["id": .string(id)])["version"] }
    }

    /// Calls the change `method` with `params` and a version: `version` when the user gave one,
    /// else what `readVersion` reads just before (for records whose version comes from some
    /// other read than a `get` by id).
    func change(
        _ method: String, _ params: [String: JSONValue], version: Int?, readVersion: (RPCClient) async throws -> JSONValue?
    ) async throws -> JSONValue {
        var params = params
        if let version {
            params["version"] = .int(Int64(version))
        } else {
            params["version"] = try await readVersion(self) ?? .null
        }
        return try await call(method, .object(params))
    }
}

extension ClientOptions {
    /// `RPCClient.change` on a connection of its own.
    func change(_ method: String, id: String, version: Int?, readingWith getMethod: String, _ params: [String: JSONValue] = [:])
        async throws -> JSONValue
    {
        try await withClient { try await $0.change(method, id: id, version: version, readingWith: getMethod, params) }
    }

    /// `RPCClient.change(_:_:version:readVersion:)` on a connection of its own.
    func change(
        _ method: String, _ params: [String: JSONValue], version: Int?, readVersion: @Sendable @escaping (RPCClient) async throws -> JSONValue?
    ) async throws -> JSONValue {
        try await withClient { try await $0.change(method, params, version: version, readVersion: readVersion) }
    }
}

/// The `--version` option of commands that change an existing record.
struct VersionOption: ParsableArguments {
    @Option(help: "The version you last saw; a stale one is refused with the current version. Without it, the version read just before.")
    var version: Int?
}

/// Stage data given as `--data key=value` items.
enum StageData {
    /// `true`/`false` become booleans, digits an integer (without leading zeros, within 64 bits),
    /// a value in double quotes (`key="0012"`) or anything else a string; dates stay strings
    /// (`YYYY-MM-DD`). An item without `=` or without a key is refused, naming it.
    static func parse(_ items: [String]) throws -> [String: JSONValue] {
        var data: [String: JSONValue] = [:]
        for item in items {
            guard let equals = item.firstIndex(of: "="), equals != item.startIndex else {
                throw CLIError(L(en: "--data needs key=value, not '\(item)'", zh: "--data 须为 key=value，而不是 '\(item)'"))
            }
            let key = String(item[..<equals]).trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty else { throw CLIError(L(en: "--data needs key=value, not '\(item)'", zh: "--data 须为 key=value，而不是 '\(item)'")) }
            data[key] = value(String(item[item.index(after: equals)...]))
        }
        return data
    }

    static func value(_ raw: String) -> JSONValue {
        switch raw {
        case "true": return .bool(true)
        case "false": return .bool(false)
        default: break
        }
        if raw.count >= 2, raw.hasPrefix("\""), raw.hasSuffix("\"") { return .string(String(raw.dropFirst().dropLast())) }
        if !raw.isEmpty, raw.allSatisfy({ $0.isASCII && $0.isNumber }), raw == "0" || !raw.hasPrefix("0"), let int = Int64(raw) {
            return .int(int)
        }
        return .string(raw)
    }

    static let help = "Stage data key=value (repeatable): true/false → boolean, digits → integer, \"…\" or anything else → text; dates as YYYY-MM-DD."
}
