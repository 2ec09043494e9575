import CaseloadProtocol
import CaseloadStorage
import Foundation
import PostgresNIO
import Testing

/// The second wall on a Citus cluster (`make test-citus`): the rows live on the workers, and
/// row-level security must refuse there what the server's own filters would have kept out.
/// Skipped on a single PostgreSQL (no `CASELOAD_TEST_SHARED_DATABASE_URL`).
@Suite(
    "Citus: row-level security holds on the workers",
    .enabled(if: ProcessInfo.processInfo.environment["CASELOAD_TEST_SHARED_DATABASE_URL"] != nil, "not a make test-citus run"))
struct CitusTests {
    static let logger = TestDatabase.logger

    /// Runs `body` on one connection as the server's login role, inside a transaction whose
    /// context is set exactly as the server sets it on Citus (`caseload_citus_context`).
    static func asServer<T: Sendable>(
        _ db: TestDatabase, agency: UUID, user: UUID?, _ body: @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await TestDatabase.detailed {
            try await withAdminConnection(url: db.serverURL, logger: logger) { connection in
                try await connection.query("BEGIN", logger: logger)
                try await connection.query(
                    "SELECT caseload_citus_context(\(agency.uuidString), \(user?.uuidString ?? ""), \(user == nil ? "on" : ""), 'test', '10000ms', 'off')",
                    logger: logger)
                do {
                    let result = try await body(connection)
                    try await connection.query("ROLLBACK", logger: logger)
                    return result
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                    throw error
                }
            }
        }
    }

    static func count(_ sql: PostgresQuery, on connection: PostgresConnection) async throws -> Int {
        try await connection.query(sql, logger: logger).collect().first!.decode(Int.self)
    }

    @Test("the schema is distributed: every table with an agency_id, co-located, its shards on the workers")
    func distributed() async throws {
        let db = try #require(try TestDatabase.sharedDatabase)
        let (tables, groups, onCoordinator) = try await db.admin { connection in
            let row = try await connection.query(
                """
                SELECT count(*)::int, count(DISTINCT colocationid)::int,
                       (SELECT count(*)::int FROM citus_shards s WHERE s.citus_table_type = 'distributed' AND s.nodeport = (
                            SELECT nodeport FROM pg_dist_node WHERE groupid = 0))
                FROM pg_dist_partition WHERE partmethod = 'h'
                """, logger: Self.logger
            ).collect().first!
            return try row.decode((Int, Int, Int).self)
        }
        #expect(tables >= 28)
        #expect(groups == 1)
        #expect(onCoordinator == 0)
        // No policy left that Citus would copy to the shards without its meaning.
        let restrictive = try await db.admin { connection in
            try await Self.count("SELECT count(*)::int FROM pg_policies WHERE schemaname = 'public' AND permissive = 'RESTRICTIVE'", on: connection)
        }
        #expect(restrictive == 0)
    }

    @Test("SQL without an agency filter, or with another agency's id, sees and changes nothing of that agency")
    func otherAgencyRefused() async throws {
        let db = try #require(try TestDatabase.sharedDatabase)
        let a = try await db.createAgency()
        let b = try await db.createAgency()
        let aCompany = UUID()
        try await db.admin { connection in
            try await connection.query(
                "INSERT INTO companies (agency_id, company_id, name, org_code) VALUES (\(a.agencyID), \(aCompany), 'A secret', '77604965-3')",
                logger: Self.logger)
        }
        // The rows are on a worker: the refusals below are the worker's.
        let node = try await db.admin { connection in
            try await Self.count(
                """
                SELECT nodeport FROM citus_shards
                WHERE table_name = 'companies'::regclass AND shardid = get_shard_id_for_distribution_column('companies', \(a.agencyID))
                """, on: connection)
        }
        #expect(node != db.adminURL.port)

        try await Self.asServer(db, agency: b.agencyID, user: b.userID) { connection async throws -> Void in
            #expect(try await Self.count("SELECT count(*)::int FROM companies WHERE company_id = \(aCompany)", on: connection) == 0)
            #expect(try await Self.count("SELECT count(*)::int FROM companies WHERE agency_id = \(a.agencyID)", on: connection) == 0)
            #expect(try await Self.count("SELECT count(*)::int FROM users WHERE agency_id = \(a.agencyID)", on: connection) == 0)
            #expect(try await Self.count("SELECT count(*)::int FROM tokens WHERE agency_id = \(a.agencyID)", on: connection) == 0)
            let updated = try await connection.query(
                "UPDATE companies SET name = 'pwned' WHERE agency_id = \(a.agencyID) RETURNING company_id", logger: Self.logger
            ).collect().count
            #expect(updated == 0)
        }
        // Writing into the other agency is refused by the policy's check, on the worker.
        await #expect(throws: (any Error).self) {
            try await Self.asServer(db, agency: b.agencyID, user: b.userID) { connection async throws -> Void in
                try await connection.query(
                    "INSERT INTO companies (agency_id, name, org_code) VALUES (\(a.agencyID), 'planted', '77604965-3')", logger: Self.logger)
            }
        }
        // No context at all (set_config, as the single-node server does, does not reach the
        // workers; nothing set at all is the same): nothing.
        let bare = try await TestDatabase.detailed {
            try await withAdminConnection(url: db.serverURL, logger: Self.logger) { connection in
                try await Self.count("SELECT count(*)::int FROM companies WHERE agency_id = \(a.agencyID)", on: connection)
                    + Self.count("SELECT count(*)::int FROM users", on: connection)
            }
        }
        #expect(bare == 0)
        // A's own transaction does see it: the wall is not simply closed.
        try await Self.asServer(db, agency: a.agencyID, user: a.userID) { connection async throws -> Void in
            #expect(try await Self.count("SELECT count(*)::int FROM companies", on: connection) == 1)
        }
    }

    @Test("a consultant's transaction sees only assigned companies and their children, on the workers")
    func consultantScope() async throws {
        let db = try #require(try TestDatabase.sharedDatabase)
        let a = try await db.createAgency()
        let consultant = try await db.admin { connection in
            try await AdminStore.createUser(agency: a.agencyID, name: "顾问", role: .consultant, on: connection, logger: Self.logger)
        }
        let (mine, other) = (UUID(), UUID())
        try await db.admin { connection in
            for (company, name, code) in [(mine, "mine", "77604965-3"), (other, "other", "12345678-X")] {
                try await connection.query(
                    "INSERT INTO companies (agency_id, company_id, name, org_code) VALUES (\(a.agencyID), \(company), \(name), \(code))",
                    logger: Self.logger)
            }
            try await connection.query(
                "INSERT INTO company_consultants (agency_id, company_id, user_id) VALUES (\(a.agencyID), \(mine), \(consultant.userID))",
                logger: Self.logger)
        }
        try await Self.asServer(db, agency: a.agencyID, user: consultant.userID) { connection async throws -> Void in
            #expect(try await Self.count("SELECT count(*)::int FROM companies", on: connection) == 1)
            #expect(try await Self.count("SELECT count(*)::int FROM companies WHERE company_id = \(other)", on: connection) == 0)
            // The audit is for owners and managers.
            #expect(try await Self.count("SELECT count(*)::int FROM audit_log", on: connection) == 0)
        }
        try await Self.asServer(db, agency: a.agencyID, user: a.userID) { connection async throws -> Void in
            #expect(try await Self.count("SELECT count(*)::int FROM companies", on: connection) == 2)
            #expect(try await Self.count("SELECT count(*)::int FROM audit_log", on: connection) > 0)
        }
    }
}

extension CitusTests {
    @Test("a child row takes its parent's company on the worker: refused outside a consultant's companies, and follows a move")
    func childScope() async throws {
        let db = try #require(try TestDatabase.sharedDatabase)
        let a = try await db.createAgency()
        let consultant = try await db.admin { connection in
            try await AdminStore.createUser(agency: a.agencyID, name: "顾问", role: .consultant, on: connection, logger: Self.logger)
        }
        let (mine, other, applicantMine, applicantOther) = (UUID(), UUID(), UUID(), UUID())
        try await db.admin { connection in
            for (company, name, code) in [(mine, "mine", "77604965-3"), (other, "other", "12345678-X")] {
                try await connection.query(
                    "INSERT INTO companies (agency_id, company_id, name, org_code) VALUES (\(a.agencyID), \(company), \(name), \(code))",
                    logger: Self.logger)
            }
            try await connection.query(
                "INSERT INTO company_consultants (agency_id, company_id, user_id) VALUES (\(a.agencyID), \(mine), \(consultant.userID))",
                logger: Self.logger)
            for (applicant, company, n) in [(applicantMine, mine, "1"), (applicantOther, other, "2")] {
                try await connection.query(
                    """
                    INSERT INTO applicants (agency_id, applicant_id, company_id, name, id_number_sealed, id_number_key, id_number_lookup,
                                            id_number_masked, birth_date, gender)
                    VALUES (\(a.agencyID), \(applicant), \(company), 'p', '\\x00'::bytea, 'k', sha256(\(n)::bytea), 'm', '1990-01-01', 'male')
                    """, logger: Self.logger)
            }
        }
        try await Self.asServer(db, agency: a.agencyID, user: consultant.userID) { connection async throws -> Void in
            try await connection.query("INSERT INTO archives (agency_id, applicant_id) VALUES (\(a.agencyID), \(applicantMine))", logger: Self.logger)
        }
        await #expect(throws: (any Error).self) {
            try await Self.asServer(db, agency: a.agencyID, user: consultant.userID) { connection async throws -> Void in
                try await connection.query("INSERT INTO archives (agency_id, applicant_id) VALUES (\(a.agencyID), \(applicantOther))", logger: Self.logger)
            }
        }
        // asServer rolls back: write for real as the owner, then look as the consultant.
        try await db.admin { connection in
            for applicant in [applicantMine, applicantOther] {
                try await connection.query("INSERT INTO archives (agency_id, applicant_id) VALUES (\(a.agencyID), \(applicant))", logger: Self.logger)
            }
        }
        try await Self.asServer(db, agency: a.agencyID, user: consultant.userID) { connection async throws -> Void in
            #expect(try await Self.count("SELECT count(*)::int FROM archives", on: connection) == 1)
        }
        try await db.admin { connection in
            try await connection.query(
                "UPDATE applicants SET company_id = \(mine) WHERE agency_id = \(a.agencyID) AND applicant_id = \(applicantOther)", logger: Self.logger)
        }
        try await Self.asServer(db, agency: a.agencyID, user: consultant.userID) { connection async throws -> Void in
            #expect(try await Self.count("SELECT count(*)::int FROM archives", on: connection) == 2)
        }
    }
}

/// schema/021 on a single PostgreSQL: nothing but functions, and the Citus step refused.
@Suite("Citus step on a single node", .disabled(if: TestDatabase.isShared, "a Citus run"))
struct CitusSingleNodeTests {
    @Test("migrate finds no citus extension; distributing is refused, naming it, and changes nothing")
    func refusedWithoutCitus() async throws {
        let db = try await TestDatabase.migrated()
        let migrator = Migrator(url: db.adminURL, logger: TestDatabase.logger)
        #expect(try await migrator.citusInstalled() == false)
        await #expect {
            _ = try await migrator.distributeOnCitus()
        } throws: { error in
            String(reflecting: error).contains("the citus extension is not installed")
        }
        let (distributed, restrictive, routes) = try await db.admin { connection in
            let row = try await connection.query(
                """
                SELECT caseload_distributed(),
                       (SELECT count(*)::int FROM pg_policies WHERE schemaname = 'public' AND permissive = 'RESTRICTIVE'),
                       to_regclass('token_routes') IS NOT NULL
                """, logger: TestDatabase.logger
            ).collect().first!
            return try row.decode((Bool, Int, Bool).self)
        }
        #expect(distributed == false)
        #expect(restrictive > 0)
        #expect(routes == false)
        // A token made here still logs in (its route call is a no-op on a single node).
        let agency = try await db.createAgency()
        let server = try await TestServer.start(database: db)
        try await server.withClient(token: agency.token) { client async throws in
            _ = try await client.call("company.list")
        }
        try await server.stop()
    }
}
