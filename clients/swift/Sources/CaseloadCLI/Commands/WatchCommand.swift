import ArgumentParser
import CaseloadProtocol
import Foundation

struct WatchCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Print changes as they happen (yours, a company's or a case's), made through any server.",
        discussion: "Runs until interrupted (Ctrl-C). One line per event; --json prints each event's JSON.")
    @OptionGroup var options: ClientOptions
    @Option(help: "Only this company's changes.") var company: String?
    @Option(name: .customLong("case"), help: "Only this case's changes.") var caseID: String?
    @Option(parsing: .upToNextOption, help: "Only these kinds: case_changed deadline_due deadline_missed deadline_changed document_moved.")
    var kinds: [String] = []

    func execute() async throws {
        var params: [String: JSONValue] = [:]
        if let company { params["scope"] = "company"; params["id"] = .string(company) }
        if let caseID { params["scope"] = "case"; params["id"] = .string(caseID) }
        if !kinds.isEmpty { params["kinds"] = .array(kinds.map(JSONValue.string)) }
        let json = options.json
        // A lost server (restarted, or the network) is waited for and the subscription made
        // again; what happened meanwhile is announced as a gap, never skipped in silence.
        var lostAt: Date?
        var delay = 1
        while true {
            do {
                try await options.withClient(onNotification: { note in Self.print(note, json: json) }) { client in
                    _ = try await client.call("watch.subscribe", .object(params))
                    if let since = lostAt {
                        Self.printGap(since: since, json: json)
                        Self.note("reconnected; watching again")
                    } else {
                        Self.note("watching; Ctrl-C to stop")
                    }
                    (lostAt, delay) = (nil, 1)
                    // Keep the connection alive, and notice soon when it goes.
                    while true {
                        try await Task.sleep(for: Self.pingInterval)
                        _ = try await client.call("system.ping")
                    }
                }
            } catch let error as CLIError where error.unreachable {
                if lostAt == nil {
                    lostAt = Date()
                    Self.note("connection lost (\(error.description)); reconnecting")
                }
                try await Task.sleep(for: .seconds(delay))
                delay = min(delay * 2, 30)
            }
        }
    }

    static let pingInterval: Duration = .seconds(10)

    static func note(_ text: String) { FileHandle.standardError.write(Data("\(Date().formatted(.iso8601))  \(text)\n".utf8)) }

    /// A gap line as the server's `watch.gap` prints: events may have been missed meanwhile.
    static func printGap(since: Date, json: Bool) {
        let params: JSONValue = ["since": .string(since.formatted(.iso8601)), "until": .string(Date().formatted(.iso8601)), "reason": "the connection to the server was lost"]
        print(RPCRequest(id: nil, method: "watch.gap", params: params), json: json)
    }

    static func print(_ note: RPCRequest, json: Bool) {
        let p = note.params ?? .null
        let line: String
        if json {
            line = WireJSON.string(["method": .string(note.method), "params": p])
        } else if note.method == "watch.gap" {
            line = "\(Date().formatted(.iso8601))  GAP  events may have been missed since \(Output.text(p["since"]))"
        } else {
            // Who and what by name, then the ids (short, as the other commands take them).
            let who = [p["applicant_name"]?.stringValue, p["company_short_name"]?.stringValue].compactMap { $0 }.joined(separator: " · ")
            let what = p["case_kind"]?.stringValue == nil ? "" : Labels.caseName(kind: p["case_kind"], stageZh: p["case_stage_name_zh"])
            let by = p["by"]?.stringValue.map { "by \($0)" } ?? ""
            let ids = [("case", p["case_id"]), ("deadline", p["deadline_id"]), ("document", p["document_id"])]
                .compactMap { name, id in id?.stringValue.map { "\(name) \(Labels.short(.string($0)))" } }.joined(separator: "  ")
            line = ["\(Date().formatted(.iso8601))", Output.text(p["kind"]), who, what, by, ids].filter { !$0.isEmpty }.joined(separator: "  ")
        }
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
