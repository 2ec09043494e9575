import CaseloadProtocol
import CaseloadServer
import CaseloadStorage
import Foundation
import PostgresNIO
import Testing

@Suite("Agencies are sealed off from each other")
struct TenantIsolationTests {
    @Test("agency B can neither get, list nor update agency A's company")
    func throughTheServer() async throws {
        let server = try await TestServer.shared()
        let a = try await server.database.createAgency()
        let b = try await server.database.createAgency()
        let id = try await server.withClient(token: a.token) { client async throws in
            try await client.call("company.create", ["name": "A's client", "credit_code": "91350200776049653A"])["id"]!
        }
        try await server.withClient(token: b.token) { client async throws in
            await expectRPCError(.notFound) { _ = try await client.call("company.get", ["id": id]) }
            await expectRPCError(.notFound) { _ = try await client.call("company.update", ["id": id, "version": 1, "name": "stolen"]) }
            #expect(try await client.call("company.list")["companies"] == [])
            #expect(try await client.call("company.list", ["query": "A's"])["companies"] == [])
            // B may use the same credit code: uniqueness is per agency.
            _ = try await client.call("company.create", ["name": "B's client", "credit_code": "91350200776049653A"])
        }
        try await server.withClient(token: a.token) { client async throws in
            #expect(try await client.call("company.get", ["id": id])["name"] == "A's client")
        }
    }

    /// The second wall: even SQL without any agency filter, run as the server's own role,
    /// sees and touches only the agency set for the transaction.
    @Test("row-level security holds with the server's own filter bypassed")
    func rowLevelSecurity() async throws {
        let server = try await TestServer.shared()
        let a = try await server.database.createAgency()
        let b = try await server.database.createAgency()
        let aCompany = try await server.withClient(token: a.token) { client async throws in
            try await client.call("company.create", ["name": "Secret", "org_code": "77604965-3"])["id"]!.stringValue!
        }
        let aID = UUID(uuidString: aCompany)!
        let db = Database(url: server.database.serverURL, logger: TestDatabase.logger, maximumConnections: 2)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await db.run() }
            defer { group.cancelAll() }

            let (visible, updated) = try await db.withAgency(b.agencyID, as: .system) { tx in
                let visible = try await tx.connection.query("SELECT count(*)::int FROM companies", logger: TestDatabase.logger)
                    .collect().first!.decode(Int.self)
                let updated = try await tx.connection.query(
                    "UPDATE companies SET name = 'pwned' WHERE company_id = \(aID) RETURNING company_id", logger: TestDatabase.logger).collect().count
                return (visible, updated)
            }
            #expect(visible == 0)
            #expect(updated == 0)

            // Writing a row into another agency is refused by the policy's WITH CHECK.
            await #expect(throws: StorageError.forbidden) {
                try await db.withAgency(b.agencyID, as: .system) { tx in
                    try await tx.connection.query(
                        "INSERT INTO companies (agency_id, name, org_code) VALUES (\(a.agencyID), 'planted', '77604965-3')",
                        logger: TestDatabase.logger)
                }
            }
            // No agency set at all: nothing is visible.
            let bare = try await db.withConnection { connection in
                try await connection.query("SELECT count(*)::int FROM companies", logger: TestDatabase.logger).collect().first!.decode(Int.self)
            }
            #expect(bare == 0)
            // The server role cannot read tokens across agencies either, nor delete anything.
            let tokens = try await db.withAgency(b.agencyID, as: .system) { tx in
                try await tx.connection.query("SELECT count(*)::int FROM tokens", logger: TestDatabase.logger).collect().first!.decode(Int.self)
            }
            #expect(tokens == 1)
            await #expect(throws: StorageError.forbidden) {
                try await db.withAgency(a.agencyID, as: .system) { tx in
                    try await tx.connection.query("DELETE FROM companies", logger: TestDatabase.logger)
                }
            }
        }
        try await server.withClient(token: a.token) { client async throws in
            #expect(try await client.call("company.get", ["id": .string(aCompany)])["name"] == "Secret")
        }
    }

    @Test("the server refuses to start on a role that could bypass row-level security")
    func refusesPrivilegedRole() async throws {
        let db = try await TestDatabase.migrated()
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.databaseURL = "\(db.adminURL)"
        configuration.piiKey = testKeys.piiKey
        configuration.piiLookupKey = testKeys.lookupKey
        let app = try Application(configuration: configuration, logger: TestDatabase.logger)
        await #expect(throws: Database.UnsafeRole.self) { try await app.run() }
    }
}
