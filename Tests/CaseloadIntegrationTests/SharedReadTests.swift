@testable import CaseloadStorage
import CaseloadProtocol
import Foundation
import PostgresNIO
import Synchronization
import Testing

/// How a seat reads in an expectation.
private func describe<K, C>(_ seat: SharedReads<K, C>.Seat) -> String {
    switch seat {
    case .lead: "lead"
    case .join(_, let connection): "join \(connection)"
    case .alone: "alone"
    }
}

private func group<K, C>(_ seat: SharedReads<K, C>.Seat) -> UInt64? {
    switch seat {
    case .lead(let g), .join(let g, _): g
    case .alone: nil
    }
}

/// A counter the test's tasks share.
private final class Counter: Sendable {
    private let value = Atomic(0)
    var count: Int { value.load(ordering: .relaxed) }
    func add() { value.add(1, ordering: .relaxed) }
}

/// Waits (briefly) until `condition` holds; false if it never did.
private func eventually(_ condition: () -> Bool) async throws -> Bool {
    for _ in 0..<500 {
        if condition() { return true }
        try await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}

@Suite("The state machine of shared read transactions")
struct SharedReadsMachineTests {
    @Test("the first call leads; same-key calls wait for it to open and join; other keys and overflow run alone")
    func leadWaitJoin() async throws {
        let reads = SharedReads<String, Int>(maximumJoins: 2)
        let lead = await reads.take("agency A")
        #expect(describe(lead) == "lead")
        let g = try #require(group(lead))
        #expect(describe(await reads.take("agency B")) == "alone")

        async let first = reads.take("agency A")
        async let second = reads.take("agency A")
        #expect(try await eventually { reads.waiting == 2 })
        // The group is full (two joins): a third runs alone rather than wait.
        #expect(describe(await reads.take("agency A")) == "alone")
        reads.opened(g, on: 7)
        #expect(describe(await first) == "join 7")
        #expect(describe(await second) == "join 7")
        // A full group no longer holds the slot: the next call leads a group of its own.
        let next = await reads.take("agency A")
        #expect(describe(next) == "lead")
        #expect(group(next) != g)
        reads.failed(try #require(group(next)))

        // The leader's finish waits for both joined calls to leave.
        let finished = Counter()
        async let finishing: Void = { await reads.finish(g); finished.add() }()
        reads.leave(g)
        for _ in 0..<20 { await Task.yield() }
        try await Task.sleep(for: .milliseconds(50))
        #expect(finished.count == 0)
        reads.leave(g)
        await finishing
        #expect(finished.count == 1)
        #expect(reads.isQuiet)
    }

    @Test("a leader that cannot open sends its waiting calls off alone")
    func failedOpening() async throws {
        let reads = SharedReads<String, Int>()
        let g = try #require(group(await reads.take("k")))
        async let waiter = reads.take("k")
        #expect(try await eventually { reads.waiting == 1 })
        reads.failed(g)
        #expect(describe(await waiter) == "alone")
        // Once failed, `opened` for it is ignored and nothing stays behind.
        reads.opened(g, on: 1)
        #expect(reads.isQuiet)
        #expect(describe(await reads.take("k")) == "lead")
    }

    @Test("while open, calls join at once; the group stays open until the leader is done and the last call leaves")
    func joinWhileOpen() async throws {
        let reads = SharedReads<String, Int>(maximumJoins: 4)
        let g = try #require(group(await reads.take("k")))
        reads.opened(g, on: 5)
        #expect(describe(await reads.take("k")) == "join 5")
        reads.leave(g)
        // The leader is still working: the group is still open to new calls.
        #expect(describe(await reads.take("k")) == "join 5")
        async let finishing: Void = reads.finish(g)
        // Finishing while a call works keeps the group open to more calls, up to the limit.
        #expect(describe(await reads.take("k")) == "join 5")
        #expect(describe(await reads.take("k")) == "join 5")
        // Full (four joins): the next call leads a new group.
        let next = await reads.take("k")
        #expect(describe(next) == "lead")
        reads.failed(try #require(group(next)))
        reads.leave(g)
        reads.leave(g)
        reads.leave(g)
        await finishing
        #expect(reads.isQuiet)
    }
}

@Suite("Read-only calls share a transaction", .serialized)
struct SharedReadTests {
    /// A database handle of the test's own, running for `body`.
    private func withDatabase(_ server: TestServer, _ body: (Database) async throws -> Void) async throws {
        let db = Database(url: server.database.serverURL, logger: TestDatabase.logger, maximumConnections: 4)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await db.run() }
            defer { group.cancelAll() }
            try await body(db)
        }
    }

    @Test("a read-only transaction refuses any write, and the same write passes in an ordinary one")
    func refusesWrites() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await withDatabase(server) { db in
            let update: PostgresQuery = "UPDATE companies SET version = version WHERE agency_id = \(agency.agencyID)"
            let context = Database.ReadContext(agency: agency.agencyID, actor: .user(agency.userID), timeoutSeconds: nil)
            do {
                try await db.withSharedRead(Database.ReadSharing(), context) { connection in
                    _ = try await connection.query(update, logger: TestDatabase.logger)
                }
                Issue.record("a read-only transaction wrote")
            } catch {
                #expect(StorageError.sqlState(of: error) == "25006")
            }
            try await db.withAgency(agency.agencyID, as: .user(agency.userID)) { connection in
                _ = try await connection.query(update, logger: TestDatabase.logger)
            }
        }
    }

    @Test("a call whose shared transaction another call's failed statement aborted runs again, alone, and succeeds")
    func abortedGroupRunsAgain() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await withDatabase(server) { db in
            let reads = Database.ReadSharing()
            let context = Database.ReadContext(agency: agency.agencyID, actor: .user(agency.userID), timeoutSeconds: nil)
            let leaderWorking = Counter()
            let leaderFailed = Counter()
            let joinerRuns = Counter()
            let joinedBefore = db.readsJoined
            try await withThrowingTaskGroup(of: Int?.self) { group in
                group.addTask {
                    do {
                        try await db.withSharedRead(reads, context) { connection in
                            leaderWorking.add()
                            // Fail only once the other call has joined this transaction.
                            #expect(try await eventually { db.readsJoined > joinedBefore })
                            defer { leaderFailed.add() }
                            _ = try await connection.query("SELECT 1 / 0", logger: TestDatabase.logger)
                        }
                        Issue.record("1 / 0 did not fail")
                    } catch {
                        #expect(StorageError.sqlState(of: error) == "22012")
                    }
                    return nil
                }
                #expect(try await eventually { leaderWorking.count > 0 })
                group.addTask {
                    try await db.withSharedRead(reads, context) { connection in
                        joinerRuns.add()
                        #expect(try await eventually { leaderFailed.count > 0 })
                        let rows = try await connection.query("SELECT 42", logger: TestDatabase.logger)
                        for try await n in rows.decode(Int.self) { return n }
                        return -1
                    }
                }
                var answers: [Int] = []
                for try await answer in group { if let answer { answers.append(answer) } }
                #expect(answers == [42])
            }
            // Once in the aborted transaction (refused), once alone.
            #expect(joinerRuns.count == 2)
            #expect(reads.isQuiet)
        }
    }

    @Test("pipelined reads on one connection share transactions and answer exactly as one at a time")
    func pipelinedReads() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        var cases: [(id: JSONValue, applicant: JSONValue, company: JSONValue)] = []
        var expected: [Int: JSONValue] = [:]
        var lines = ""
        try await server.withClient(token: agency.token) { client async throws in
            for n in 0..<4 {
                let f = try await Fixture.make(client, n: 640 + n)
                let c = try await client.call("case.open", ["applicant_id": f.applicantID, "kind": "points_new"])
                cases.append((c["id"]!, f.applicantID, f.companyID))
            }
        }
        // 24 reads: case.get of each case, the list of each case's company, and one unknown case.
        try await server.withClient(token: agency.token) { client async throws in
            for id in 1...24 {
                let c = cases[id % cases.count]
                let (method, params): (String, JSONValue) =
                    switch id % 3 {
                    case 0: ("case.list", ["company_id": c.company])
                    case 1: ("case.get", ["id": c.id])
                    default: id == 23 ? ("case.get", ["id": .string(UUID().uuidString)]) : ("applicant.get", ["id": c.applicant])
                    }
                expected[id] = id == 23 ? nil : try await client.call(method, params)
                lines += String(decoding: try JSONEncoder().encode(RPCRequest(id: .number(Int64(id)), method: method, params: params)), as: UTF8.self) + "\n"
            }
        }
        let joinedBefore = server.app.database.readsJoined
        try await server.withLines { replies, out async throws in
            try await out.send(#"{"jsonrpc":"2.0","id":0,"method":"auth.login","params":{"token":"\#(agency.token)"}}"# + "\n")
            #expect(try await replies.nextJSON()?["result"] != nil)
            try await out.send(lines)
            for _ in 1...24 {
                let reply = try #require(try await replies.nextJSON())
                let id = try #require(reply["id"]?.intValue)
                if id == 23 {
                    #expect(reply["error"]?["code"] == .int(Int64(RPCErrorCode.notFound.rawValue)))
                } else {
                    #expect(reply["result"] == expected[Int(id)], "reply \(id)")
                }
            }
        }
        #expect(server.app.database.readsJoined > joinedBefore)
        #expect(server.app.metrics.render().contains("caseload_db_reads_shared_total"))
    }
}
