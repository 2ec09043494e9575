import CaseloadFuzz
import CaseloadClient
import CaseloadProtocol
import Foundation
import NIOCore
import Testing

/// A short run of the protocol fuzzer (`make fuzz` runs the long one): framing and parsing
/// in process, then a real server over TCP with a canary connection. The seed is random and
/// printed on failure; `CASELOAD_FUZZ_SEED` repeats a run.
@Suite("Failure: protocol fuzzing")
struct ProtocolFuzzTests {
    let seed: UInt64 = ProcessInfo.processInfo.environment["CASELOAD_FUZZ_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64(UInt32.max))

    @Test("framing: random byte streams fed in random pieces split into the lines the reference says")
    func framing() {
        let report = FramingFuzz.run(streams: Soak.fuzzInputs(default: 3000), seed: seed)
        #expect(report.findingCount == 0, "seed \(seed): \(report.findings.joined(separator: "\n"))")
        #expect(report.lines > report.streams)
    }

    @Test("parsing: the server's parser reads every generated line as the oracle does")
    func parsing() {
        let report = ParserFuzz.run(inputs: Soak.fuzzInputs(default: 3000), seed: seed)
        #expect(report.findingCount == 0, "seed \(seed): \(report.findings.joined(separator: "\n"))")
        // The generator reaches every kind of line.
        for shape in ["batch", "invalid request", "rejected -32600", "rejected -32700", "request"] {
            #expect((report.shapes[shape] ?? 0) > 0, "no line of shape \(shape)")
        }
    }

    @Test("a server answers every fuzzed line as documented, closes on over-long lines, and a canary connection is unaffected", .timeLimit(Soak.timeLimit))
    func server() async throws {
        let server = try await TestServer.start(database: try await TestServer.shared().database) {
            // A small line limit makes over-long lines cheap to send.
            $0.limits.maximumLineLength = 8192
            $0.limits.maximumBatchSize = 20
        }
        let owner = try await server.database.createAgency()
        var options = ServerFuzz.Options(port: server.port, inputs: Soak.fuzzInputs(default: 3000), seed: seed)
        options.token = owner.token
        options.connections = 3
        options.oversizeCases = Soak.enabled ? 200 : 6
        options.maximumLineLength = 8192
        options.maximumBatchSize = 20
        options.failedLogins = true  // the test server's login throttle allows it
        let report: ServerFuzz.Report
        do {
            report = try await ServerFuzz(options: options).run()
        } catch {
            try? await server.stop()
            throw error
        }
        try await server.stop()
        print(
            "fuzz-test: seed \(seed): \(report.inputs) lines, \(report.replies) replies checked, \(report.oversizeCases) over-long, "
                + "\(Int(Double(report.inputs) / max(report.duration.seconds, 0.001)))/s, canary \(report.canaryPings) pings (slowest \(report.canarySlowest)), "
                + "findings \(report.findingCount)")
        #expect(report.findingCount == 0, "seed \(seed): \(report.findings.joined(separator: "\n"))")
        #expect(report.inputs >= options.inputs)
        #expect(report.oversizeCases == options.oversizeCases)
        #expect(report.canaryPings > 0)
        for outcome in ["e-32700", "e-32600", "e-32601", "e-32602", "e-32001", "batch", "result", "no reply"] {
            #expect((report.outcomes[outcome] ?? 0) > 0, "no line expecting \(outcome)")
        }
    }

    @Test("lines that crashed or stalled the server before: 513 `[`, deep nesting, trailing commas, skipped invalid UTF-8")
    func regressions() async throws {
        let server = try await TestServer.shared()
        let lines: [([UInt8], Int)] = [
            (Array(String(repeating: "[", count: 513).utf8), -32700),  // trapped Foundation's decoder: the process died
            (Array((String(repeating: "[", count: 512) + String(repeating: "]", count: 512)).utf8), -32600),  // took ~3 s of CPU
            (Array(#"{"jsonrpc":"2.0","id":1,"method":"system.ping",}"#.utf8), -32700),  // was a call
            (Array(#"{"jsonrpc":"2.0","id":1,"method":"system.ping","id":""#.utf8) + [0xFF] + Array(#""}"#.utf8), -32700),  // was a call
            (Array(#"{"jsonrpc":"2.0","id":1,"method":"system.ping","id":1e400}"#.utf8), -32700),
        ]
        try await server.withLines { replies, out async throws in
            for (line, code) in lines {
                try await out.write(ByteBuffer(bytes: line + [0x0A]))
                let reply = try #require(try await replies.nextJSON(), "no reply to \(line.fuzzDescription())")
                let reached = reply.arrayValue?.first ?? reply
                #expect(reached["error"]?["code"] == .int(Int64(code)), "\(line.fuzzDescription()): \(reply)")
            }
            try await out.send(#"{"jsonrpc":"2.0","id":"after","method":"system.ping"}"# + "\n")
            #expect(try await replies.nextJSON()?["result"] == "pong")
        }
    }

    @Test("a pagination cursor of 513 `[` is invalid_params, and the server lives on (run against the binary: a crash ends only it)")
    func hostileCursor() async throws {
        let database = try await TestServer.shared().database
        let owner = try await database.createAgency()
        // No crash backtrace: it takes the dying server many seconds to print one.
        let server = try await ServerProcess.start(database: database, environment: ["SWIFT_BACKTRACE": "enable=no"])
        let cursor = Data(String(repeating: "[", count: 513).utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let reply: Result<JSONValue, any Error>
        do {
            reply = .success(
                try await RPCClient.withConnection(host: "127.0.0.1", port: server.port) { client in
                    _ = try await client.call("auth.login", ["token": .string(owner.token)])
                    return try await client.call("company.list", ["cursor": .string(cursor)])
                })
        } catch {
            reply = .failure(error)
        }
        try? await Task.sleep(for: .milliseconds(300))
        let alive = await (try? RPCClient.withConnection(host: "127.0.0.1", port: server.port) { try await $0.call("system.ping") }) == "pong"
        await server.killIfRunning()
        // Cursor.decode reads the client's bytes through WireJSON.decode, which checks them
        // before Foundation's JSONDecoder (that traps on them) sees them.
        #expect(alive, "the server died: \(server.log.suffix(300))")
        if case .failure(let error as RPCError) = reply {
            #expect(error.code == RPCErrorCode.invalidParams.rawValue)
        } else {
            Issue.record("expected invalid_params, got \(reply)")
        }
    }
}
