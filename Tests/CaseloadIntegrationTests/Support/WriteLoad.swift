import CaseloadClient
import CaseloadProtocol
import Foundation
import PostgresNIO
import Synchronization
import Testing

/// Several clients creating companies with unique names as fast as the server answers,
/// recording which writes were acknowledged and how the others failed. The failure tests
/// compare the acknowledged ids with the rows afterwards.
final class WriteLoad: Sendable {
    struct Failure: Sendable {
        var code: Int?  // nil: the connection failed (no JSON-RPC reply)
        var name: String
        var started: ContinuousClock.Instant
        var latency: Duration
    }

    struct State: Sendable {
        var acknowledged: [String: String] = [:]  // company id → name
        var acknowledgedAt: [ContinuousClock.Instant] = []
        var failures: [Failure] = []
        var sent = 0
        /// Every answered call: when it was sent and how long its answer took.
        var calls: [(started: ContinuousClock.Instant, latency: Duration)] = []

        /// The longest answer to a call sent within any of `windows`.
        func longestCall(startedIn windows: [(ContinuousClock.Instant, ContinuousClock.Instant)]) -> Duration {
            calls.filter { c in windows.contains { c.started >= $0.0 && c.started < $0.1 } }.map(\.latency).max() ?? .zero
        }
    }

    let prefix: String
    private let state = Mutex(State())
    private let stopped = Atomic<Bool>(false)
    /// When each writer's call in flight was sent (a writer absent here is between calls).
    private let inFlight = Mutex<[Int: ContinuousClock.Instant]>([:])
    private let running = Atomic<Int>(0)

    init(prefix: String = "load-\(UUID().uuidString.prefix(6))") {
        self.prefix = prefix
    }

    var snapshot: State { state.withLock { $0 } }

    func stop() { stopped.store(true, ordering: .relaxed) }

    /// Lets the load run for `duration`, and on until `count` more writes were acknowledged
    /// (at most `timeout` in all): a loaded machine may need longer than `duration` to get
    /// the writers connected and logged in.
    func run(for duration: Duration, acknowledging count: Int = 10, timeout: Duration = .seconds(30)) async throws {
        let start = ContinuousClock.now
        let before = snapshot.acknowledged.count
        try await Task.sleep(for: duration)
        while snapshot.acknowledged.count < before + count, ContinuousClock.now - start < timeout {
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The first acknowledgement at or after `instant`, if any yet.
    func firstAcknowledgement(after instant: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        state.withLock { $0.acknowledgedAt.first { $0 >= instant } }
    }

    /// Runs `writers` clients against `host:port` (logged in with `token`) until `stop()`.
    /// A client whose connection breaks reconnects (after a short pause) until stopped.
    func run(host: String = "127.0.0.1", port: @escaping @Sendable () -> Int, token: String, writers: Int) async {
        running.store(writers, ordering: .relaxed)
        await withTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask { await self.writer(writer, host: host, port: port, token: token) }
            }
        }
    }

    /// After `stop()`: waits until every writer has finished its last call, at most
    /// `timeout`. Returns how long each call still unanswered then has been waiting (the
    /// writers of those are left behind: their calls may never be answered).
    func waitForWriters(timeout: Duration) async -> [Duration] {
        let deadline = ContinuousClock.now + timeout
        while running.load(ordering: .relaxed) > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        let now = ContinuousClock.now
        return inFlight.withLock { $0.values.map { now - $0 } }
    }

    private func writer(_ writer: Int, host: String, port: @Sendable () -> Int, token: String) async {
        defer { running.subtract(1, ordering: .relaxed) }
        var sequence = 0
        while !stopped.load(ordering: .relaxed) {
            do {
                try await RPCClient.withConnection(host: host, port: port()) { client in
                    _ = try await client.call("auth.login", ["token": .string(token)])
                    while !stopped.load(ordering: .relaxed) {
                        sequence += 1
                        let name = "\(prefix)-\(writer)-\(sequence)"
                        state.withLock { $0.sent += 1 }
                        let started = ContinuousClock.now
                        // Each company needs a code; a unique valid one per write.
                        let code = orgCode(writer * 10_000_000 + sequence)
                        inFlight.withLock { $0[writer] = started }
                        let response = try await client.send("company.create", ["name": .string(name), "org_code": .string(code)])
                        inFlight.withLock { $0[writer] = nil }
                        let now = ContinuousClock.now
                        state.withLock { $0.calls.append((started, now - started)) }
                        switch response.outcome {
                        case .success(let company):
                            let id = company["id"]?.stringValue ?? "?"
                            state.withLock {
                                $0.acknowledged[id] = name
                                $0.acknowledgedAt.append(now)
                            }
                        case .failure(let error):
                            state.withLock { $0.failures.append(Failure(code: error.code, name: name, started: started, latency: now - started)) }
                            // Failures come fast while the database is away: do not spin.
                            try await Task.sleep(for: .milliseconds(20))
                        }
                    }
                }
            } catch {
                inFlight.withLock { $0[writer] = nil }
                // Connection refused or dropped (the server was killed): the write in flight,
                // if any, is unacknowledged. Try again shortly.
                state.withLock { $0.failures.append(Failure(code: nil, name: "", started: .now, latency: .zero)) }
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// Failures by code ("connection" when no reply came), for messages.
    var failureCodes: [String: Int] {
        Dictionary(grouping: snapshot.failures) { $0.code.map(String.init) ?? "connection" }.mapValues(\.count)
    }

    /// Ids and names of this load's companies as stored, read as the schema owner.
    static func storedCompanies(in database: TestDatabase, prefix: String) async throws -> [String: String] {
        try await database.admin { connection in
            var stored: [String: String] = [:]
            let rows = try await connection.query("SELECT company_id, name FROM companies WHERE name LIKE \(prefix + "-%")", logger: TestDatabase.logger)
            for try await (id, name) in rows.decode((UUID, String).self) { stored[id.uuidString.lowercased()] = name }
            return stored
        }
    }
}

/// Runs `body` in a task of its own and waits for it at most `limit`: true if it finished.
/// (A body still running then is left to finish or not; for steps that may hang.)
func finishes(within limit: Duration, _ body: @escaping @Sendable () async throws -> Void) async -> Bool {
    final class Done: Sendable {
        let value = Atomic<Bool>(false)
    }
    let done = Done()
    Task {
        try? await body()
        done.value.store(true, ordering: .relaxed)
    }
    let deadline = ContinuousClock.now + limit
    while !done.value.load(ordering: .relaxed), ContinuousClock.now < deadline {
        try? await Task.sleep(for: .milliseconds(20))
    }
    return done.value.load(ordering: .relaxed)
}

extension Duration {
    /// Seconds as a Double, for measurements printed by the failure tests.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
