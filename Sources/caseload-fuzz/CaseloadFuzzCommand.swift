import ArgumentParser
import CaseloadFuzz
import Foundation

/// `caseload-fuzz`: the long protocol fuzz run behind `make fuzz` (deploy/fuzz.sh starts the
/// server it talks to): framing and parser in process, lines over TCP, then (with
/// `--semantic-calls`) the semantic run, which calls every method with params from its schema
/// and real ids of two agencies. Exits 1 if anything was found.
@main
struct CaseloadFuzzCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "caseload-fuzz",
        abstract: "Fuzz the line framing and JSON-RPC parser in process, and a running server over TCP (lines, then semantic calls), checking every reply.")

    @Option(help: "The server to fuzz, host:port (omit to fuzz in process only).") var addr: String?
    @Option(help: "A valid token of the server's (logins with it must succeed). Env: CASELOAD_TOKEN.") var token: String?
    @Option(help: "Lines to send to the server.") var inputs = 1_000_000
    @Option(help: "Lines for the in-process parser run.") var parserInputs = 1_000_000
    @Option(help: "Byte streams for the in-process framing run.") var framingInputs = 200_000
    @Option(help: "Seed (the same seed sends the same lines). Default: from the clock.") var seed: UInt64?
    @Option(help: "Concurrent fuzzing connections.") var connections = 4
    @Option(help: "Connections that end with a line over the limit.") var oversize = 40
    @Option(help: "The server's max_line_bytes.") var maxLineBytes = 1 << 20
    @Option(help: "The server's max_batch.") var maxBatch = 100
    @Option(help: "The longest line the in-process parser run makes.") var parserMaxLineBytes = 8192
    @Option(help: "Write each parser input here before parsing it (after a crash it holds the culprit).") var crashFile: String?
    @Option(help: "Semantic calls to send after the line fuzzing (0: none): every method, params from its schema, as every role.")
    var semanticCalls = 0
    @Option(help: "An owner token of a second agency, for the semantic run's cross-agency calls. Env: CASELOAD_TOKEN_B.") var tokenB: String?
    @Option(help: "Concurrent connections of the semantic run.") var semanticConnections = 4

    func run() async throws {
        let seed = self.seed ?? UInt64(Date().timeIntervalSince1970 * 1000)
        print("caseload-fuzz: seed \(seed)")
        var findings = 0

        let framing = FramingFuzz.run(streams: framingInputs, seed: seed)
        print(
            "caseload-fuzz: framing: \(framing.streams) streams (\(framing.lines) lines) in \(seconds(framing.duration)) s, "
                + "\(rate(framing.streams, framing.duration))/s, findings \(framing.findingCount)")
        framing.findings.forEach { print("  finding: \($0)") }
        findings += framing.findingCount

        let parser = ParserFuzz.run(inputs: parserInputs, seed: seed, maximumLineLength: parserMaxLineBytes, maximumBatchSize: maxBatch, crashFile: crashFile)
        print(
            "caseload-fuzz: parser: \(parser.inputs) lines in \(seconds(parser.duration)) s, \(rate(parser.inputs, parser.duration))/s, "
                + "findings \(parser.findingCount); \(parser.shapes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))")
        parser.findings.forEach { print("  finding: \($0)") }
        findings += parser.findingCount

        if let addr {
            guard let colon = addr.lastIndex(of: ":"), let port = Int(addr[addr.index(after: colon)...]) else {
                throw ValidationError("--addr must be host:port")
            }
            var options = ServerFuzz.Options(port: port, inputs: inputs, seed: seed)
            options.host = String(addr[..<colon])
            options.token = token ?? ProcessInfo.processInfo.environment["CASELOAD_TOKEN"]
            options.connections = connections
            options.oversizeCases = oversize
            options.maximumLineLength = maxLineBytes
            options.maximumBatchSize = maxBatch
            let server = try await ServerFuzz(options: options).run()
            print(
                "caseload-fuzz: server: \(server.inputs) lines on \(server.connections) connections in \(seconds(server.duration)) s, "
                    + "\(rate(server.inputs, server.duration))/s; \(server.replies) replies checked, \(server.silent) lines with no reply due, "
                    + "\(server.oversizeCases) over-long lines, \(server.skipped) unpredictable lines not sent; "
                    + "canary \(server.canaryPings) pings, slowest \(seconds(server.canarySlowest)) s; findings \(server.findingCount)")
            print("caseload-fuzz: server outcomes: " + server.outcomes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
            server.findings.forEach { print("  finding: \($0)") }
            findings += server.findingCount

            if semanticCalls > 0 {
                findings += try await semantic(host: options.host, port: port, token: options.token, seed: seed)
            }
        }
        print("caseload-fuzz: \(findings == 0 ? "OK" : "FAILED"): \(findings) findings (seed \(seed))")
        if findings > 0 { throw ExitCode(1) }
    }

    /// The semantic run; returns its finding count.
    func semantic(host: String, port: Int, token: String?, seed: UInt64) async throws -> Int {
        guard let token else { throw ValidationError("--semantic-calls needs --token (an owner's)") }
        let tokenB = self.tokenB ?? ProcessInfo.processInfo.environment["CASELOAD_TOKEN_B"]
        if tokenB == nil { print("caseload-fuzz: semantic: no --token-b: one agency only, no cross-agency calls") }
        var options = SemanticFuzz.Options(port: port, tokenA: token, tokenB: tokenB, calls: semanticCalls, seed: seed)
        options.host = host
        options.connections = semanticConnections
        options.maximumLineLength = maxLineBytes
        let report = try await SemanticFuzz(options: options).run()
        print(
            "caseload-fuzz: semantic: \(report.calls) calls on \(report.sessions) connections (\(report.probes) login probes) in \(seconds(report.duration)) s, "
                + "\(rate(report.calls, report.duration))/s; \(report.replies) replies judged; canary \(report.canaryPings) pings, slowest \(seconds(report.canarySlowest)) s; "
                + "server deaths \(report.serverDeaths); ids seen \(report.idsSeen.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")); "
                + "findings \(report.findingCount) of \(report.findingKinds.count) kinds")
        print("caseload-fuzz: semantic outcomes per method:\n" + report.coverageTable.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        print("caseload-fuzz: semantic: methods that never answered with a result: \(report.methodsWithoutResult.isEmpty ? "none" : report.methodsWithoutResult.joined(separator: ", "))")
        for (kind, count) in report.findingKinds.sorted(by: { $0.key < $1.key }) { print("  finding kind: \(kind): \(count)") }
        report.findings.forEach { print("  finding: \($0)") }
        return report.findingCount
    }

    func seconds(_ d: Duration) -> String {
        String(format: "%.1f", Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
    }

    func rate(_ n: Int, _ d: Duration) -> Int {
        let s = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        return s > 0 ? Int(Double(n) / s) : 0
    }
}
