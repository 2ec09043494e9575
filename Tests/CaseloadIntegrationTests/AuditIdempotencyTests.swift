import CaseloadProtocol
import CaseloadStorage
import Foundation
import PostgresNIO
import Testing

@Suite("Audit log and idempotency keys")
struct AuditIdempotencyTests {
    @Test("pages of the audit log, two entries at a time, add up to the whole log in time order: none twice, none skipped")
    func auditPages() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { c async throws in
            // Entries the triggers write and entries the server writes itself (reveals), which
            // on Citus take ids from different nodes' ranges, interleaved.
            let f = try await Fixture.make(c, n: 612)
            for i in 0..<3 {
                _ = try await c.call("applicant.reveal", ["id": f.applicantID])
                let company = try await c.call("company.get", ["id": f.companyID])
                _ = try await c.call("company.update", ["id": f.companyID, "version": company["version"]!, "hr_name": .string("李娜\(i)")])
            }
            let whole = try await c.call("audit.list", ["limit": 1000])["entries"]?.arrayValue ?? []
            #expect(whole.count >= 8)
            var paged: [JSONValue] = []
            var cursor: JSONValue = .null
            repeat {
                var params: [String: JSONValue] = ["limit": 2]
                if cursor != .null { params["cursor"] = cursor }
                let page = try await c.call("audit.list", .object(params))
                let entries = page["entries"]?.arrayValue ?? []
                #expect(entries.count <= 2)
                paged += entries
                cursor = page["next_cursor"] ?? .null
            } while cursor != .null && paged.count <= whole.count
            #expect(paged.map { $0["id"] } == whole.map { $0["id"] })
            let times = whole.compactMap { $0["at"]?.stringValue.flatMap { try? Date($0, strategy: .iso8601) } }
            #expect(times.count == whole.count && times == times.sorted(), "listed in time order")
            // The reveals come after the updates they follow.
            let actions = whole.filter { $0["entity"] == "applicant" || $0["entity"] == "company" }.map { $0["action"]?.stringValue ?? "" }
            #expect(actions.suffix(6) == ["reveal", "update", "reveal", "update", "reveal", "update"])
        }
    }

    @Test("every change is audited with who, method, entity and the changed fields; sealed values never are")
    func auditTrail() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { c async throws in
            let f = try await Fixture.make(c, n: 611)
            let company = try await c.call("company.get", ["id": f.companyID])
            _ = try await c.call("company.update", ["id": f.companyID, "version": company["version"]!, "hr_name": "李娜"])
            let page = try await c.call("audit.list", ["entity": "company", "entity_id": f.companyID])
            let entries = page["entries"]?.arrayValue ?? []
            #expect(entries.map { $0["action"] } == ["insert", "update"])
            let update = try #require(entries.last)
            #expect(update["method"] == "company.update")
            #expect(update["user_id"] == .string(agency.userID.uuidString.lowercased()))
            #expect(update["before"]?["hr_name"] == .null)
            #expect(update["after"]?["hr_name"] == "李娜")
            #expect(update["after"]?["version"] == 2)
            #expect(update["after"]?["name"] == nil, "unchanged fields are left out")

            // The applicant's entry carries masked identifiers and never the sealed ones.
            let applicant = try #require(try await c.call("audit.list", ["entity": "applicant", "entity_id": f.applicantID])["entries"]?.arrayValue?.first)
            let fields = try #require(applicant["after"]?.objectValue)
            #expect(fields["id_number_masked"] != nil)
            #expect(!fields.keys.contains { $0.hasSuffix("sealed") || $0.hasSuffix("lookup") })
            #expect(!WireJSON.string(applicant).contains(f.idNumber))

            // A reveal is audited too.
            let revealed = try await c.call("applicant.reveal", ["id": f.applicantID])
            #expect(revealed["id_number"] == .string(f.idNumber))
            let reveals = try await c.call("audit.list", ["entity": "applicant", "entity_id": f.applicantID])["entries"]?.arrayValue ?? []
            #expect(reveals.last?["action"] == "reveal")

            // By user and time range.
            let mine = try await c.call("audit.list", ["user_id": .string(agency.userID.uuidString), "since": "2000-01-01T00:00:00Z"])
            #expect((mine["entries"]?.arrayValue?.count ?? 0) >= 4)
            let none = try await c.call("audit.list", ["until": "2000-01-01T00:00:00Z"])
            #expect(none["entries"]?.arrayValue?.isEmpty == true)
            let error = await expectRPCError(.validationFailed) { _ = try await c.call("audit.list", ["entity_id": f.companyID]) }
            #expect(error?.fieldRules.first?.field == "entity_id")
        }
    }

    @Test("the audit's redaction drops exactly the keys named sealed, lookup or hash or ending _sealed, _lookup or _hash")
    func redactionRule() async throws {
        let database = try await TestServer.shared().database
        let keys = [
            "sealed", "lookup", "hash", "id_number_sealed", "id_number_lookup", "token_hash", "a_b_hash",
            "xsealed", "sealed_at", "hashes", "lookups", "x_sealedy", "hash_x", "name", "x%sealed", "x_hash", "phone_masked",
        ]
        let row = "{" + keys.enumerated().map { "\"\($1)\": \($0)" }.joined(separator: ", ") + "}"
        let kept = try await database.admin { connection in
            try await connection.query("SELECT k FROM jsonb_object_keys(caseload_audit_redact(\(row)::jsonb)) AS k ORDER BY k", logger: TestDatabase.logger)
                .collect().map { try $0.decode(String.self) }
        }
        // The rule as a regular expression, as the first version of the trigger wrote it.
        let expected = keys.filter { $0.range(of: "(^|_)(sealed|lookup|hash)$", options: .regularExpression) == nil }.sorted()
        #expect(kept == expected)
        #expect(kept.count == 9)
    }

    @Test("a retry with the same idempotency key returns the first result and changes nothing")
    func retryReturnsFirstResult() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { c async throws in
            let key = JSONValue.string(UUID().uuidString)
            let params: JSONValue = ["name": "幂等公司", "org_code": .string(orgCode(612)), "idempotency_key": key]
            let first = try await c.call("company.create", params)
            let again = try await c.call("company.create", params)
            #expect(first == again)
            #expect(try await c.call("company.list")["companies"]?.arrayValue?.count == 1)

            // The same key with other params is refused, naming the key, and changes nothing.
            var other = params.objectValue!
            other["name"] = "另一个公司"
            let error = await expectRPCError(.conflict) { _ = try await c.call("company.create", .object(other)) }
            #expect(error?.fieldRules.map { "\($0.field):\($0.rule)" } == ["idempotency_key:same_params"])
            #expect(try await c.call("company.list")["companies"]?.arrayValue?.count == 1)

            // A case advanced twice with one key advances once.
            let f = try await Fixture.make(c, status: "registered_online", n: 613)
            var opened = try await c.call("case.open", ["applicant_id": f.applicantID, "kind": "points_new"])
            let advance: JSONValue = ["id": opened["id"]!, "version": opened["version"]!, "to": "employer_ready", "idempotency_key": .string("advance-\(UUID())")]
            let a1 = try await c.call("case.advance", advance)
            let a2 = try await c.call("case.advance", advance)
            #expect(a1 == a2)
            opened = try await c.call("case.get", ["id": opened["id"]!])
            #expect(opened["version"] == a1["version"])
            #expect(try await c.call("case.history", ["id": opened["id"]!])["entries"]?.arrayValue?.count == 2)
        }
    }

    @Test("concurrent calls with one key: exactly one does the work, the others get its result")
    func concurrentSameKey() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        let key = UUID().uuidString
        let results = try await withThrowingTaskGroup(of: JSONValue.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    try await server.withClient(token: agency.token) { c in
                        try await c.call("company.create", ["name": "并发公司", "org_code": .string(orgCode(614)), "idempotency_key": .string(key)])
                    }
                }
            }
            var all: [JSONValue] = []
            for try await r in group { all.append(r) }
            return all
        }
        #expect(Set(results.map { $0["id"] }).count == 1)
        try await server.withClient(token: agency.token) { c async throws in
            #expect(try await c.call("company.list")["companies"]?.arrayValue?.count == 1)
        }
    }

    @Test("a failed call leaves no key behind: the retry does the work")
    func failureKeepsNoKey() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { c async throws in
            let key = JSONValue.string(UUID().uuidString)
            await expectRPCError(.validationFailed) {
                _ = try await c.call("company.create", ["name": "坏码", "credit_code": "91350200776049653B", "idempotency_key": key])
            }
            let created = try await c.call("company.create", ["name": "好码", "org_code": .string(orgCode(615)), "idempotency_key": key])
            #expect(created["name"] == "好码")
        }
    }

    @Test("methods that return a secret take no idempotency key (it would be stored)")
    func secretsAreNotStored() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { c async throws in
            let error = await expectRPCError(.invalidParams) { _ = try await c.call("token.create", ["idempotency_key": "abcdefgh-1"]) }
            #expect(error?.fieldRules.first?.field == "idempotency_key")
        }
    }
}
