import CaseloadProtocol
import CaseloadStorage
import Foundation
import PostgresNIO
import Testing

/// Roles inside one agency: who sees which companies and who changes what, enforced by the
/// server and again by row-level security. Each wall is also tested with the other removed.
@Suite("Roles and company scope")
struct AccessTests {
    /// An agency with two companies (each with an applicant and a case), a consultant and a
    /// viewer assigned to the first, a client of the first, and a manager.
    struct World {
        var agency: AdminStore.Created
        var mine: Fixture
        var others: Fixture
        var myCase: JSONValue
        var otherCase: JSONValue
        var consultant: AdminStore.Created
        var viewer: AdminStore.Created
        var client: String
        var clientID: UUID
        var manager: String

        static func make(on server: TestServer) async throws -> World {
            let agency = try await server.database.createAgency()
            let (consultant, viewer) = try await server.database.admin { connection in
                (
                    try await AdminStore.createUser(agency: agency.agencyID, name: "顾问", role: .consultant, on: connection, logger: TestDatabase.logger),
                    try await AdminStore.createUser(agency: agency.agencyID, name: "观察", role: .viewer, on: connection, logger: TestDatabase.logger)
                )
            }
            return try await server.withClient(token: agency.token) { owner in
                let mine = try await Fixture.make(owner, n: Int.random(in: 0..<500))
                let others = try await Fixture.make(owner, n: Int.random(in: 500..<1000))
                let myCase = try await owner.call("case.open", ["applicant_id": mine.applicantID, "kind": "points_new"])
                let otherCase = try await owner.call("case.open", ["applicant_id": others.applicantID, "kind": "points_new"])
                for user in [consultant.userID, viewer.userID] {
                    _ = try await owner.call("company.assign", ["company_id": mine.companyID, "user_id": .string(user.uuidString)])
                }
                let client = try await owner.call("user.create", ["name": "王芳 (HR)", "role": "client", "company_id": mine.companyID])
                let manager = try await owner.call("user.create", ["name": "经理", "role": "manager"])
                return World(
                    agency: agency, mine: mine, others: others, myCase: myCase, otherCase: otherCase, consultant: consultant, viewer: viewer,
                    client: client["token"]!.stringValue!, clientID: UUID(uuidString: client["user"]!["id"]!.stringValue!)!,
                    manager: manager["token"]!.stringValue!)
            }
        }
    }

    static func ids(_ list: JSONValue?) -> Set<String> {
        Set((list?.arrayValue ?? []).compactMap { $0["id"]?.stringValue ?? $0["company_id"]?.stringValue })
    }

    @Test("a consultant sees and changes only assigned companies; asking for others' is refused")
    func consultantScope() async throws {
        let server = try await TestServer.shared()
        let w = try await World.make(on: server)
        try await server.withClient(token: w.consultant.token) { c async throws in
            #expect(try await c.call("case.get", ["id": w.myCase["id"]!])["id"] == w.myCase["id"])
            await expectRPCError(.notFound) { _ = try await c.call("case.get", ["id": w.otherCase["id"]!]) }
            await expectRPCError(.notFound) { _ = try await c.call("applicant.get", ["id": w.others.applicantID]) }
            await expectRPCError(.notFound) { _ = try await c.call("case.note", ["id": w.otherCase["id"]!, "text": "x"]) }
            #expect(Self.ids(try await c.call("case.list")["cases"]) == [w.myCase["id"]!.stringValue!])
            #expect(Self.ids(try await c.call("company.list")["companies"]) == [w.mine.companyID.stringValue!])
            #expect(Self.ids(try await c.call("applicant.list")["applicants"]) == [w.mine.applicantID.stringValue!])
            await expectRPCError(.forbidden) {
                _ = try await c.call("case.list", ["consultant_id": .string(w.agency.userID.uuidString)])
            }
            // Their own company's work goes on.
            _ = try await c.call("case.note", ["id": w.myCase["id"]!, "text": "已联系"])
            // Agency-wide work is not theirs.
            await expectRPCError(.forbidden) { _ = try await c.call("company.create", ["name": "新公司", "org_code": .string(orgCode(7))]) }
            await expectRPCError(.forbidden) { _ = try await c.call("report.agency") }
            await expectRPCError(.forbidden) { _ = try await c.call("audit.list") }
        }
    }

    @Test("a viewer reads assigned companies and changes nothing")
    func viewerScope() async throws {
        let server = try await TestServer.shared()
        let w = try await World.make(on: server)
        try await server.withClient(token: w.viewer.token) { c async throws in
            #expect(try await c.call("case.get", ["id": w.myCase["id"]!])["id"] == w.myCase["id"])
            await expectRPCError(.notFound) { _ = try await c.call("case.get", ["id": w.otherCase["id"]!]) }
            let error = await expectRPCError(.forbidden) { _ = try await c.call("case.note", ["id": w.myCase["id"]!, "text": "x"]) }
            #expect(error?.message.contains("viewer") == true)
            await expectRPCError(.forbidden) { _ = try await c.call("applicant.reveal", ["id": w.mine.applicantID]) }
        }
    }

    @Test("a client sees only their company's cases, dates and report, nothing else")
    func clientScope() async throws {
        let server = try await TestServer.shared()
        let w = try await World.make(on: server)
        try await server.withClient(token: w.client) { c async throws in
            let me = try await c.call("auth.whoami")
            #expect(me["role"] == "client")
            #expect(me["company_id"] == w.mine.companyID)
            #expect(Self.ids(try await c.call("case.list")["cases"]) == [w.myCase["id"]!.stringValue!])
            #expect(try await c.call("case.get", ["id": w.myCase["id"]!])["id"] == w.myCase["id"])
            await expectRPCError(.notFound) { _ = try await c.call("case.get", ["id": w.otherCase["id"]!]) }
            await expectRPCError(.forbidden) { _ = try await c.call("case.list", ["company_id": w.others.companyID]) }
            await expectRPCError(.forbidden) { _ = try await c.call("report.company", ["company_id": w.others.companyID, "format": "csv"]) }
            let report = try await c.call("report.company", ["company_id": w.mine.companyID, "format": "csv"])
            #expect(report["content"]?.stringValue?.isEmpty == false)
            // Their company's dates they may see (AgendaTests.hrUser); the rest of the agency's records not.
            #expect((try await c.call("deadline.list")["deadlines"]?.arrayValue ?? []).allSatisfy { $0["company_id"] == w.mine.companyID })
            for method in ["applicant.get", "document.list", "user.list", "location.list", "applicant.list"] {
                let params: JSONValue = method == "applicant.get" ? ["id": w.mine.applicantID] : [:]
                await expectRPCError(.forbidden) { _ = try await c.call(method, params) }
            }
        }
    }

    @Test("owners alone change users, calendar, settings and rules; managers work across companies")
    func ownerOnly() async throws {
        let server = try await TestServer.shared()
        let w = try await World.make(on: server)
        try await server.withClient(token: w.manager) { c async throws in
            #expect(Self.ids(try await c.call("case.list")["cases"]).count == 2)
            await expectRPCError(.forbidden) { _ = try await c.call("calendar.set", ["date": "2026-12-31", "kind": "holiday", "name": "x"]) }
            await expectRPCError(.forbidden) { _ = try await c.call("settings.set", ["auto_open_renewals": true]) }
            await expectRPCError(.forbidden) { _ = try await c.call("user.create", ["name": "x", "role": "owner"]) }
            _ = try await c.call("company.assign", ["company_id": w.others.companyID, "user_id": .string(w.consultant.userID.uuidString)])
        }
        // The assignment widens the consultant's view at once.
        try await server.withClient(token: w.consultant.token) { c async throws in
            #expect(Self.ids(try await c.call("case.list")["cases"]).count == 2)
        }
    }

    @Test("user.create refuses a client without a company and a company for a non-client, naming the field")
    func userCreateRules() async throws {
        let server = try await TestServer.shared()
        let w = try await World.make(on: server)
        try await server.withClient(token: w.agency.token) { c async throws in
            let before = try await c.call("user.list")["users"]?.arrayValue?.count
            var error = await expectRPCError(.validationFailed) { _ = try await c.call("user.create", ["name": "x", "role": "client"]) }
            #expect(error?.fieldRules.map { "\($0.field):\($0.rule)" } == ["company_id:required"])
            error = await expectRPCError(.validationFailed) {
                _ = try await c.call("user.create", ["name": "x", "role": "consultant", "company_id": w.mine.companyID])
            }
            #expect(error?.fieldRules.map { "\($0.field):\($0.rule)" } == ["company_id:client_only"])
            #expect(try await c.call("user.list")["users"]?.arrayValue?.count == before)
        }
    }

    @Test("an owner cannot take the owner role from themselves; the refusal names the rule and changes nothing")
    func keepOwner() async throws {
        let server = try await TestServer.shared()
        let w = try await World.make(on: server)
        try await server.withClient(token: w.agency.token) { c async throws in
            let error = await expectRPCError(.validationFailed) {
                _ = try await c.call("user.update", ["id": .string(w.agency.userID.uuidString), "version": 1, "role": "manager"])
            }
            #expect(error?.fieldRules.map { "\($0.field):\($0.rule)" } == ["role:keep_owner"])
            #expect(try await c.call("auth.whoami")["role"] == "owner")
        }
    }

    @Test("a cursor of deeply nested JSON is invalid_params, and the server keeps serving")
    func hostileCursor() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        let nested = Data(String(repeating: "[", count: 513).utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        try await server.withClient(token: agency.token) { c async throws in
            let error = await expectRPCError(.invalidParams) { _ = try await c.call("company.list", ["cursor": .string(nested)]) }
            #expect(error?.fieldRules.first?.field == "cursor")
            #expect(try await c.call("system.ping") == "pong")
        }
    }

    @Test("a role change reaches the user's open connection within seconds")
    func roleChangeReachesOpenConnection() async throws {
        let server = try await TestServer.shared()
        let w = try await World.make(on: server)
        try await server.withClient(token: w.consultant.token) { c async throws in
            _ = try await c.call("case.note", ["id": w.myCase["id"]!, "text": "before"])
            try await server.withClient(token: w.agency.token) { owner async throws in
                let id: JSONValue = .string(w.consultant.userID.uuidString)
                // A stale version changes nothing; the current one does.
                await expectRPCError(.conflict) { _ = try await owner.call("user.update", ["id": id, "version": 99, "role": "viewer"]) }
                let updated = try await owner.call("user.update", ["id": id, "version": try await owner.userVersion(id), "role": "viewer"])
                #expect(updated["version"] == 2 && updated["role"] == "viewer")
            }
            try await Task.sleep(for: .seconds(5.5))
            await expectRPCError(.forbidden) { _ = try await c.call("case.note", ["id": w.myCase["id"]!, "text": "after"]) }
            #expect(try await c.call("auth.whoami")["role"] == "viewer")
        }
    }

    // MARK: - each wall on its own

    @Test("row-level security alone confines each role (the server's checks not involved)")
    func databaseWall() async throws {
        let server = try await TestServer.shared()
        let w = try await World.make(on: server)
        let db = Database(url: server.database.serverURL, logger: TestDatabase.logger)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await db.run() }
            defer { group.cancelAll() }
            let agency = w.agency.agencyID
            func count(_ table: String, as actor: Database.Actor) async throws -> Int {
                try await db.withAgency(agency, as: actor) { tx in
                    let rows = try await tx.connection.query(PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM \(table)"), logger: TestDatabase.logger)
                    for try await n in rows.decode(Int.self) { return n }
                    return -1
                }
            }
            #expect(try await count("cases", as: .system) == 2)
            #expect(try await count("cases", as: .user(w.consultant.userID)) == 1)
            #expect(try await count("case_history", as: .user(w.consultant.userID)) == 1)
            #expect(try await count("companies", as: .user(w.viewer.userID)) == 1)
            #expect(try await count("companies", as: .user(w.clientID)) == 1)
            #expect(try await count("users", as: .user(w.clientID)) == 1)
            #expect(try await count("audit_log", as: .user(w.consultant.userID)) == 0)
            #expect(try await count("audit_log", as: .user(w.agency.userID)) > 0)
            // A consultant's update of another company's case touches nothing.
            let updated = try await db.withAgency(agency, as: .user(w.consultant.userID)) { tx in
                let rows = try await tx.connection.query(
                    "UPDATE cases SET version = version WHERE agency_id = \(agency) RETURNING case_id", logger: TestDatabase.logger)
                var n = 0
                for try await _ in rows.decode(UUID.self) { n += 1 }
                return n
            }
            #expect(updated == 1)
            // A viewer cannot write at all, not even to an assigned company.
            await #expect(throws: StorageError.forbidden) {
                try await db.withAgency(agency, as: .user(w.viewer.userID)) { tx in
                    try await tx.connection.query(
                        "INSERT INTO case_history (agency_id, case_id, seq, user_id, action) VALUES (\(agency), \(UUID(uuidString: w.myCase["id"]!.stringValue!)!), 99, \(w.viewer.userID), 'note')",
                        logger: TestDatabase.logger)
                }
            }
            // Audit rows can be neither rewritten nor erased, not even by the owner.
            for statement in ["UPDATE audit_log SET method = 'x'", "DELETE FROM audit_log"] {
                await #expect(throws: StorageError.forbidden) {
                    try await db.withAgency(agency, as: .user(w.agency.userID)) { tx in
                        try await tx.connection.query(PostgresQuery(unsafeSQL: statement), logger: TestDatabase.logger)
                    }
                }
            }
            // No user and no system flag: nothing of any company.
            #expect(try await db.withAgency(agency, as: .user(UUID())) { tx in
                let rows = try await tx.connection.query("SELECT count(*)::int FROM companies", logger: TestDatabase.logger)
                for try await n in rows.decode(Int.self) { return n }
                return -1
            } == 0)
        }
    }

    @Test(
        "the server's checks alone confine each role (row-level scope policies dropped)",
        .disabled(if: TestDatabase.isShared, "drops policies: needs a database of its own"))
    func serverWall() async throws {
        let database = try await TestDatabase.migrated()
        try await database.admin { connection in
            try await connection.query(
                """
                DO $$ DECLARE p record; BEGIN
                    FOR p IN SELECT policyname, tablename FROM pg_policies
                             WHERE schemaname = 'public' AND policyname <> 'agency_isolation' LOOP
                        EXECUTE format('DROP POLICY %I ON %I', p.policyname, p.tablename);
                    END LOOP;
                END $$
                """, logger: TestDatabase.logger)
        }
        let server = try await TestServer.start(database: database)
        let w = try await World.make(on: server)
        try await server.withClient(token: w.consultant.token) { c async throws in
            await expectRPCError(.forbidden) { _ = try await c.call("case.get", ["id": w.otherCase["id"]!]) }
            await expectRPCError(.forbidden) { _ = try await c.call("case.note", ["id": w.otherCase["id"]!, "text": "x"]) }
            #expect(Self.ids(try await c.call("case.list")["cases"]) == [w.myCase["id"]!.stringValue!])
            #expect(Self.ids(try await c.call("company.list")["companies"]) == [w.mine.companyID.stringValue!])
        }
        try await server.withClient(token: w.client) { c async throws in
            #expect(Self.ids(try await c.call("case.list")["cases"]) == [w.myCase["id"]!.stringValue!])
            await expectRPCError(.forbidden) { _ = try await c.call("case.get", ["id": w.otherCase["id"]!]) }
        }
        try await server.withClient(token: w.viewer.token) { c async throws in
            await expectRPCError(.forbidden) { _ = try await c.call("case.note", ["id": w.myCase["id"]!, "text": "x"]) }
        }
        try await server.stop()
    }
}
