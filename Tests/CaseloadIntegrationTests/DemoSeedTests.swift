import CaseloadCore
import CaseloadProtocol
import CaseloadStorage
import Foundation
import PostgresNIO
import Testing

@testable import CaseloadServer

@Suite("Demo data loaded by COPY, as the regular paths would have written it")
struct DemoSeedTests {
    static func seed(_ agency: UUID, applicants: Int, seed: UInt64, on database: TestDatabase) async throws -> (DemoData.Summary, [Int]) {
        try await database.admin { connection in
            try await connection.withTransaction(logger: TestDatabase.logger) { tx in
                var progress: [Int] = []
                let summary = try await DemoData.seed(
                    companies: 3, applicants: applicants, largestCompanyApplicants: 20, seed: seed,
                    cipher: try PIICipher(activeKey: testKeys.piiKey, lookupKey: testKeys.lookupKey),
                    in: AgencyTransaction(connection: tx, agency: agency, logger: TestDatabase.logger), chunkSize: 64) { progress.append($0) }
                return (summary, progress)
            }
        }
    }

    @Test("every row is there and fits the others; progress is told per chunk; nothing is audited")
    func rowsFitTogether() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        let (summary, progress) = try await Self.seed(agency.agencyID, applicants: 150, seed: 7, on: server.database)
        #expect(summary.applicants == 150 && summary.cases == 150 && summary.companies == 3)
        #expect(progress == [64, 128, 150])
        let a = agency.agencyID
        let counts = try await server.database.admin { connection in
            try await connection.query(
                """
                SELECT (SELECT count(*)::int FROM applicants WHERE agency_id = \(a)),
                       (SELECT count(*)::int FROM applicant_employments e JOIN applicants p USING (agency_id, applicant_id, company_id) WHERE e.agency_id = \(a)),
                       (SELECT count(*)::int FROM cases c JOIN applicants p USING (agency_id, applicant_id, company_id) WHERE c.agency_id = \(a)),
                       (SELECT count(*)::int FROM case_history h JOIN cases c USING (agency_id, case_id)
                         WHERE h.agency_id = \(a) AND h.seq = 1 AND h.action = 'open' AND h.to_stage = c.stage),
                       (SELECT count(*)::int FROM documents WHERE agency_id = \(a)),
                       (SELECT count(*)::int FROM documents d WHERE d.agency_id = \(a) AND d.holder = (
                           SELECT e.holder FROM custody_events e WHERE e.agency_id = d.agency_id AND e.document_id = d.document_id ORDER BY e.seq DESC LIMIT 1)),
                       (SELECT count(*)::int FROM cases WHERE agency_id = \(a) AND company_id = (
                           SELECT company_id FROM companies WHERE agency_id = \(a) ORDER BY name LIMIT 1)),
                       (SELECT count(*)::int FROM deadlines d JOIN deadline_history h USING (agency_id, deadline_id) WHERE d.agency_id = \(a) AND h.seq = 1),
                       (SELECT count(*)::int FROM deadlines WHERE agency_id = \(a)),
                       (SELECT count(*)::int FROM audit_log WHERE agency_id = \(a) AND table_name IN ('applicants', 'cases', 'documents'))
                """, logger: TestDatabase.logger
            ).collect().first!.decode((Int, Int, Int, Int, Int, Int, Int, Int, Int, Int).self)
        }
        #expect(counts.0 == 150 && counts.1 == 150 && counts.2 == 150 && counts.3 == 150)
        #expect(counts.4 == summary.documents && counts.5 == counts.4 && counts.4 > 0)
        #expect(counts.7 == counts.8 && counts.8 > 150)
        #expect(counts.9 == 0)
        // The seeded rows read back through the server like any others.
        try await server.withClient(token: agency.token) { client async throws in
            let page = try await client.call("case.list", ["limit": 5])
            let first = try #require(page["cases"]?.arrayValue?.first)
            let c = try await client.call("case.get", ["id": first["id"]!])
            #expect(c["applicant"]?["name"]?.stringValue?.isEmpty == false)
            #expect(c["applicant"]?["id_number"]?.stringValue?.contains("*") == true)
        }
    }

    /// A new agency on `server` with `applicants` seeded; its id.
    static func seededAgency(applicants: Int, seed: UInt64, on server: TestServer) async throws -> UUID {
        let agency = try await server.database.createAgency()
        _ = try await Self.seed(agency.agencyID, applicants: applicants, seed: seed, on: server.database)
        return agency.agencyID
    }

    /// `body` in one transaction acting for `agency`, as the schema owner (the stores directly).
    static func inAgency<T: Sendable>(
        _ agency: UUID, on database: TestDatabase, _ body: @Sendable @escaping (AgencyTransaction, PostgresConnection) async throws -> T
    ) async throws -> T {
        try await database.admin { connection in
            try await connection.withTransaction(logger: TestDatabase.logger) { connection in
                try await Database.actFor(agency: agency, on: connection, logger: TestDatabase.logger)
                return try await body(AgencyTransaction(connection: connection, agency: agency, logger: TestDatabase.logger), connection)
            }
        }
    }

    @Test("the regular derivation finds every seeded deadline already right: re-deriving changes nothing")
    func deadlinesAreWhatDerivationGives() async throws {
        let server = try await TestServer.shared()
        let a = try await Self.seededAgency(applicants: 80, seed: 11, on: server)
        @Sendable func historyCount(_ connection: PostgresConnection) async throws -> Int {
            try await connection.query("SELECT count(*)::int FROM deadline_history WHERE agency_id = \(a)", logger: TestDatabase.logger)
                .collect().first!.decode(Int.self)
        }
        let (before, after) = try await Self.inAgency(a, on: server.database) { tx, connection in
            let before = try await historyCount(connection)
            let calendar = try await tx.calendar.calendar()
            for c in try await tx.cases.list(filter: CaseFilter(), after: nil, limit: 100) {
                try await DeadlineDerivation.deriveForCase(c, calendar: calendar, today: BusinessClock.system.today, reason: "check", user: nil, in: tx)
            }
            return (before, try await historyCount(connection))
        }
        #expect(before > 0)
        #expect(after == before)
    }

    @Test("CaseStore.lines gives the cases list gives, in its order, with the state's kind, stage and days in stage, for each filter")
    func linesAreTheList() async throws {
        let server = try await TestServer.shared()
        let a = try await Self.seededAgency(applicants: 120, seed: 17, on: server)
        let now = Date().addingTimeInterval(90 * 86_400)  // some stages' times have run out by then
        let checked = try await Self.inAgency(a, on: server.database) { tx, _ in
            let all = try await tx.cases.list(filter: CaseFilter(), after: nil, limit: 500)
            var filters: [CaseFilter] = [CaseFilter()]
            var late = CaseFilter()
            late.lateAsOf = now
            filters.append(late)
            var company = CaseFilter()
            company.companyID = all.first?.companyID
            filters.append(company)
            var stage = CaseFilter()
            stage.stage = all.first?.state.stage
            filters.append(stage)
            var counts: [Int] = []
            for filter in filters {
                let records = try await tx.cases.list(filter: filter, after: nil, limit: 500)
                let lines = try await tx.cases.lines(filter: filter, limit: 500)
                #expect(lines.map(\.id) == records.map(\.id))
                for (line, record) in zip(lines, records) {
                    #expect(line.kind == record.state.kind)
                    #expect(line.stage == record.state.stage)
                    #expect(line.applicantName == record.applicantName)
                    #expect(line.companyID == record.companyID)
                    #expect(line.daysInStage(now: now) == record.daysInStage(now: now))
                }
                counts.append(records.count)
            }
            #expect(try await tx.cases.lines(filter: CaseFilter(), limit: 7).count == 7)
            return counts
        }
        #expect(checked[0] == 120)
        #expect(checked[1] > 0 && checked[1] < 120)
        #expect(checked[2] > 0 && checked[2] < 120)
        #expect(checked[3] > 0)
    }

    @Test("the agency overview counts per company and per consultant what one query per company counts")
    func overviewMatchesCountsPerCompany() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        _ = try await Self.seed(agency.agencyID, applicants: 150, seed: 13, on: server.database)
        let a = agency.agencyID
        let now = Date()
        let today = CalendarDate(shanghai: now)
        let (byCompany, byConsultant, expected, expectedOwner) = try await server.database.admin { connection in
            // The owner carries two of the three companies.
            try await connection.query(
                """
                INSERT INTO company_consultants (agency_id, company_id, user_id)
                SELECT \(a), company_id, \(agency.userID) FROM companies WHERE agency_id = \(a) ORDER BY name LIMIT 2
                """, logger: TestDatabase.logger)
            let tx = AgencyTransaction(connection: connection, agency: a, logger: TestDatabase.logger)
            // The oracle: each number counted on its own, company by company.
            var expected: [[Int]] = []
            for try await row in try await connection.query(
                """
                SELECT (SELECT count(*)::int FROM cases c WHERE c.agency_id = co.agency_id AND c.company_id = co.company_id AND c.status IN ('active', 'on_hold')),
                       (SELECT count(*)::int FROM cases c WHERE c.agency_id = co.agency_id AND c.company_id = co.company_id AND c.status = 'active' AND c.stage_due_at < \(now)),
                       (SELECT count(*)::int FROM deadlines d WHERE d.agency_id = co.agency_id AND d.company_id = co.company_id
                          AND caseload_overdue(d.kind, d.state, d.due_date, \(today.iso)::date)),
                       (SELECT count(*)::int FROM documents x WHERE x.agency_id = co.agency_id AND x.company_id = co.company_id AND x.form = 'original' AND x.holder_kind = 'agency'),
                       (SELECT count(*)::int FROM documents x WHERE x.agency_id = co.agency_id AND x.company_id = co.company_id AND x.form = 'original'
                          AND x.holder_kind IN ('talent_center', 'city_verification_center')),
                       EXISTS (SELECT 1 FROM company_consultants cc WHERE cc.agency_id = co.agency_id AND cc.company_id = co.company_id)
                FROM companies co WHERE co.agency_id = \(a) ORDER BY co.name, co.company_id
                """, logger: TestDatabase.logger
            ).decode((Int, Int, Int, Int, Int, Bool).self) { expected.append([row.0, row.1, row.2, row.3, row.4, row.5 ? 1 : 0]) }
            let owner = (0..<5).map { i in expected.filter { $0[5] == 1 }.reduce(0) { $0 + $1[i] } }
            return (try await tx.reports.overview(byConsultant: false, now: now), try await tx.reports.overview(byConsultant: true, now: now), expected, owner)
        }
        func numbers(_ r: (name: String, openCases: Int, late: Int, overdue: Int, originalsAtAgency: Int, originalsOut: Int)) -> [Int] {
            [r.openCases, r.late, r.overdue, r.originalsAtAgency, r.originalsOut]
        }
        #expect(byCompany.map(numbers) == expected.map { Array($0.prefix(5)) })
        #expect(expected.reduce(0) { $0 + $1[2] } > 0, "the demo data has overdue dates to count")
        #expect(byConsultant.count == 1)
        #expect(byConsultant.first.map(numbers) == expectedOwner)
    }

    @Test("the same seed gives the same people")
    func deterministic() async throws {
        let server = try await TestServer.shared()
        let (one, two) = (try await server.database.createAgency(), try await server.database.createAgency())
        _ = try await Self.seed(one.agencyID, applicants: 30, seed: 5, on: server.database)
        _ = try await Self.seed(two.agencyID, applicants: 30, seed: 5, on: server.database)
        func people(_ agency: UUID) async throws -> [String] {
            try await server.database.admin { connection in
                var names: [String] = []
                for try await (name, masked) in try await connection.query(
                    "SELECT name, id_number_masked FROM applicants WHERE agency_id = \(agency) ORDER BY birth_date, id_number_masked, name",
                    logger: TestDatabase.logger
                ).decode((String, String).self) { names.append("\(name) \(masked)") }
                return names
            }
        }
        let first = try await people(one.agencyID)
        #expect(first.count == 30)
        #expect(first == (try await people(two.agencyID)))
    }
}

@Suite("COPY text encoding")
struct CopyTextTests {
    @Test("text with tabs, newlines, backslashes and Chinese, NULLs, booleans and bytes arrive as written")
    func roundTrip() async throws {
        let server = try await TestServer.shared()
        let texts = ["a\tb", "line\nbreak\r", "back\\slash \\N", "张伟", "", "\\x00"]
        let bytes: [[UInt8]?] = [[0, 1, 0xfe, 0xff], nil, [], [0x5c], nil, [9, 10]]
        let back = try await server.database.admin { connection in
            try await connection.withTransaction(logger: TestDatabase.logger) { connection in
                try await connection.query("CREATE TEMP TABLE copy_check (n int, t text, b bytea, f bool, u uuid) ON COMMIT DROP", logger: TestDatabase.logger)
                try await connection.copy(into: "copy_check", columns: ["n", "t", "b", "f", "u"], rows: Array(texts.enumerated()), logger: TestDatabase.logger) {
                    item, text in
                    text.field(item.offset); text.field(item.element); text.field(bytes: bytes[item.offset])
                    text.field(item.offset % 2 == 0 ? true : nil); text.field(item.offset == 0 ? UUID(uuidString: "00000000-0000-4000-8000-000000000001") : nil)
                }
                var rows: [(Int, String, ByteBuffer?, Bool?, UUID?)] = []
                for try await row in try await connection.query("SELECT n, t, b, f, u FROM copy_check ORDER BY n", logger: TestDatabase.logger)
                    .decode((Int, String, ByteBuffer?, Bool?, UUID?).self) { rows.append(row) }
                return rows
            }
        }
        #expect(back.map(\.1) == texts)
        #expect(back.map { $0.2.map { Array(buffer: $0) } } == bytes)
        #expect(back.map(\.3) == [true, nil, true, nil, true, nil])
        #expect(back.first?.4 == UUID(uuidString: "00000000-0000-4000-8000-000000000001"))
    }
}
