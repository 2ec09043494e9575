import ArgumentParser
import CaseloadClient
import CaseloadProtocol
import Foundation

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "The audit log (owners and managers): who changed what, when, through which method.",
        subcommands: [List.self, Export.self]
    )

    struct Filters: ParsableArguments {
        @Option(help: "Entity kind: company, user, applicant, case, document, deadline, location, calendar, settings, points_rules, stage_time, import.")
        var entity: String?
        @Option(help: "Entity id (with --entity).") var id: String?
        @Option(help: "Only changes by this user id.") var user: String?
        @Option(help: "From this time (ISO 8601, e.g. 2026-11-01T00:00:00Z).") var since: String?
        @Option(help: "Before this time (ISO 8601).") var until: String?

        var params: [String: JSONValue] {
            var p: [String: JSONValue] = [:]
            p["entity"] = entity.map(JSONValue.string)
            p["entity_id"] = id.map(JSONValue.string)
            p["user_id"] = user.map(JSONValue.string)
            p["since"] = since.map(JSONValue.string)
            p["until"] = until.map(JSONValue.string)
            return p
        }
    }

    /// Every entry matching `params`, page by page, handed to `each` as it arrives.
    static func pages(_ client: RPCClient, _ params: [String: JSONValue], each: ([JSONValue]) throws -> Void) async throws {
        var params = params
        params["limit"] = 1000
        while true {
            let page = try await client.call("audit.list", .object(params))
            try each(page["entries"]?.arrayValue ?? [])
            guard let next = page["next_cursor"]?.stringValue else { return }
            params["cursor"] = .string(next)
        }
    }

    struct List: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "Show audit entries, oldest first.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var filters: Filters
        @Option(help: "At most this many (default 200).") var limit: Int = 200

        func execute() async throws {
            var params = filters.params
            params["limit"] = .int(Int64(limit))
            let entries = try await options.withClient { try await $0.call("audit.list", .object(params))["entries"] ?? [] }
            if options.json { return Output.json(entries) }
            let t = Output.text
            Output.table(
                [L(en: "AT", zh: "时间"), L(en: "USER", zh: "用户"), L(en: "METHOD", zh: "方法"), L(en: "ENTITY", zh: "对象"), "ID", L(en: "ACTION", zh: "动作"), L(en: "CHANGED", zh: "变更字段")],
                (entries.arrayValue ?? []).map { e in
                    let changed = (e["after"]?.objectValue ?? e["before"]?.objectValue ?? [:]).keys.sorted().joined(separator: ",")
                    return [Labels.time(e["at"]), t(e["user_id"]), t(e["method"]), t(e["entity"]), t(e["entity_id"]), t(e["action"]), changed]
                })
        }
    }

    struct Export: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write every matching entry to a file or stdout: JSON lines (default) or CSV.",
            discussion: "Pages through the whole log with the filters given, so a month's export is one command.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var filters: Filters
        @Option(help: "jsonl or csv.") var format: String = "jsonl"
        @Option(name: .shortAndLong, help: "Output file (default stdout).") var output: String?

        func execute() async throws {
            guard ["jsonl", "csv"].contains(format) else { throw ValidationError(L(en: "--format must be jsonl or csv", zh: "--format 须为 jsonl 或 csv")) }
            let sink: FileHandle
            if let output {
                guard FileManager.default.createFile(atPath: output, contents: nil) else { throw ValidationError(L(en: "cannot write \(output)", zh: "无法写入 \(output)")) }
                sink = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
            } else {
                sink = .standardOutput
            }
            let columns = ["id", "at", "user_id", "method", "entity", "entity_id", "table", "action", "before", "after"]
            if format == "csv" { sink.write(Data((columns.joined(separator: ",") + "\r\n").utf8)) }
            var count = 0
            try await options.withClient { client in
                try await AuditCommand.pages(client, filters.params) { entries in
                    var chunk = ""
                    for entry in entries {
                        if format == "csv" {
                            chunk += columns.map { csvField(entry[$0]) }.joined(separator: ",") + "\r\n"
                        } else {
                            chunk += WireJSON.string(entry) + "\n"
                        }
                    }
                    sink.write(Data(chunk.utf8))
                    count += entries.count
                }
            }
            if output != nil { FileHandle.standardError.write(Data((L(en: "\(count) entries written", zh: "已写入 \(count) 条") + "\n").utf8)) }
        }

        func csvField(_ value: JSONValue?) -> String {
            let text: String
            switch value {
            case nil, .null?: text = ""
            case .string(let s)?: text = s
            case let other?: text = WireJSON.string(other)
            }
            // A spreadsheet must not run a value as a formula.
            let safe = text.first.map { "=+@\t\r".contains($0) } == true ? "'" + text : text
            guard safe.contains(where: { ",\"\r\n".contains($0) }) else { return safe }
            return "\"" + safe.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
    }
}
