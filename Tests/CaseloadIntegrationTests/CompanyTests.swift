import CaseloadClient
import CaseloadProtocol
import CaseloadStorage
import NIOCore
import PostgresNIO
import Foundation
import Testing

@Suite("Client companies over TCP")
struct CompanyTests {
    static let validCredit = "91350200776049653A"
    static let validOrg = "77604965-3"

    func count(_ client: RPCClient) async throws -> Int {
        try await client.call("company.list", ["limit": 500])["companies"]?.arrayValue?.count ?? -1
    }

    @Test("create, get, list and update round trip, with normalised codes and a masked phone")
    func roundTrip() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            let created = try await client.call(
                "company.create",
                [
                    "name": "上海某某科技有限公司", "credit_code": " 91350200776049653a ", "org_code": "776049653",
                    "district": "浦东", "hr_name": "王芳", "hr_phone": "138-0013-8001",
                ])
            #expect(created["credit_code"] == .string(Self.validCredit))
            #expect(created["org_code"] == .string(Self.validOrg))
            #expect(created["district"] == "pudong")
            #expect(created["district_name"] == "浦东新区")
            #expect(created["hr_phone"] == "138****8001")
            #expect(created["talent_center_status"] == "unregistered")
            #expect(created["version"] == 1)
            let id = try #require(created["id"]?.stringValue)

            #expect(try await client.call("company.get", ["id": .string(id)]) == created)
            let listed = try await client.call("company.list")["companies"]?.arrayValue
            #expect(listed == [created])

            let updated = try await client.call(
                "company.update", ["id": .string(id), "version": 1, "talent_center_status": "registered_online", "hr_name": .null])
            #expect(updated["version"] == 2)
            #expect(updated["talent_center_status"] == "registered_online")
            #expect(updated["hr_name"] == .null)
            #expect(updated["name"] == created["name"])
            // The talent-center status moves only along its own machine.
            let skip = await expectRPCError(.validationFailed) {
                _ = try await client.call("company.update", ["id": .string(id), "version": 2, "talent_center_status": "unregistered"])
            }
            #expect(skip?.fieldRules.first?.rule == "transition")
            #expect(updated["hr_phone"] == created["hr_phone"])

            // The phone is stored sealed, never in plaintext, and the update (which did not send it) kept it.
            let (plain, sealed, key) = try await server.database.admin { connection in
                try await connection.query(
                    "SELECT hr_phone, hr_phone_sealed, hr_phone_key FROM companies WHERE company_id = \(UUID(uuidString: id)!)", logger: TestDatabase.logger
                ).collect().first!.decode((String?, ByteBuffer, String).self)
            }
            #expect(plain == nil)
            let cipher = try PIICipher(activeKey: testKeys.piiKey, lookupKey: testKeys.lookupKey)
            #expect(try cipher.open(Array(sealed.readableBytesView), keyID: key) == "13800138001")
        }
    }

    @Test("a stale version is refused with the current version, and nothing changes")
    func staleVersion() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            let c = try await client.call("company.create", ["name": "A", "credit_code": .string(Self.validCredit)])
            let id = c["id"]!
            _ = try await client.call("company.update", ["id": id, "version": 1, "name": "B"])
            let error = await expectRPCError(.conflict) {
                _ = try await client.call("company.update", ["id": id, "version": 1, "name": "C"])
            }
            #expect(error?.data?["current_version"] == 2)
            #expect(try await client.call("company.get", ["id": id])["name"] == "B")
        }
    }

    @Test("two concurrent updates with the same version: exactly one wins")
    func concurrentUpdates() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        let id = try await server.withClient(token: agency.token) { client async throws in
            try await client.call("company.create", ["name": "Race", "credit_code": .string(Self.validCredit)])["id"]!
        }
        let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for name in ["X", "Y", "Z", "W"] {
                group.addTask {
                    try await server.withClient(token: agency.token) { client async throws in
                        (try? await client.call("company.update", ["id": id, "version": 1, "name": .string(name)])) != nil
                    }
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 1)
    }

    @Test("bad input names the field and the rule, and changes nothing")
    func validationErrors() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            // Domain rules: -32005 with each field.
            var e = await expectRPCError(.validationFailed) {
                _ = try await client.call("company.create", ["name": "X", "credit_code": "91350200776049653B", "hr_phone": "12345", "district": "东京"])
            }
            let rules = Set((e?.fieldRules ?? []).map { "\($0.field):\($0.rule)" })
            #expect(rules == ["credit_code:checksum", "hr_phone:format", "district:district"])

            e = await expectRPCError(.validationFailed) { _ = try await client.call("company.create", ["name": "X"]) }
            #expect(e?.fieldRules.map(\.field) == ["credit_code"])
            #expect(e?.fieldRules.map(\.rule) == ["required"])

            e = await expectRPCError(.validationFailed) { _ = try await client.call("company.create", ["name": "X", "org_code": "77604965-4"]) }
            #expect(e?.fieldRules.first?.field == "org_code")
            #expect(e?.fieldRules.first?.rule == "checksum")

            // Shape: -32602 with each field.
            e = await expectRPCError(.invalidParams) {
                _ = try await client.call("company.create", ["credit_code": 91350200, "colour": "red", "talent_center_status": "done"])
            }
            let shape = Set((e?.fieldRules ?? []).map { "\($0.field):\($0.rule)" })
            #expect(shape == ["name:required", "credit_code:type", "colour:unknown_field", "talent_center_status:enum"])

            await expectRPCError(.invalidParams) { _ = try await client.call("company.get", ["id": "not-a-uuid"]) }
            await expectRPCError(.invalidParams) { _ = try await client.call("company.list", ["limit": 0]) }
            await expectRPCError(.invalidParams) { _ = try await client.call("company.list", ["cursor": "garbage"]) }
            #expect(try await count(client) == 0)
        }
    }

    @Test("a failing checksum is accepted only with an override reason, which is stored")
    func checksumOverride() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            let c = try await client.call(
                "company.create",
                ["name": "老企业", "credit_code": "91350200776049653B", "credit_code_override": "营业执照原件核对，早期代码"])
            #expect(c["credit_code"] == "91350200776049653B")
            #expect(c["credit_code_override"] == "营业执照原件核对，早期代码")
            // An override on a valid code explains nothing and is not kept.
            let d = try await client.call(
                "company.create", ["name": "新企业", "credit_code": .string(Self.validCredit), "credit_code_override": "unneeded"])
            #expect(d["credit_code_override"] == .null)
        }
    }

    @Test("a duplicate credit code in the same agency is a conflict naming the field")
    func duplicateCode() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            _ = try await client.call("company.create", ["name": "One", "credit_code": .string(Self.validCredit)])
            let e = await expectRPCError(.conflict) {
                _ = try await client.call("company.create", ["name": "Two", "credit_code": .string(Self.validCredit.lowercased())])
            }
            #expect(e?.fieldRules.first?.field == "credit_code")
            #expect(try await count(client) == 1)
        }
    }

    @Test("keyset pagination walks every company once, in name order, with filters")
    func pagination() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            // Same names on purpose: the id breaks ties, so no row is skipped or repeated.
            let names = (0..<7).map { "公司\($0 % 3)" }
            for (i, name) in names.enumerated() {
                _ = try await client.call(
                    "company.create",
                    ["name": .string(name), "org_code": .string(orgCode(i)), "district": i.isMultiple(of: 2) ? "pudong" : "xuhui"])
            }
            var seen: [JSONValue] = []
            var cursor: JSONValue = .null
            var pages = 0
            repeat {
                var params: [String: JSONValue] = ["limit": 3]
                if cursor != .null { params["cursor"] = cursor }
                let page = try await client.call("company.list", .object(params))
                seen += page["companies"]?.arrayValue ?? []
                cursor = page["next_cursor"] ?? .null
                pages += 1
            } while cursor != .null
            #expect(pages == 3)
            #expect(seen.count == 7)
            #expect(Set(seen.compactMap { $0["id"] }).count == 7)
            #expect(seen.compactMap { $0["name"]?.stringValue } == names.sorted())

            let pudong = try await client.call("company.list", ["district": "pudong"])["companies"]?.arrayValue ?? []
            #expect(pudong.count == 4)
            let named = try await client.call("company.list", ["query": "司1"])["companies"]?.arrayValue ?? []
            #expect(named.count == 2)
            let literal = try await client.call("company.list", ["query": "%"])["companies"]?.arrayValue ?? []
            #expect(literal.isEmpty)
        }
    }
}

/// A valid organization code for index `i` (check character computed per GB 11714).
func orgCode(_ i: Int) -> String {
    let body = String(format: "%08d", 10_000_000 + i)
    let weights = [3, 7, 9, 10, 5, 8, 4, 2]
    let sum = zip(body, weights).reduce(0) { $0 + Int(String($1.0))! * $1.1 }
    let c = 11 - sum % 11
    return body + "-" + (c == 10 ? "X" : c == 11 ? "0" : String(c))
}
