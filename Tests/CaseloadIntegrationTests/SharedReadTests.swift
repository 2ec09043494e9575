@testable import CaseloadStorage
import CaseloadProtocol
import Foundation
import PostgresNIO
import Synchronization
import Testing

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
                try await db.withSharedRead(Database.ReadSharing(), context) { tx in
                    _ = try await tx.connection.query(update, logger: TestDatabase.logger)
                }
                Issue.record("a read-only transaction wrote")
            } catch {
                #expect(StorageError.sqlState(of: error) == "25006")
            }
            try await db.withAgency(agency.agencyID, as: .user(agency.userID)) { tx in
                _ = try await tx.connection.query(update, logger: TestDatabase.logger)
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
            let firstWorking = Counter()
            let firstFailed = Counter()
            let secondRuns = Counter()
            let sharedBefore = db.sharedReadCounts.calls
            try await withThrowingTaskGroup(of: Int?.self) { group in
                group.addTask {
                    do {
                        try await db.withSharedRead(reads, context) { tx in
                            firstWorking.add()
                            // Fail only once the other call has joined this transaction.
                            #expect(try await eventually { db.sharedReadCounts.calls >= sharedBefore + 2 })
                            defer { firstFailed.add() }
                            _ = try await tx.connection.query("SELECT 1 / 0", logger: TestDatabase.logger)
                        }
                        Issue.record("1 / 0 did not fail")
                    } catch {
                        #expect(StorageError.sqlState(of: error) == "22012")
                    }
                    return nil
                }
                #expect(try await eventually { firstWorking.count > 0 })
                group.addTask {
                    try await db.withSharedRead(reads, context) { tx in
                        secondRuns.add()
                        #expect(try await eventually { firstFailed.count > 0 })
                        let rows = try await tx.connection.query("SELECT 42", logger: TestDatabase.logger)
                        for try await n in rows.decode(Int.self) { return n }
                        return -1
                    }
                }
                var answers: [Int] = []
                for try await answer in group { if let answer { answers.append(answer) } }
                #expect(answers == [42])
            }
            // Once in the aborted transaction (refused), once alone.
            #expect(secondRuns.count == 2)
            #expect(reads.isQuiet)
        }
    }

    @Test("two callers acting for the same user share the server-wide transaction; another actor's read runs in its own beside it")
    func sharedAcrossCallers() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await withDatabase(server) { db in
            let context = Database.ReadContext(agency: agency.agencyID, actor: .user(agency.userID), timeoutSeconds: nil)
            let other = Database.ReadContext(agency: agency.agencyID, actor: .system, timeoutSeconds: nil)
            @Sendable func backend(_ tx: AgencyTransaction) async throws -> Int {
                for try await pid in try await tx.connection.query("SELECT pg_backend_pid()", logger: TestDatabase.logger).decode(Int.self) { return pid }
                return -1
            }
            let before = db.sharedReadCounts.calls
            let firstIn = Counter()
            let (release, releaser) = AsyncStream<Void>.makeStream()
            let otherPID = Mutex(-1)
            let pids = try await withThrowingTaskGroup(of: Int.self) { group in
                group.addTask {
                    try await db.withSharedRead(context, lane: 0) { tx in
                        firstIn.add()
                        // Held open until the test has seen the second caller join and the other actor's read run.
                        for await _ in release { break }
                        return try await backend(tx)
                    }
                }
                #expect(try await eventually { firstIn.count > 0 })
                group.addTask { try await db.withSharedRead(context, lane: 0) { tx in try await backend(tx) } }
                #expect(try await eventually { db.sharedReadCounts.calls >= before + 2 })
                // Another actor's read does not wait for the held group: it runs in a transaction of its own.
                let pid = try await db.withSharedRead(other, lane: 0) { tx in try await backend(tx) }
                otherPID.withLock { $0 = pid }
                releaser.yield()
                return try await group.reduce(into: []) { $0.append($1) }
            }
            // Both callers' statements ran in the one backend of the shared transaction.
            #expect(pids.count == 2 && Set(pids).count == 1)
            #expect(!pids.contains(otherPID.withLock { $0 }))
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
        let before = server.app.database.sharedReadCounts
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
        // Fewer transactions than calls: some calls shared one.
        let after = try #require(try await eventually { server.app.database.sharedReadCounts.transactions >= before.transactions + 1 }
            ? server.app.database.sharedReadCounts : nil)
        #expect(after.calls - before.calls >= 24)
        #expect(after.transactions - before.transactions < after.calls - before.calls)
        // The metrics port shows it (other tests share this server, so at least as many).
        let line = server.app.metrics.render().split(separator: "\n").first { $0.hasPrefix("caseload_db_shared_reads_total ") }
        #expect(try #require(line.flatMap { $0.split(separator: " ").last }.flatMap { Int($0) }) >= after.calls)
    }
}
