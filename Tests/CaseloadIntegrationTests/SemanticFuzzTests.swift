import CaseloadFuzz
import Foundation
import Synchronization
import Testing

/// A seeded slice of the semantic fuzzer (`make fuzz` runs the long one): every method called
/// with params built from its `rpc.discover` schema and real ids of two agencies, as every
/// role and without a login, against the real server binary, so a trap ends only the server
/// process. A dead server is restarted and the call that killed it is found and reported. The
/// seed is random and printed; `CASELOAD_FUZZ_SEED` repeats a run (the calls, not the exact
/// timing). `CASELOAD_SOAK=1` sends `CASELOAD_SOAK_FUZZ_INPUTS` calls (200,000) instead.
@Suite("Failure: semantic fuzzing")
struct SemanticFuzzTests {
    let seed: UInt64 = ProcessInfo.processInfo.environment["CASELOAD_FUZZ_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64(UInt32.max))

    @Test(
        "every method answers every role's nearly valid, edge and hostile calls with a result or a documented error, never internal_error, and the server never dies",
        .timeLimit(Soak.timeLimit))
    func semantic() async throws {
        let database = try await TestServer.shared().database
        let a = try await database.createAgency()
        let b = try await database.createAgency()
        // No crash backtrace: it takes a dying server many seconds to print one.
        let environment = ["SWIFT_BACKTRACE": "enable=no"]
        let current = Mutex(try await ServerProcess.start(database: database, environment: environment))
        var options = SemanticFuzz.Options(
            port: current.withLock { $0.port }, tokenA: a.token, tokenB: b.token, calls: Soak.fuzzInputs(default: 5000), seed: seed)
        options.restart = {
            await current.withLock { $0 }.killIfRunning()
            let next = try await ServerProcess.start(database: database, environment: environment)
            current.withLock { $0 = next }
            return next.port
        }
        options.serverLog = {
            let server = current.withLock { $0 }
            return server.log + (server.ended.map { "\n[process ended: \($0)]" } ?? "")
        }
        let report: SemanticFuzz.Report
        do {
            report = try await SemanticFuzz(options: options).run()
        } catch {
            await current.withLock { $0 }.killIfRunning()
            throw error
        }
        await current.withLock { $0 }.killIfRunning()

        let seconds = Double(report.duration.components.seconds) + Double(report.duration.components.attoseconds) / 1e18
        var lines = [
            "semantic-fuzz: seed \(seed): \(report.calls) calls (\(report.replies) replies judged) on \(report.sessions) connections, "
                + "\(report.probes) login probes, in \(String(format: "%.1f", seconds)) s (\(Int(Double(report.calls) / max(seconds, 0.001)))/s); "
                + "deaths \(report.serverDeaths), restarts \(report.restarts), canary \(report.canaryPings) pings (slowest \(report.canarySlowest)); "
                + "ids seen \(report.idsSeen); findings \(report.findingCount) of \(report.findingKinds.count) kinds",
            "semantic-fuzz: without a result: \(report.methodsWithoutResult)",
        ]
        lines += report.findingKinds.sorted { $0.key < $1.key }.map { "semantic-fuzz: finding kind \($0.key): \($0.value)" }
        lines += report.findings.map { "semantic-fuzz: finding: \($0)" }
        if ProcessInfo.processInfo.environment["CASELOAD_FUZZ_COVERAGE"] == "1" { lines.append(report.coverageTable) }
        for line in lines { FileHandle.standardError.write(Data((line + "\n").utf8)) }

        #expect(report.findingCount == 0, "seed \(seed): \(report.findingKinds)\n\(report.findings.joined(separator: "\n"))")
        #expect(report.serverDeaths == 0, "seed \(seed): the server died \(report.serverDeaths) times")
        #expect(report.serverAlive, "seed \(seed): the server does not answer at the end")
        #expect(report.calls >= options.calls * 9 / 10)
        #expect(report.canaryPings > 0)
        // Coverage: nearly every method got past validation, roles and lookups at least once.
        #expect(
            report.methodsWithoutResult.count <= report.methods.count / 10,
            "seed \(seed): \(report.methodsWithoutResult.count) of \(report.methods.count) methods never answered with a result: \(report.methodsWithoutResult)\n\(report.coverageTable)")
    }
}
