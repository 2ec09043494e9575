import CaseloadClient
import CaseloadProtocol
import CaseloadStorage
import Foundation
import PostgresNIO
import Synchronization
import Testing

/// Transactions PostgreSQL rolls back for contention alone are run again, not answered
/// internal_error (the semantic fuzzer's finding: concurrent calendar changes deadlocked).
@Suite("Contention: deadlock victims run again")
struct ContentionTests {
    @Test("a transaction chosen as a deadlock's victim runs again and commits; the other side commits too")
    func deadlockVictimRunsAgain() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        let (first, second) = try await server.withClient(token: agency.token) { client in
            (try await client.call("company.create", ["name": "甲公司", "org_code": .string(orgCode(7101))])["id"] ?? .null,
             try await client.call("company.create", ["name": "乙公司", "org_code": .string(orgCode(7102))])["id"] ?? .null)
        }
        let a = try #require(first.stringValue.flatMap(UUID.init(uuidString:)))
        let b = try #require(second.stringValue.flatMap(UUID.init(uuidString:)))
        let (bodyLocked, bodyLockedSignal) = AsyncStream.makeStream(of: Void.self)
        let (otherLocked, otherLockedSignal) = AsyncStream.makeStream(of: Void.self)
        let attempts = Mutex(0)
        let db = Database(url: server.database.serverURL, logger: TestDatabase.logger, maximumConnections: 2)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await db.run() }
            defer { group.cancelAll() }
            // The other side: locks b first, then wants a. Its deadlock check waits 10 s, so the
            // server's transaction (PostgreSQL's default 1 s) is the one found in the cycle. It
            // also begins first: Citus's distributed deadlock detector cancels the youngest
            // transaction of a cycle, so there too the server's is the victim.
            let other = Task {
                try await server.database.admin { connection in
                    _ = try await connection.query("BEGIN", logger: TestDatabase.logger)
                    // On Citus the setting must reach the worker that holds the rows (a placeholder elsewhere).
                    _ = try await connection.query("SET LOCAL citus.propagate_set_commands = 'local'", logger: TestDatabase.logger)
                    _ = try await connection.query("SET LOCAL deadlock_timeout = '10s'", logger: TestDatabase.logger)
                    _ = try await connection.query("UPDATE companies SET name = '乙公司 2' WHERE agency_id = \(agency.agencyID) AND company_id = \(b)", logger: TestDatabase.logger)
                    otherLockedSignal.yield()
                    for await _ in bodyLocked { break }
                    _ = try await connection.query("UPDATE companies SET name = '甲公司 2' WHERE agency_id = \(agency.agencyID) AND company_id = \(a)", logger: TestDatabase.logger)
                    _ = try await connection.query("COMMIT", logger: TestDatabase.logger)
                }
            }
            for await _ in otherLocked { break }
            let ran = try await db.withAgency(agency.agencyID, as: .user(agency.userID), method: "test.contention") { tx in
                let attempt = attempts.withLock { n in n += 1; return n }
                _ = try await tx.connection.query("UPDATE companies SET name = name || '!' WHERE agency_id = \(agency.agencyID) AND company_id = \(a)", logger: TestDatabase.logger)
                if attempt == 1 { bodyLockedSignal.yield() }
                _ = try await tx.connection.query("UPDATE companies SET name = name || '!' WHERE agency_id = \(agency.agencyID) AND company_id = \(b)", logger: TestDatabase.logger)
                return attempt
            }
            #expect(ran == 2, "the victim ran a second time")
            try await other.value
        }
        let names = try await server.withClient(token: agency.token) { client in
            [try await client.call("company.get", ["id": first])["name"], try await client.call("company.get", ["id": second])["name"]]
        }
        // The other side committed first (甲公司 2, 乙公司 2); the retry then added its marks once.
        #expect(names == ["甲公司 2!", "乙公司 2!"])
    }

    @Test("a transaction rolled back for contention on every attempt runs three times, then is timed out; other errors run once")
    func contentionEveryTime() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        let db = Database(url: server.database.serverURL, logger: TestDatabase.logger, maximumConnections: 2)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await db.run() }
            defer { group.cancelAll() }
            for (state, transient) in [("40P01", true), ("40001", true), ("23505", false)] {
                let attempts = Mutex(0)
                do {
                    try await db.withAgency(agency.agencyID, as: .user(agency.userID)) { tx in
                        attempts.withLock { $0 += 1 }
                        _ = try await tx.connection.query(
                            PostgresQuery(unsafeSQL: "DO $$ BEGIN RAISE EXCEPTION 'contention' USING ERRCODE = '\(state)'; END $$"),
                            logger: TestDatabase.logger)
                    }
                    Issue.record("\(state) was not thrown")
                } catch {
                    if transient {
                        #expect(error as? StorageError == .timedOut, "\(state)")
                    } else {
                        #expect(error as? StorageError == .duplicate(constraint: "unique"), "\(state)")
                    }
                }
                #expect(attempts.withLock { $0 } == (transient ? 3 : 1), "\(state)")
            }
        }
    }
}
