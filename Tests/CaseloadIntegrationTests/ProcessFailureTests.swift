import CaseloadProtocol
import Foundation
import NIOCore
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The real `caseload-server` binary killed or stopped under load.
@Suite("Failure: the server process killed or stopped under load")
struct ProcessFailureTests {
    @Test("SIGKILL under write load: every acknowledged write is there after a restart", .timeLimit(Soak.timeLimit))
    func killUnderWriteLoad() async throws {
        let database = try await TestDatabase.migrated()
        let owner = try await database.createAgency()
        let current = Mutex<ServerProcess?>(try await ServerProcess.start(database: database))
        let port = Atomic<Int>(current.withLock { $0!.port })
        let load = WriteLoad()
        Task { await load.run(port: { port.load(ordering: .relaxed) }, token: owner.token, writers: 4) }
        let phase = Soak.loadDuration(default: 1)
        let rounds = Soak.rounds(default: 1)
        var restarts: [Duration] = []
        do {
            for _ in 0..<rounds {
                try await load.run(for: phase)
                let victim = try #require(current.withLock { $0 })
                let before = load.snapshot.acknowledged.count
                victim.signal(SIGKILL)
                let exit = await victim.waitForExit(timeout: .seconds(20))
                #expect(exit?.reason == .uncaughtSignal && exit?.status == SIGKILL, "expected death by SIGKILL, got \(String(describing: exit))")
                #expect(before > 0, "no write was acknowledged before the kill; failures: \(load.failureCodes)")
                let killed = ContinuousClock.now
                let next = try await ServerProcess.start(database: database)
                current.withLock { $0 = next }
                port.store(next.port, ordering: .relaxed)
                let deadline = killed + .seconds(30)
                while load.firstAcknowledgement(after: killed) == nil, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                }
                let back = try #require(load.firstAcknowledgement(after: killed), "no write succeeded within 30 s of the restart; failures: \(load.failureCodes)")
                restarts.append(back - killed)
            }
            try await Task.sleep(for: phase)
        } catch {
            load.stop()
            await current.withLock { $0 }?.killIfRunning()
            _ = await load.waitForWriters(timeout: .seconds(45))
            throw error
        }
        load.stop()
        let unanswered = await load.waitForWriters(timeout: .seconds(45))
        #expect(unanswered.isEmpty, "calls unanswered after waiting \(unanswered)")
        let last = try #require(current.withLock { $0 })
        last.signal(SIGTERM)
        #expect(await last.waitForExit(timeout: .seconds(20)) == .init(reason: .exit, status: 0))

        let result = load.snapshot
        let stored = try await WriteLoad.storedCompanies(in: database, prefix: load.prefix)
        let lost = result.acknowledged.filter { stored[$0.key] != $0.value }
        print(
            """
            failure-test: SIGKILL: rounds=\(rounds) sent=\(result.sent) acknowledged=\(result.acknowledged.count) \
            present=\(result.acknowledged.count - lost.count) lost=\(lost.count) stored=\(stored.count) \
            broken-connections=\(result.failures.filter { $0.code == nil }.count) \
            kill-to-first-write=\(restarts.map { String(format: "%.2f", $0.seconds) + "s" })
            """)
        #expect(result.acknowledged.count > 0)
        #expect(lost.isEmpty, "acknowledged writes missing after SIGKILL: \(lost.prefix(5))")
        #expect(result.failures.allSatisfy { $0.code == nil }, "writes failed with an RPC error: \(result.failures.compactMap(\.code))")
    }

    @Test("SIGTERM under load: requests in flight get their replies, new connections are refused, exit status 0", .timeLimit(Soak.timeLimit))
    func gracefulStopUnderLoad() async throws {
        let database = try await TestServer.shared().database
        let server = try await ServerProcess.start(database: database)
        do {
            try await stopGracefully(server)
        } catch {
            await server.killIfRunning()
            throw error
        }
    }

    private func stopGracefully(_ server: ServerProcess) async throws {
        let connections = 4
        let perConnection = 8
        // Long enough that the refusal of new connections is seen while the requests still run,
        // even when a loaded machine takes seconds to deliver the signal and connect.
        let delay = 8000
        // Each connection says when its requests are written, so the signal never comes first
        // (a fixed pause did not suffice on a loaded machine).
        let (written, allWritten) = AsyncStream<Void>.makeStream()
        // When the first in-flight reply reached the client: refusals must come before it.
        let firstReply = FirstInstant()
        let results = try await withThrowingTaskGroup(of: (sent: Int, answered: Int, closed: Bool).self) { group in
            for c in 0..<connections {
                group.addTask {
                    let channel = try await LineChannel.connect(host: "127.0.0.1", port: server.port, rawOutbound: true)
                    return try await channel.executeThenClose { inbound, outbound in
                        var replies = inbound.makeAsyncIterator()
                        // Prove the connection is served before loading it up.
                        try await outbound.send(#"{"jsonrpc":"2.0","id":"hello","method":"system.ping"}"# + "\n")
                        #expect(try await replies.nextJSON()?["result"] == "pong")
                        for r in 0..<perConnection {
                            try await outbound.send(
                                #"{"jsonrpc":"2.0","id":"c\#(c)-\#(r)","method":"system.ping","params":{"delay_ms":\#(delay)}}"# + "\n")
                        }
                        allWritten.yield()
                        var answered = 0
                        while let reply = try await replies.nextJSON() {
                            firstReply.record()
                            #expect(reply["result"] == "pong", "in-flight request answered with \(reply)")
                            answered += 1
                        }
                        return (perConnection, answered, true)
                    }
                }
            }
            // Once every request is written, let them arrive and start, then ask the server to stop.
            var waiting = written.makeAsyncIterator()
            for _ in 0..<connections { await waiting.next() }
            try await Task.sleep(for: .milliseconds(500))
            let signalled = ContinuousClock.now
            server.signal(SIGTERM)

            // The listener closes at once; in-flight requests still have seconds to run. Try
            // until refused (a loaded machine may take seconds over each attempt), then check
            // that the refused attempt began before any in-flight reply had come back.
            var refusedAttempt: ContinuousClock.Instant?
            var attempts = 0
            while refusedAttempt == nil, ContinuousClock.now - signalled < .seconds(30) {
                let attempt = ContinuousClock.now
                attempts += 1
                do {
                    let late = try await LineChannel.connect(host: "127.0.0.1", port: server.port, rawOutbound: true)
                    try? await late.channel.close()
                    try await Task.sleep(for: .milliseconds(50))
                } catch {
                    refusedAttempt = attempt
                }
            }
            let timing = "\(attempts) attempts; log: \(server.log.suffix(600))"
            #expect(refusedAttempt != nil, "connections attempted after SIGTERM were still accepted after 30 s: \(timing)")
            if let refusedAttempt, let first = firstReply.value {
                #expect(refusedAttempt < first, "new connections were refused only after in-flight replies came back: \(timing)")
            }

            var all: [(sent: Int, answered: Int, closed: Bool)] = []
            for try await r in group { all.append(r) }
            return all
        }
        let exit = await server.waitForExit(timeout: .seconds(20))
        let sent = results.map(\.sent).reduce(0, +)
        let answered = results.map(\.answered).reduce(0, +)
        print("failure-test: SIGTERM: in-flight=\(sent) answered=\(answered) exit=\(exit.map(\.description) ?? "hung")")
        #expect(answered == sent, "in-flight requests lost their replies: \(answered) of \(sent)")
        #expect(exit == .init(reason: .exit, status: 0), "expected a clean exit, got \(String(describing: exit)); log: \(server.log.suffix(1500))")
    }
}

/// The first time something happened, from any task.
private final class FirstInstant: Sendable {
    private let instant = Mutex<ContinuousClock.Instant?>(nil)
    var value: ContinuousClock.Instant? { instant.withLock { $0 } }
    func record() { instant.withLock { $0 = $0 ?? .now } }
}
