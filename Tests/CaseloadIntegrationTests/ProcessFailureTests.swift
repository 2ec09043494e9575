import CaseloadClient
import CaseloadProtocol
import Foundation
import NIOCore
import PostgresNIO
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
        let database = try await TestDatabase.migrated()
        let owner = try await database.createAgency()
        // A deadline far beyond the test: the in-flight writes wait on the test's lock, not a clock.
        let server = try await ServerProcess.start(database: database, environment: ["CASELOAD_REQUEST_DEADLINE_SECONDS": "600"])
        do {
            try await stopGracefully(server, database: database, agency: owner.agencyID, token: owner.token)
        } catch {
            await server.killIfRunning()
            throw error
        }
    }

    /// A connection accepted while the listener closes used to be dropped by NIO before the
    /// server saw it, which traps the process (apple/swift-nio#2813): SIGTERM ended in SIGILL.
    @Test("SIGTERM amid a burst of new connections: a clean exit (status 0), not a trap", .timeLimit(Soak.timeLimit))
    func stopAmidConnectionBurst() async throws {
        let database = try await TestServer.shared().database
        for round in 0..<3 {
            let server = try await ServerProcess.start(database: database)
            let stop = Flag()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        while !stop.isSet {
                            guard let channel = try? await LineChannel.connect(host: "127.0.0.1", port: server.port, rawOutbound: true) else { return }
                            try? await channel.channel.close()
                        }
                    }
                }
                try await Task.sleep(for: .milliseconds(200))
                server.signal(SIGTERM)
                try await Task.sleep(for: .seconds(1))
                stop.set()
                try await group.waitForAll()
            }
            let exit = await server.waitForExit(timeout: .seconds(20))
            #expect(exit == .init(reason: .exit, status: 0), "round \(round): expected a clean exit, got \(String(describing: exit)); log: \(server.log.prefix(1500))")
            if exit == nil { await server.killIfRunning() }
        }
    }

    /// Writes are held in flight by a row lock the test owns, so the order is not left to the
    /// machine's speed: the listener must refuse new connections while they are still held,
    /// and every one must be answered and committed once the lock is released.
    private func stopGracefully(_ server: ServerProcess, database: TestDatabase, agency: UUID, token: String) async throws {
        // Fewer writes than the server's pool has connections, so every one reaches the lock.
        let connections = 4
        let perConnection = 4
        let companies = try await RPCClient.withConnection(host: "127.0.0.1", port: server.port) { client in
            _ = try await client.call("auth.login", ["token": .string(token)])
            var ids: [String] = []
            for i in 0..<connections * perConnection {
                let company = try await client.call("company.create", ["name": .string("held-\(i)"), "org_code": .string(orgCode(70_000 + i))])
                ids.append(try #require(company["id"]?.stringValue))
            }
            return ids
        }
        let lock = RowLock()
        let holder = Task { try await lock.hold(companies, of: agency, in: database) }
        try await lock.waitUntilHeld()

        let results = try await withThrowingTaskGroup(of: [JSONValue].self) { group in
            for c in 0..<connections {
                group.addTask {
                    let channel = try await LineChannel.connect(host: "127.0.0.1", port: server.port, rawOutbound: true)
                    return try await channel.executeThenClose { inbound, outbound in
                        var replies = inbound.makeAsyncIterator()
                        try await outbound.send(#"{"jsonrpc":"2.0","id":"login","method":"auth.login","params":{"token":"\#(token)"}}"# + "\n")
                        #expect(try await replies.nextJSON()?["result"] != nil)
                        for r in 0..<perConnection {
                            let id = companies[c * perConnection + r]
                            try await outbound.send(
                                #"{"jsonrpc":"2.0","id":"c\#(c)-\#(r)","method":"company.update","params":{"id":"\#(id)","version":1,"name":"renamed-\#(id)"}}"# + "\n")
                        }
                        var received: [JSONValue] = []
                        while let reply = try await replies.nextJSON() { received.append(reply) }
                        return received
                    }
                }
            }
            // Only once every write waits on the lock is each one surely in flight.
            try await lock.waitForWaiters(companies.count, in: database)
            let signalled = ContinuousClock.now
            server.signal(SIGTERM)

            // The listener closes at once; the held writes cannot finish until the lock goes.
            var refused = false
            var attempts = 0
            while !refused, ContinuousClock.now - signalled < .seconds(60) {
                attempts += 1
                do {
                    let late = try await LineChannel.connect(host: "127.0.0.1", port: server.port, rawOutbound: true)
                    try? await late.channel.close()
                    try await Task.sleep(for: .milliseconds(50))
                } catch {
                    refused = true
                }
            }
            #expect(refused, "connections attempted after SIGTERM were still accepted after 60 s (\(attempts) attempts); log: \(server.log.suffix(600))")
            lock.release()
            try await holder.value

            var all: [JSONValue] = []
            for try await replies in group { all += replies }
            return all
        }
        let exit = await server.waitForExit(timeout: .seconds(20))
        let succeeded = results.filter { $0["result"]?["version"] == 2 }
        print("failure-test: SIGTERM: in-flight=\(companies.count) answered=\(results.count) succeeded=\(succeeded.count) exit=\(exit.map(\.description) ?? "hung")")
        #expect(results.count == companies.count, "in-flight requests lost their replies: \(results.count) of \(companies.count)")
        #expect(succeeded.count == companies.count, "in-flight writes answered with errors: \(results.filter { $0["error"] != nil }.prefix(3))")
        let renamed = try await database.admin { connection in
            try await connection.query("SELECT count(*)::int FROM companies WHERE name LIKE 'renamed-%'", logger: TestDatabase.logger)
                .collect().first?.decode(Int.self) ?? 0
        }
        #expect(renamed == companies.count, "acknowledged writes missing after the stop: \(renamed) of \(companies.count)")
        #expect(exit == .init(reason: .exit, status: 0), "expected a clean exit, got \(String(describing: exit)); log: \(server.log.suffix(1500))")
    }
}

/// Row locks on companies held by the test in an open transaction until released, so that
/// writes to them stay in flight for as long as the test needs.
private final class RowLock: Sendable {
    private let held = AsyncStream<Void>.makeStream()
    private let released = AsyncStream<Void>.makeStream()

    /// Holds the locks until released; a lock that could not be taken ends the wait for it.
    func hold(_ ids: [String], of agency: UUID, in database: TestDatabase) async throws {
        let uuids = ids.compactMap(UUID.init(uuidString:))
        defer { held.continuation.finish() }
        try await database.admin { connection in
            _ = try await connection.query("BEGIN", logger: TestDatabase.logger)
            // The agency too: Citus locks rows of one shard only.
            _ = try await connection.query(
                "SELECT 1 FROM companies WHERE agency_id = \(agency) AND company_id = ANY(\(uuids)) FOR UPDATE", logger: TestDatabase.logger
            ).collect()
            held.continuation.yield()
            for await _ in released.stream { break }
            _ = try await connection.query("ROLLBACK", logger: TestDatabase.logger)
        }
    }

    struct NotHeld: Error {}

    func waitUntilHeld() async throws {
        for await _ in held.stream { return }
        throw NotHeld()
    }

    /// Waits until `count` server backends are blocked on a lock in this database.
    func waitForWaiters(_ count: Int, in database: TestDatabase) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            // On Citus the writes wait on the worker holding the rows: its view of lock waits.
            let query: PostgresQuery =
                TestDatabase.isShared
                ? "SELECT count(DISTINCT waiting_gpid)::int FROM citus_lock_waits"
                : "SELECT count(*)::int FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            let waiting = try await database.admin { connection in
                try await connection.query(query, logger: TestDatabase.logger).collect().first?.decode(Int.self) ?? 0
            }
            if waiting >= count { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("fewer than \(count) writes reached the held lock within 60 s")
    }

    func release() { released.continuation.yield() }
}

/// A flag one task sets and others read.
private final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .relaxed) }
    func set() { value.store(true, ordering: .relaxed) }
}
