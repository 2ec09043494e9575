import CaseloadProtocol
import CaseloadServer
import CaseloadStorage
import Foundation
import PostgresNIO
import Testing

@Suite("Walls that hold under pressure")
struct HardeningTests {
    @Test("a token revoked while its connection is open stops working there too")
    func revokedWhileConnected() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            _ = try await client.call("company.list")
            try await server.database.admin { connection in
                try await connection.query("UPDATE tokens SET revoked_at = now() WHERE user_id = \(agency.userID)", logger: TestDatabase.logger)
            }
            try await Task.sleep(for: .milliseconds(5_500))  // past the session's re-check interval
            await expectRPCError(.unauthenticated) { _ = try await client.call("company.list") }
            await expectRPCError(.unauthenticated) { _ = try await client.call("auth.whoami") }
        }
    }

    @Test("a login inside a batch takes effect for the requests after it")
    func loginInBatch() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient { client async throws in
            let replies = try await client.batch([("auth.login", ["token": .string(agency.token)]), ("company.list", nil)])
            #expect(replies.count == 2)
            #expect(replies[0].error == nil)
            #expect(replies[1].result?["companies"] == [])
        }
    }

    @Test("a request stuck behind a lock ends at the request deadline, not when the lock goes")
    func lockWaitEndsAtDeadline() async throws {
        let shared = try await TestServer.shared()
        let server = try await TestServer.start(database: shared.database) { $0.limits.requestDeadlineSeconds = 2 }
        let agency = try await server.database.createAgency()
        let company = try await server.withClient(token: agency.token) { client in
            try await client.call("company.create", ["name": "锁", "org_code": "77604965-3"])
        }
        let id = UUID(uuidString: company["id"]!.stringValue!)!
        let holder = Task {
            try await server.database.admin { connection in
                try await connection.query("BEGIN", logger: TestDatabase.logger)
                try await connection.query("SELECT 1 FROM companies WHERE company_id = \(id) FOR UPDATE", logger: TestDatabase.logger)
                try await Task.sleep(for: .seconds(15))
                try await connection.query("ROLLBACK", logger: TestDatabase.logger)
            }
        }
        try await Task.sleep(for: .milliseconds(500))
        let started = ContinuousClock.now
        try await server.withClient(token: agency.token) { client async throws in
            await expectRPCError(.deadlineExceeded) { _ = try await client.call("company.update", ["id": company["id"]!, "version": 1, "name": "新"]) }
        }
        #expect(ContinuousClock.now - started < .seconds(10))  // the lock is held for 15 s; the deadline is 2 s
        try await holder.value
        try await server.stop()
    }

    @Test("a role that is a member of the schema owner is refused, like the owner itself")
    func memberOfOwnerRefused() async throws {
        let db = try await TestDatabase.migrated()
        let owner = db.adminURL.user
        try await db.admin { connection in
            try await connection.query(
                PostgresQuery(unsafeSQL: "DO $$ BEGIN CREATE ROLE caseload_sneaky LOGIN IN ROLE \(owner); EXCEPTION WHEN duplicate_object THEN NULL; END $$"),
                logger: TestDatabase.logger)
        }
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.databaseURL = "\(db.adminURL.with(user: "caseload_sneaky"))"
        configuration.piiKey = testKeys.piiKey
        configuration.piiLookupKey = testKeys.lookupKey
        let app = try Application(configuration: configuration, logger: TestDatabase.logger)
        await #expect(throws: Database.UnsafeRole.self) { try await app.run() }
    }
}
