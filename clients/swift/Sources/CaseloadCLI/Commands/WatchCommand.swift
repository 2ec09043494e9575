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
                        Self.note(L(en: "reconnected; watching again", zh: "已重新连接，继续关注"))
                    } else {
                        Self.note(L(en: "watching; Ctrl-C to stop", zh: "正在关注变化；按 Ctrl-C 停止"))
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
                    Self.note(L(en: "connection lost (\(error.description)); reconnecting", zh: "连接中断（\(error.description)），正在重新连接"))
                }
                try await Task.sleep(for: .seconds(delay))
                delay = min(delay * 2, 30)
            }
        }
    }

    static let pingInterval: Duration = .seconds(10)

    /// The event kinds' names (the protocol's value in English).
    static var kindNames: [String: String] {
        Language.current == .en ? [:] : [
            "case_changed": "办件变更", "deadline_due": "期限到期", "deadline_missed": "期限逾期", "deadline_changed": "期限变更",
            "document_moved": "文件移动",
        ]
    }

    static func note(_ text: String) { FileHandle.standardError.write(Data("\(Labels.time(Date(), seconds: true))  \(text)\n".utf8)) }

    /// A gap line as the server's `watch.gap` prints: events may have been missed meanwhile.
    static func printGap(since: Date, json: Bool) {
        let params: JSONValue = ["since": .string(since.formatted(.iso8601)), "until": .string(Date().formatted(.iso8601)), "reason": "the connection to the server was lost"]
        print(RPCRequest(id: nil, method: "watch.gap", params: params), json: json)
    }

    static func print(_ note: RPCRequest, json: Bool) {
        FileHandle.standardOutput.write(Data((line(note, json: json) + "\n").utf8))
    }

    /// The line `watch` prints for one notification (`at` is the time it came).
    static func line(_ note: RPCRequest, json: Bool, at now: Date = Date()) -> String {
        let p = note.params ?? .null
        let line: String
        if json {
            line = WireJSON.string(["method": .string(note.method), "params": p])
        } else if note.method == "watch.gap" {
            let since = Labels.time(p["since"])
            line = "\(Labels.time(now, seconds: true))  " + L(en: "GAP  events may have been missed since \(since)", zh: "中断  自 \(since) 起的变化可能漏看了")
        } else {
            // Who and what by name, then the ids (short, as the other commands take them). A
            // permit deadline has no case: its title says what it is.
            let who = [p["applicant_name"]?.stringValue, p["company_short_name"]?.stringValue].compactMap { $0 }.joined(separator: " · ")
            let what = [p["case_kind"]?.stringValue == nil ? nil : Labels.caseName(p), p["deadline_id"]?.stringValue == nil ? nil : Labels.title(p, prefix: "deadline_")].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "  ")
            let by = p["by"]?.stringValue.map { L(en: "by \($0)", zh: "操作人 \($0)") } ?? ""
            let ids = [(L(en: "case", zh: "办件"), p["case_id"]), (L(en: "deadline", zh: "期限"), p["deadline_id"]), (L(en: "document", zh: "文件"), p["document_id"])]
                .compactMap { name, id in id?.stringValue.map { "\(name) \(Labels.short(.string($0)))" } }.joined(separator: "  ")
            line = [Labels.time(now, seconds: true), Labels.named(p["kind"], Self.kindNames), who, what, by, ids].filter { !$0.isEmpty }.joined(separator: "  ")
        }
        return line
    }
}
