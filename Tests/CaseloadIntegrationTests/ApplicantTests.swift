import CaseloadProtocol
import Foundation
import PostgresNIO
import Testing

@Suite("Applicants over TCP")
struct ApplicantTests {
    @Test("create, get, list (masked), update with a transfer to another company")
    func roundTrip() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            let f = try await Fixture.make(client, n: 11)
            let a = try await client.call("applicant.get", ["id": f.applicantID])
            #expect(a["id_number"] == .string(String(f.idNumber.prefix(3)) + "***********" + String(f.idNumber.suffix(4))))
            #expect(a["phone"] == "139****9000")
            #expect(a["birth_date"] == "1990-01-01")
            #expect(a["education_level"] == "bachelor_degree")
            #expect(a["dispatched"] == .null)

            let list = try await client.call("applicant.list")["applicants"]?.arrayValue ?? []
            #expect(list.count == 1)
            #expect(!WireJSON.string(.array(list)).contains(f.idNumber))
            // A list names the employer, short (without 上海 and the legal form), as case lists do.
            #expect(a["company_short_name"] == "测试公司11")
            #expect(list.first?["company_short_name"] == "测试公司11")

            let other = try await client.call("company.create", ["name": "新东家", "org_code": .string(orgCode(12))])
            let moved = try await client.call(
                "applicant.update",
                ["id": f.applicantID, "version": 1, "company_id": other["id"]!, "phone": .null, "dispatched": true, "education_level": .null])
            #expect(moved["company_id"] == other["id"])
            #expect(moved["company_short_name"] == "新东家")
            // Null clears, a value sets, absent keeps.
            #expect(moved["phone"] == .null)
            #expect(moved["education_level"] == .null)
            #expect(moved["dispatched"] == true)
            #expect(moved["name"] == a["name"])
            #expect(moved["social_insurance_months"] == a["social_insurance_months"])
            #expect(moved["version"] == 2)
            let employments = try await server.database.admin { connection in
                try await connection.query(
                    "SELECT count(*)::int FROM applicant_employments WHERE applicant_id = \(UUID(uuidString: f.applicantID.stringValue!)!)",
                    logger: TestDatabase.logger
                ).collect().first!.decode(Int.self)
            }
            #expect(employments == 2)
        }
    }

    @Test("ID numbers and phones are encrypted at rest, and exact lookup works without decrypting")
    func encryptedAtRest() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            let f = try await Fixture.make(client, n: 21)
            let leaked = try await server.database.admin { connection in
                try await connection.query(
                    """
                    SELECT count(*)::int FROM applicants
                    WHERE position(convert_to(\(f.idNumber), 'UTF8') in id_number_sealed) > 0
                       OR position(convert_to('13900139000', 'UTF8') in phone_sealed) > 0
                       OR row_to_json(applicants)::text LIKE '%' || \(f.idNumber) || '%'
                       OR row_to_json(applicants)::text LIKE '%13900139000%'
                    """,
                    logger: TestDatabase.logger
                ).collect().first!.decode(Int.self)
            }
            #expect(leaked == 0)
            let found = try await client.call("applicant.list", ["id_number": .string(f.idNumber.lowercased())])["applicants"]?.arrayValue
            #expect(found?.first?["id"] == f.applicantID)
            #expect(found?.first?["company_short_name"] != nil)
            let none = try await client.call("applicant.list", ["id_number": .string(residentID(22))])["applicants"]?.arrayValue
            #expect(none == [])
        }
    }

    @Test("the same person twice is a conflict naming id_number; bad identifiers name their field and rule")
    func refusals() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            let f = try await Fixture.make(client, n: 31)
            var e = await expectRPCError(.conflict) {
                _ = try await client.call("applicant.create", ["company_id": f.companyID, "name": "又一次", "id_number": .string(f.idNumber)])
            }
            #expect(e?.fieldRules.first?.field == "id_number")

            // Valid checksum, impossible birth date (Feb 30).
            let body = "31010419900230001"
            let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
            let sum = zip(body, weights).reduce(0) { $0 + Int(String($1.0))! * $1.1 }
            let feb30 = body + String(Array("10X98765432")[sum % 11])
            e = await expectRPCError(.validationFailed) {
                _ = try await client.call("applicant.create", ["company_id": f.companyID, "name": "李", "id_number": .string(feb30)])
            }
            #expect(e?.fieldRules.map(\.rule) == ["birth_date"])

            var altered = Array(f.idNumber)
            altered[10] = altered[10] == "9" ? "8" : "9"
            e = await expectRPCError(.validationFailed) {
                _ = try await client.call(
                    "applicant.create", ["company_id": f.companyID, "name": "李", "id_number": .string(String(altered)), "phone": "2345"])
            }
            #expect(Set((e?.fieldRules ?? []).map { "\($0.field):\($0.rule)" }) == ["id_number:checksum", "phone:format"])
            // A name of only spaces is refused with the params, before any other check.
            e = await expectRPCError(.invalidParams) {
                _ = try await client.call(
                    "applicant.create", ["company_id": f.companyID, "name": " \u{3000}", "id_number": .string(String(altered)), "phone": "2345"])
            }
            #expect(e?.fieldRules.map { "\($0.field):\($0.rule)" } == ["name:required"])

            e = await expectRPCError(.validationFailed) {
                _ = try await client.call(
                    "applicant.update",
                    ["id": f.applicantID, "version": 1, "permit_received_date": "2026-05-01", "permit_expiry_date": "2026-04-01"])
            }
            #expect(e?.fieldRules.first?.field == "permit_expiry_date")
            await expectRPCError(.invalidParams) {
                _ = try await client.call("applicant.update", ["id": f.applicantID, "version": 1, "permit_expiry_date": "2026-02-30"])
            }
            await expectRPCError(.notFound) {
                _ = try await client.call("applicant.create", ["company_id": "00000000-0000-0000-0000-000000000001", "name": "王", "id_number": .string(residentID(32))])
            }
            #expect(try await client.call("applicant.list")["applicants"]?.arrayValue?.count == 1)
        }
    }

    @Test("the points estimate itemises indicators against the 120 standard")
    func estimate() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            let f = try await Fixture.make(client, n: 41)
            let estimate = try await client.call("applicant.estimate", ["id": f.applicantID, "as_of": "2026-06-01"])
            #expect(estimate["total"] == 126)
            #expect(estimate["standard"] == 120)
            #expect(estimate["meets_standard"] == true)
            #expect(estimate["is_estimate"] == true)
            #expect((estimate["items"]?.arrayValue ?? []).contains { $0["points"] == 90 })
        }
    }
}
