import CaseloadCore
import CaseloadClient
import CaseloadProtocol
import CaseloadServer
import CaseloadStorage
import Foundation
import NIOCore
import PostgresNIO
import Testing

/// Each attack that took the whole server down (or answered internal_error) when tried from
/// outside, now a clear error that names the field and changes nothing. They run against the
/// real binary (`ServerProcess`): were one to trap again, only that process would die, and
/// the test says so with its log, instead of taking the test runner with it.
@Suite("No input brings the server down")
struct NoTrapTests {
    /// Runs `body` against a fresh `caseload-server serve`, then checks it is still alive.
    func withBinary(_ body: (ServerProcess, AdminStore.Created, TestDatabase) async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation)
        async throws
    {
        let database = try await TestServer.shared().database
        let owner = try await database.createAgency()
        let server = try await ServerProcess.start(database: database, environment: ["SWIFT_BACKTRACE": "enable=no"])
        do {
            try await body(server, owner, database)
        } catch {
            await server.killIfRunning()
            throw error
        }
        let alive = await (try? RPCClient.withConnection(host: "127.0.0.1", port: server.port) { try await $0.call("system.ping") }) == "pong"
        await server.killIfRunning()
        #expect(alive, "the server died: \(server.log.suffix(1500))", sourceLocation: sourceLocation)
        #expect(!server.log.contains("internal error"), "internal error logged: \(server.log.suffix(1500))", sourceLocation: sourceLocation)
    }

    func client<T: Sendable>(_ server: ServerProcess, token: String, _ body: (RPCClient) async throws -> T) async throws -> T {
        try await RPCClient.withConnection(host: "127.0.0.1", port: server.port) { client in
            _ = try await client.call("auth.login", ["token": .string(token)])
            return try await body(client)
        }
    }

    /// Expects `invalid_params` (or the given code) naming `field` with `rule`.
    func expectRefused(
        _ code: RPCErrorCode = .invalidParams, field: String, rule: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
    ) async {
        let error = await expectRPCError(code, sourceLocation: sourceLocation, body)
        let pairs = error?.fieldRules.map { "\($0.field):\($0.rule)" } ?? []
        #expect(pairs.contains("\(field):\(rule)"), "expected \(field):\(rule), got \(pairs) (\(error.map { "\($0)" } ?? "-"))", sourceLocation: sourceLocation)
    }

    // MARK: 1. Cursors

    @Test("report cursors are opaque and sealed: tampered, forged, another user's, another call's are invalid_params on cursor")
    func reportCursors() async throws {
        try await withBinary { server, owner, database in
            let (company, hr) = try await client(server, token: owner.token) { c in
                let f = try await Fixture.make(c)
                let second = try await c.call(
                    "applicant.create", ["company_id": f.companyID, "name": "李娜", "id_number": .string(residentID(birth: "19910203", 7))])
                _ = try await c.call("case.open", ["applicant_id": f.applicantID, "kind": "points_new"])
                _ = try await c.call("case.open", ["applicant_id": second["id"]!, "kind": "points_new"])
                let created = try await c.call("user.create", ["name": "王芳 (HR)", "role": "client", "company_id": f.companyID])
                return (f.companyID, created["token"]!.stringValue!)
            }
            try await client(server, token: hr) { c in
                let params: [String: JSONValue] = ["company_id": company, "format": "csv", "page_size": 1]
                let first = try await c.call("report.company", .object(params))
                let cursor = try #require(first["next_cursor"]?.stringValue)
                // Opaque: neither the company's name nor any JSON is readable in it.
                let bytes = try #require(Base64URL.decode(cursor))
                #expect(JSONValue.parse(bytes) == nil)
                #expect(!String(decoding: bytes, as: UTF8.self).contains("测试公司"))
                #expect(!String(decoding: bytes, as: UTF8.self).contains("rowsDone"))

                // The attack as reported: a forged position with rowsDone = Int64.max.
                let forged = Base64URL.encode(
                    Data(#"{"meta":{"title":"x","header":[],"summary":[],"chart":[],"sections":[]},"rowsDone":9223372036854775807,"rowsTotal":1}"#.utf8))
                var tampered = Array(cursor.utf8)
                tampered[tampered.count / 2] = tampered[tampered.count / 2] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
                for bad in [forged, String(decoding: tampered, as: UTF8.self), String(cursor.dropLast(4)), "", "!!!"] {
                    var call = params
                    call["cursor"] = .string(bad)
                    await expectRefused(field: "cursor", rule: "cursor") { _ = try await c.call("report.company", .object(call)) }
                }
                // Bound to the call's other params: the same cursor with another format is refused.
                var otherFormat = params
                otherFormat["cursor"] = .string(cursor)
                otherFormat["format"] = "json"
                await expectRefused(field: "cursor", rule: "cursor") { _ = try await c.call("report.company", .object(otherFormat)) }
                // The genuine cursor still gives the second and last page.
                var next = params
                next["cursor"] = .string(cursor)
                let second = try await c.call("report.company", .object(next))
                #expect(second["rows_done"] == 2)
                #expect(second["next_cursor"] == .null)
            }
            // Bound to the user: the owner cannot replay the HR contact's cursor.
            let hrCursor = try await client(server, token: hr) { c in
                try await c.call("report.company", ["company_id": company, "format": "csv", "page_size": 1])["next_cursor"]!
            }
            try await client(server, token: owner.token) { c in
                await expectRefused(field: "cursor", rule: "cursor") {
                    _ = try await c.call("report.company", ["company_id": company, "format": "csv", "page_size": 1, "cursor": hrCursor])
                }
                // Bound to the method: a case.list cursor is not a report cursor, and back.
                let list = try await c.call("case.list", ["limit": 1])
                let listCursor = try #require(list["next_cursor"]?.stringValue)
                await expectRefused(field: "cursor", rule: "cursor") {
                    _ = try await c.call("report.company", ["company_id": company, "format": "csv", "cursor": .string(listCursor)])
                }
                await expectRefused(field: "cursor", rule: "cursor") { _ = try await c.call("applicant.list", ["cursor": .string(listCursor)]) }
                #expect(try await c.call("case.list", ["limit": 1, "cursor": .string(listCursor)])["cases"]?.arrayValue?.count == 1)
            }
            // Bound to the agency: another agency's owner cannot use it either.
            let other = try await database.createAgency()
            try await client(server, token: other.token) { c in
                await expectRefused(field: "cursor", rule: "cursor") {
                    _ = try await c.call("report.company", ["company_id": company, "format": "csv", "page_size": 1, "cursor": hrCursor])
                }
            }
        }
    }

    // MARK: 2. Dates

    @Test("dates outside 1900-01-01 … 2100-12-31, or a permit date far from today, are refused naming the field; nothing is stored")
    func datesOutOfRange() async throws {
        try await withBinary { server, owner, _ in
            try await client(server, token: owner.token) { c in
                let f = try await Fixture.make(c)
                let create: (String, String) -> JSONValue = { field, date in
                    var params: [String: JSONValue] = ["company_id": f.companyID, "name": "赵磊", "id_number": .string(residentID(birth: "19880808", 11))]
                    params[field] = .string(date)
                    return .object(params)
                }
                for (field, date) in [
                    ("permit_expiry_date", "9999-12-31"), ("permit_expiry_date", "0001-01-02"), ("permit_received_date", "9999-12-30"),
                    ("permit_expiry_date", "2100-12-31"), ("permit_received_date", "1950-01-01"),
                ] {
                    await expectRefused(field: field, rule: "range") { _ = try await c.call("applicant.create", create(field, date)) }
                }
                await expectRefused(field: "permit_expiry_date", rule: "format") { _ = try await c.call("applicant.create", create("permit_expiry_date", "2027-02-30")) }
                #expect(try await c.call("applicant.list")["applicants"]?.arrayValue?.count == 1, "nothing was stored")
                // A permit within the window is fine.
                let nextYear = CaseMethodsToday.date.adding(days: 365).iso
                _ = try await c.call("applicant.create", create("permit_expiry_date", nextYear))

                // Every other date param and stage field has the same range.
                await expectRefused(field: "due_date", rule: "range") {
                    _ = try await c.call("deadline.add", ["applicant_id": f.applicantID, "title": "补材料", "due_date": "9999-12-31"])
                }
                await expectRefused(field: "as_of", rule: "range") { _ = try await c.call("applicant.estimate", ["id": f.applicantID, "as_of": "0001-01-01"]) }
                await expectRefused(.validationFailed, field: "as_of", rule: "range") {
                    _ = try await c.call("applicant.estimate", ["id": f.applicantID, "as_of": "1950-06-01"])  // born 1990
                }
                let opened = try await c.call("case.open", ["applicant_id": f.applicantID, "kind": "points_new"])
                await expectRefused(.validationFailed, field: "data.permit_received_date", rule: "range") {
                    _ = try await c.call("case.record", ["id": opened["id"]!, "version": opened["version"]!, "data": ["permit_received_date": "9999-12-30"]])
                }
            }
        }
    }

    @Test("a date stored out of range before this version is reported by the migration check, and cases still open (no trap in the calendar walk)")
    func storedDateOutOfRange() async throws {
        try await withBinary { server, owner, database in
            let applicant = try await client(server, token: owner.token) { c in try await Fixture.make(c).applicantID }
            let id = try #require(UUID(uuidString: applicant.stringValue ?? ""))
            try await database.admin { connection in
                try await connection.query(
                    """
                    UPDATE applicants SET profile = profile || '{"permit_received_date": "9999-12-30", "permit_expiry_date": "9999-12-31"}'
                    WHERE applicant_id = \(id)
                    """, logger: TestDatabase.logger)
            }
            let found = try await Migrator(url: database.adminURL, logger: TestDatabase.logger).datesOutOfRange()
            let mine = found.filter { $0.entityID == id }.map { "\($0.field)=\($0.value)" }.sorted()
            #expect(mine == ["permit_expiry_date=9999-12-31", "permit_received_date=9999-12-30"])
            try await client(server, token: owner.token) { c in
                // Trapped in the calendar walk before; now any answer will do, as long as there is one.
                let opened = try? await c.call("case.open", ["applicant_id": applicant, "kind": "points_new"])
                if let opened { _ = try? await c.advance(opened, to: "employer_ready") }
                _ = try await c.call("applicant.estimate", ["id": applicant])
            }
        }
    }

    // MARK: 3. Points rules

    @Test("points rules with huge numbers are refused per field; rules stored before the check cannot make an estimate trap")
    func pointsRules() async throws {
        try await withBinary { server, owner, database in
            try await client(server, token: owner.token) { c in
                let f = try await Fixture.make(c)
                let versions = try #require(try await c.call("points.rules.list")["versions"]?.arrayValue)
                var rules = try #require(versions.first?.objectValue)
                func huge(_ value: JSONValue) -> JSONValue {
                    switch value {
                    case .int: return .int(Int64.max)
                    case .object(let members): return .object(members.mapValues(huge))
                    default: return value
                    }
                }
                rules = rules.mapValues(huge)
                rules["version"] = "huge"
                let error = await expectRPCError(.validationFailed) { _ = try await c.call("points.rules.add", ["rules": .object(rules)]) }
                // Every field out of range is named (the reply lists the first 20 and counts the rest).
                let issues = error?.fieldRules ?? []
                for field in ["rules.standard", "rules.age.bandPoints", "rules.education.master"] {
                    #expect(issues.contains { $0 == (field, "range") }, "\(field) not named: \(issues)")
                }
                #expect(issues.last?.rule == "more")
                #expect(issues.count == RPCError.issueLimit + 1)
                #expect(try await c.call("points.rules.list")["versions"]?.arrayValue?.count == versions.count, "nothing was added")

                // A version stored by an earlier server, without the check.
                let json = String(decoding: try WireJSON.encode(JSONValue.object(rules.merging(["effectiveFrom": "2025-06-01"]) { $1 })), as: UTF8.self)
                try await database.admin { connection in
                    try await connection.query(
                        """
                        INSERT INTO points_rule_versions (agency_id, version, effective_from, rules)
                        VALUES (\(owner.agencyID), 'huge', '2025-06-01', \(json)::jsonb)
                        """, logger: TestDatabase.logger)
                }
                let estimate = try await c.call("applicant.estimate", ["id": f.applicantID])
                #expect(estimate["rules_version"] == "huge")
                #expect(estimate["total"]?.intValue != nil)
            }
        }
    }

    // MARK: 4. NUL and blank strings

    @Test("a NUL anywhere in params, names included, is invalid_params naming the field; blank names are refused; nothing is stored")
    func nulAndBlank() async throws {
        try await withBinary { server, owner, _ in
            try await client(server, token: owner.token) { c in
                await expectRefused(field: "name", rule: "nul") { _ = try await c.call("company.create", ["name": "a\u{0}b", "org_code": "77604965-3"]) }
                await expectRefused(field: "name", rule: "required") { _ = try await c.call("company.create", ["name": " \u{3000}\t", "org_code": "77604965-3"]) }
                await expectRefused(field: "query", rule: "nul") { _ = try await c.call("company.list", ["query": "\u{0}"]) }
                #expect(try await c.call("company.list")["companies"] == [], "nothing was stored")
                let f = try await Fixture.make(c)
                await expectRefused(field: "name", rule: "nul") {
                    _ = try await c.call("applicant.update", ["id": f.applicantID, "version": 1, "name": "张\u{0}伟"])
                }
                let opened = try await c.call("case.open", ["applicant_id": f.applicantID, "kind": "points_new"])
                // Free-form values are walked too: a NUL in a stage-data value or member name.
                let record: (JSONValue) -> JSONValue = { data in ["id": opened["id"]!, "version": opened["version"]!, "data": data] }
                await expectRefused(field: "data.permit_received_date", rule: "nul") {
                    _ = try await c.call("case.record", record(["permit_received_date": "\u{0}"]))
                }
                await expectRefused(field: "data", rule: "nul") { _ = try await c.call("case.record", record(["a\u{0}": "x"])) }
                await expectRefused(field: "rules.version", rule: "nul") { _ = try await c.call("points.rules.add", ["rules": ["version": "\u{0}"]]) }
            }
        }
    }

    // MARK: 8. Small ones

    @Test("user.update with a foreign or random company_id is not_found; an error never echoes more than a few hundred bytes of the request")
    func smallOnes() async throws {
        try await withBinary { server, owner, database in
            let other = try await database.createAgency()
            let foreign = try await client(server, token: other.token) { c in try await c.call("company.create", ["name": "别家", "org_code": "77604965-3"])["id"]! }
            try await client(server, token: owner.token) { c in
                let f = try await Fixture.make(c)
                let user = try await c.call("user.create", ["name": "王芳", "role": "client", "company_id": f.companyID])["user"]!
                for company in [foreign, .string(UUID().uuidString)] {
                    let error = await expectRPCError(.notFound) {
                        _ = try await c.call("user.update", ["id": user["id"]!, "version": user["version"]!, "company_id": company])
                    }
                    #expect(error?.data?["entity"] == "company")
                }
            }
            // Echoes of client input are bounded, whatever the size of the input.
            try await RPCClient.withConnection(host: "127.0.0.1", port: server.port) { c in
                let longName = String(repeating: "m", count: 1 << 19)
                let unknown = await expectRPCError(.methodNotFound) { _ = try await c.call(longName) }
                #expect((unknown?.message.utf8.count ?? .max) < 300)
                _ = try await c.call("auth.login", ["token": .string(owner.token)])
                var params: [String: JSONValue] = ["applicant_id": .string(UUID().uuidString), "kind": "points_new"]
                for i in 0..<300 { params["field\(i)_" + String(repeating: "x", count: 2000)] = .string(String(repeating: "y", count: 1000)) }
                let error = await expectRPCError(.invalidParams) { _ = try await c.call("case.open", .object(params)) }
                let size = (try? WireJSON.encode(error)).map(\.count) ?? .max
                #expect(size < 10_000, "error reply of \(size) bytes")
                #expect(error?.fieldRules.last?.rule == "more")
            }
        }
    }

    @Test("an import committed after its dry run is a conflict that says to stage it again")
    func importAfterDryRun() async throws {
        try await withBinary { server, owner, _ in
            try await client(server, token: owner.token) { c in
                _ = try await c.call("company.create", ["name": "进口公司", "credit_code": "91350200776049653A"])
                let begun = try await c.call("import.begin", ["kind": "applicants"])
                let row: JSONValue = [
                    "row": 1,
                    "fields": ["company_credit_code": "91350200776049653A", "name": "陈静", "id_number": .string(residentID(21)), "permit_expiry_date": "9999/12/31"],
                ]
                _ = try await c.call("import.rows", ["import_id": begun["import_id"]!, "rows": [row]])
                let dry = try await c.call("import.commit", ["import_id": begun["import_id"]!, "dry_run": true])
                let errors = (dry["errors"]?.arrayValue ?? []).map { "\($0["column"]?.stringValue ?? ""):\($0["rule"]?.stringValue ?? "")" }
                #expect(errors == ["permit_expiry_date:range"])
                let again = await expectRPCError(.conflict) { _ = try await c.call("import.commit", ["import_id": begun["import_id"]!]) }
                #expect(again?.fieldRules.map { "\($0.field):\($0.rule)" } == ["import_id:finished"])
                #expect(again?.message.contains("import.begin") == true)
            }
        }
    }
}

/// Today in Shanghai, as the server counts it.
enum CaseMethodsToday {
    static var date: CalendarDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        let parts = calendar.dateComponents([.year, .month, .day], from: Date())
        return CalendarDate(year: parts.year!, month: parts.month!, day: parts.day!)!
    }
}
