import CaseloadProtocol
import Foundation

/// How results reach the terminal: aligned tables for people, JSON for programs.
enum Output {
    static func json(_ value: JSONValue) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        let data = (try? encoder.encode(value)) ?? Data("null".utf8)
        print(String(decoding: data, as: UTF8.self))
    }

    static func table(_ headers: [String], _ rows: [[String]]) {
        var table = TextTable(headers: headers)
        for row in rows { table.add(row) }
        print(table.render())
    }

    /// `key  value` lines, keys aligned by display width.
    static func record(_ pairs: [(String, String)]) {
        let width = pairs.map { $0.0.displayWidth }.max() ?? 0
        for (key, value) in pairs {
            print(key + String(repeating: " ", count: width - key.displayWidth) + "  " + value)
        }
    }

    /// A JSON value as table text: strings bare, null as "-".
    static func text(_ value: JSONValue?) -> String {
        switch value {
        case nil, .null?: "-"
        case .string(let s)?: s
        case .int(let i)?: String(i)
        case .double(let d)?: String(d)
        case .bool(let b)?: b ? L(en: "yes", zh: "是") : L(en: "no", zh: "否")
        case let other?: WireJSON.string(other)
        }
    }

    /// The line under a list when pages were left unread.
    static var more: String { L(en: "(more: use --all, or --limit)", zh: "（还有更多：用 --all 或 --limit）") }

    static func error(_ message: String) {
        FileHandle.standardError.write(Data("caseload: \(message)\n".utf8))
    }

    /// The server's error. With `data.errors` the server's message only repeats the first
    /// entry, so a short header (`caseload: validation_failed (-32005):`) comes before one line
    /// per entry; without entries, the server's message and the error's name.
    static func error(_ error: RPCError) {
        FileHandle.standardError.write(Data((errorLines(error).joined(separator: "\n") + "\n").utf8))
    }

    static func errorLines(_ error: RPCError) -> [String] {
        let entries = error.data?["errors"]?.arrayValue ?? []
        var lines: [String]
        if entries.isEmpty {
            lines = ["caseload: \(error.message) [\(error.knownCode?.name ?? String(error.code))]"]
        } else {
            lines = ["caseload: \(error.knownCode?.name ?? "error") (\(error.code)):"]
            for entry in entries {
                lines.append("  \(text(entry["field"])): \(text(entry["message"])) (\(text(entry["rule"])))")
            }
        }
        if let current = error.data?["current_version"] { lines.append("  " + L(en: "current version: ", zh: "当前版本：") + text(current)) }
        return lines
    }
}
