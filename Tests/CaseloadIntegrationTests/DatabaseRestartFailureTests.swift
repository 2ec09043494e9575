import CaseloadProtocol
import Foundation
import Testing

/// PostgreSQL goes away under write load and comes back. Runs on a private cluster: the
/// shared test cluster must never be stopped under the suites that run beside this one.
@Suite("Failure: PostgreSQL restarted under write load")
struct DatabaseRestartFailureTests {
    @Test(
        "calls fail fast with database_unavailable while PostgreSQL is down, the server recovers alone, and no acknowledged write is lost",
        .timeLimit(Soak.timeLimit))
    func restartUnderWriteLoad() async throws {
        let cluster = try await PrivateCluster.start(name: "restart")
        do {
            try await exercise(cluster)
        } catch {
            await cluster.destroy()
            throw error
        }
        await cluster.destroy()
    }

    private func exercise(_ cluster: PrivateCluster) async throws {
        let database = try await TestDatabase.migrated(cluster: try cluster.adminURL)
        let owner = try await database.createAgency()
        // A short request deadline: a call unanswered well past it is stuck, not slow.
        let server = try await TestServer.start(database: database) { $0.limits.requestDeadlineSeconds = 5 }
        let load = WriteLoad()
        let port = server.port
        Task { await load.run(port: { port }, token: owner.token, writers: 4) }

        let phase = Soak.loadDuration(default: 1)
        let rounds = Soak.rounds(default: 1)
        var recoveries: [Duration] = []
        var downWindows: [(ContinuousClock.Instant, ContinuousClock.Instant)] = []
        do {
            try await load.run(for: phase)
            for _ in 0..<rounds {
                try await cluster.stop()
                let down = ContinuousClock.now
                // Writes go on against the stopped database for a while.
                try await Task.sleep(for: Soak.downtime(default: 1.5))
                try await cluster.restart()
                let up = ContinuousClock.now
                downWindows.append((down, up))
                let deadline = up + .seconds(30)
                while load.firstAcknowledgement(after: up) == nil, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                }
                let recovered = try #require(load.firstAcknowledgement(after: up), "no write succeeded within 30 s of PostgreSQL's return; failures: \(load.failureCodes)")
                recoveries.append(recovered - up)
                try await load.run(for: phase)
            }
        } catch {
            load.stop()
            _ = await load.waitForWriters(timeout: .seconds(10))
            _ = await finishes(within: .seconds(5)) { try await server.stop() }
            throw error
        }
        load.stop()
        // Every call is answered within the request deadline (5 s), whatever PostgreSQL did;
        // a call that never is keeps the server from stopping too. Neither may hang the test.
        let unanswered = await load.waitForWriters(timeout: .seconds(10))
        let stopped = await finishes(within: .seconds(5)) { try await server.stop() }

        let result = load.snapshot
        let stored = try await WriteLoad.storedCompanies(in: database, prefix: load.prefix)
        let lost = result.acknowledged.filter { stored[$0.key] != $0.value }
        let whileDown = result.failures.filter { f in downWindows.contains { f.started >= $0.0 && f.started < $0.1 } }
        let unavailable = result.failures.filter { $0.code == RPCErrorCode.databaseUnavailable.rawValue }
        let otherCodes = Dictionary(grouping: result.failures.filter { $0.code != RPCErrorCode.databaseUnavailable.rawValue }) { $0.code.map(String.init) ?? "connection" }
            .mapValues(\.count)
        let slowest = result.longestCall(startedIn: downWindows)
        let failedButStored = unavailable.filter { f in stored.values.contains(f.name) }.count
        print(
            """
            failure-test: postgres restart: rounds=\(rounds) sent=\(result.sent) acknowledged=\(result.acknowledged.count) \
            present=\(result.acknowledged.count - lost.count) lost=\(lost.count) stored=\(stored.count) \
            unavailable=\(unavailable.count) (while down \(whileDown.count)) other=\(otherCodes) \
            longest-call-while-down=\(String(format: "%.2f", slowest.seconds))s \
            recovery=\(recoveries.map { String(format: "%.2f", $0.seconds) + "s" }) unavailable-but-stored=\(failedButStored) \
            unanswered=\(unanswered.map { String(format: "%.0f", $0.seconds) + "s" }) server-stopped=\(stopped)
            """)

        #expect(result.acknowledged.count > 0, "no write was acknowledged; failures: \(load.failureCodes)")
        #expect(lost.isEmpty, "acknowledged writes missing after the restart: \(lost.prefix(5))")
        // Calls sent while PostgreSQL is down are refused at once (the monitor saw it go).
        #expect(!whileDown.isEmpty, "no write failed while PostgreSQL was down (the longest call started then took \(slowest))")
        #expect(whileDown.allSatisfy { $0.code == RPCErrorCode.databaseUnavailable.rawValue }, "unexpected errors while down: \(otherCodes)")
        // Answered as refused, not served late: a call that waited for PostgreSQL would have
        // succeeded after its return. Nor did any wait for its deadline (5 s; not tighter, as a
        // loaded machine delays even a refusal).
        #expect(slowest < .seconds(5), "a call sent while PostgreSQL was down took \(slowest) to answer")
        // Transactions cut off by the shutdown answer database_unavailable. One whose query was
        // written as its connection closed is never answered by postgres-nio: the server gives
        // it up at its deadline with deadline_exceeded (the write was not sent, so nothing
        // committed; the client cannot know that, and the code says "may or may not").
        let inFlightAtStop = result.failures.filter { f in
            f.code == RPCErrorCode.deadlineExceeded.rawValue && downWindows.contains { f.started < $0.0 && f.started + f.latency > $0.0 }
        }
        let unexplained = otherCodes.filter { $0.key != String(RPCErrorCode.deadlineExceeded.rawValue) || $0.value != inFlightAtStop.count }
        #expect(unexplained.isEmpty, "failures other than database_unavailable, or deadline_exceeded for calls in flight at the stop: \(otherCodes)")
        #expect(inFlightAtStop.count <= 4, "more calls given up at their deadline than writers: \(inFlightAtStop.count)")
        // Every call is answered by its deadline, and the server stops.
        #expect(unanswered.isEmpty, "calls unanswered after waiting \(unanswered)")
        #expect(stopped, "the server did not stop within 5 s")
    }
}
