import CaseloadCore
import CaseloadProtocol
import CaseloadServer
import CaseloadStorage
import Foundation
import PostgresNIO
import Testing

/// The scheduled sweep over a backlog of passed dates: in batches, never waiting for a row a
/// writer holds.
@Suite("The scheduled deadline sweep", .serialized)
struct JobSweepTests {
    /// The backlog's dates (the applicant's own permit dates are not in it).
    static let title = "补交材料"

    /// An agency with `count` open due dates three days past, copied from one added through the
    /// server; their ids.
    private func backlog(_ server: TestServer, count: Int) async throws -> (agency: UUID, ids: [UUID]) {
        let agency = try await server.database.createAgency()
        let template = try await server.withClient(token: agency.token) { c in
            let f = try await Fixture.make(c, n: 803)
            let today = CalendarDate(shanghai: Date()).iso
            let added = try await c.call("deadline.add", ["applicant_id": f.applicantID, "title": .string(Self.title), "due_date": .string(today)])
            return try #require(added["id"]?.stringValue.flatMap(UUID.init(uuidString:)))
        }
        let ids = try await server.database.admin { connection in
            try await Database.actFor(agency: agency.agencyID, on: connection, logger: TestDatabase.logger)
            try await connection.query(
                """
                INSERT INTO deadlines (agency_id, deadline_id, case_id, applicant_id, company_id, title, due_date, explanation)
                SELECT agency_id, gen_random_uuid(), case_id, applicant_id, company_id, title, due_date - 3, explanation
                FROM deadlines CROSS JOIN generate_series(1, \(count - 1)) WHERE agency_id = \(agency.agencyID) AND deadline_id = \(template)
                """, logger: TestDatabase.logger)
            try await connection.query("UPDATE deadlines SET due_date = due_date - 3 WHERE deadline_id = \(template)", logger: TestDatabase.logger)
            return try await connection.query(
                "SELECT deadline_id FROM deadlines WHERE agency_id = \(agency.agencyID) AND title = \(Self.title)", logger: TestDatabase.logger
            ).collect().map { try $0.decode(UUID.self) }
        }
        return (agency.agencyID, ids)
    }

    private func states(_ server: TestServer, _ agency: UUID) async throws -> (missed: Int, open: Int, history: Int) {
        try await server.database.admin { connection in
            let row = try #require(
                try await connection.query(
                    """
                    SELECT count(*) FILTER (WHERE state = 'missed')::int, count(*) FILTER (WHERE state = 'open')::int,
                           (SELECT count(*)::int FROM deadline_history WHERE agency_id = \(agency) AND action = 'missed')
                    FROM deadlines WHERE agency_id = \(agency) AND title = \(Self.title)
                    """, logger: TestDatabase.logger
                ).collect().first)
            let (missed, open, history) = try row.decode((Int, Int, Int).self)
            return (missed, open, history)
        }
    }

    private func withJobs(_ server: TestServer, _ body: (JobRunner) async throws -> Void) async throws {
        let db = Database(url: server.database.serverURL, logger: TestDatabase.logger, maximumConnections: 4)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await db.run() }
            defer { group.cancelAll() }
            try await body(JobRunner(database: db, interval: .seconds(3600), logger: TestDatabase.logger))
        }
    }

    @Test("a backlog larger than a batch is swept whole in one round: every date missed once, with one history row each")
    func backlogInBatches() async throws {
        let server = try await TestServer.shared()
        let (agency, ids) = try await backlog(server, count: JobRunner.sweepBatch * 2 + 7)
        #expect(ids.count == JobRunner.sweepBatch * 2 + 7)
        try await withJobs(server) { jobs in
            _ = try await jobs.runOnce()
            let after = try await states(server, agency)
            #expect(after.missed == ids.count)
            #expect(after.open == 0)
            #expect(after.history == ids.count)
            // A second round finds nothing left to move.
            _ = try await jobs.runOnce()
            #expect(try await states(server, agency).history == ids.count)
        }
    }

    @Test("a date a writer holds locked is skipped, not waited for, and swept in the next round")
    func skipsLockedRows() async throws {
        let server = try await TestServer.shared()
        let (agency, ids) = try await backlog(server, count: 20)
        let held = ids[0]
        let locked = AsyncStream<Void>.makeStream()
        let release = AsyncStream<Void>.makeStream()
        try await withJobs(server) { jobs in
            try await withThrowingTaskGroup { group in
                // A writer's transaction holding one of the dates, as case.advance does while it
                // settles a case's dates.
                group.addTask {
                    try await server.database.admin { connection in
                        try await connection.withTransaction(logger: TestDatabase.logger) { tx in
                            _ = try await tx.query("SELECT 1 FROM deadlines WHERE agency_id = \(agency) AND deadline_id = \(held) FOR UPDATE", logger: TestDatabase.logger).collect()
                            locked.continuation.yield()
                            for await _ in release.stream { break }
                        }
                    }
                }
                for await _ in locked.stream { break }
                let started = ContinuousClock.now
                _ = try await jobs.runOnce()
                #expect(ContinuousClock.now - started < .seconds(10))
                let during = try await states(server, agency)
                #expect(during.missed == ids.count - 1)
                #expect(during.open == 1)
                release.continuation.yield()
                try await group.waitForAll()
            }
            _ = try await jobs.runOnce()
            let after = try await states(server, agency)
            #expect(after.missed == ids.count)
            #expect(after.history == ids.count)
        }
    }
}
