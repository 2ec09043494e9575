import CaseloadCore
import CaseloadProtocol
import CaseloadStorage
import Foundation
import PostgresNIO
import Testing

/// Ids as lists print them (their first characters) are taken wherever an id is, resolved
/// among what the caller may see.
@Suite("Id prefixes over TCP")
struct IDPrefixTests {
    static func prefix(_ id: JSONValue?, _ count: Int = 8) -> JSONValue { .string(String((id?.stringValue ?? "").prefix(count))) }

    @Test("a unique prefix of six or more characters names the record in reads, writes and filters; a bad one names the field and the rule")
    func unique() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            let f = try await Fixture.make(client, n: 601)
            let opened = try await client.call("case.open", ["applicant_id": Self.prefix(f.applicantID), "kind": "points_new"])
            #expect(opened["applicant"]?["id"] == f.applicantID)
            let got = try await client.call("case.get", ["id": Self.prefix(opened["id"], 6)])
            #expect(got["id"] == opened["id"])
            let advanced = try await client.call(
                "case.record", ["id": Self.prefix(opened["id"], 13), "version": got["version"]!, "data": [:]])
            #expect(advanced["version"] == 2)
            let listed = try await client.call("case.list", ["company_id": Self.prefix(f.companyID)])["cases"]?.arrayValue ?? []
            #expect(listed.map { $0["id"] } == [opened["id"]])
            // A whole id in capitals is a uuid as before.
            #expect(try await client.call("company.get", ["id": .string(f.companyID.stringValue!.uppercased())])["id"] == f.companyID)

            for bad in ["be88", "be880g", "be880cefd"] {
                let refused = await expectRPCError(.invalidParams) { _ = try await client.call("case.get", ["id": .string(bad)]) }
                #expect(refused?.fieldRules.map(\.field) == ["id"])
                #expect(refused?.fieldRules.map(\.rule) == ["format"])
            }
            let unknown = await expectRPCError(.notFound) { _ = try await client.call("case.get", ["id": "000000"]) }
            #expect(unknown?.data?["entity"] == "case")
        }
    }

    @Test("a prefix two ids share is refused as ambiguous, naming the param; more characters resolve it")
    func ambiguous() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            let a = try await client.call("company.create", ["name": "同前缀甲", "org_code": .string(orgCode(611))])
            let b = try await client.call("company.create", ["name": "同前缀乙", "org_code": .string(orgCode(612))])
            // Two ids that share their first 8 characters (random ones share 6 once in 16 million).
            let shared = "abcdef12-3456-4"
            for (company, tail) in [(a, "aaa-8aaa-aaaaaaaaaaaa"), (b, "bbb-8bbb-bbbbbbbbbbbb")] {
                let old = try #require(company["id"]?.stringValue.flatMap(UUID.init(uuidString:)))
                let new = try #require(UUID(uuidString: shared + tail))
                try await server.database.admin { connection in
                    try await connection.query("UPDATE companies SET company_id = \(new) WHERE company_id = \(old)", logger: TestDatabase.logger)
                }
            }
            let refused = await expectRPCError(.invalidParams) { _ = try await client.call("company.get", ["id": "abcdef12"]) }
            #expect(refused?.fieldRules.map(\.field) == ["id"])
            #expect(refused?.fieldRules.map(\.rule) == ["ambiguous_prefix"])
            #expect(try await client.call("company.get", ["id": .string(shared + "a")])["name"] == "同前缀甲")
        }
    }

    @Test("a prefix never names what the caller may not see: another agency's records, or a company not assigned to a consultant")
    func confined() async throws {
        let server = try await TestServer.shared()
        let mine = try await server.database.createAgency()
        let theirs = try await server.database.createAgency()
        let (theirCase, theirCompany) = try await server.withClient(token: theirs.token) { client async throws in
            let f = try await Fixture.make(client, n: 621)
            return (try await client.call("case.open", ["applicant_id": f.applicantID, "kind": "points_new"]), f.companyID)
        }
        let (myOther, consultantToken) = try await server.withClient(token: mine.token) { client async throws in
            let assigned = try await Fixture.make(client, n: 622)
            let other = try await Fixture.make(client, n: 623)
            let c = try await client.call("case.open", ["applicant_id": other.applicantID, "kind": "points_new"])
            return (c, try await AdminStoreHelper.consultant(of: assigned.companyID, agency: mine, server: server))
        }
        try await server.withClient(token: mine.token) { client async throws in
            for (method, id) in [("case.get", theirCase["id"]), ("company.get", theirCompany)] {
                let refused = await expectRPCError(.notFound) { _ = try await client.call(method, ["id": Self.prefix(id)]) }
                #expect(refused != nil)
            }
        }
        try await server.withClient(token: consultantToken) { client async throws in
            let refused = await expectRPCError(.notFound) { _ = try await client.call("case.get", ["id": Self.prefix(myOther["id"])]) }
            #expect(refused != nil)
        }
    }
}
