import CaseloadClient
import CaseloadProtocol
import Foundation
import Testing

@Suite("A refused case.advance in the session's language over TCP")
struct CaseRefusalLanguageTests {
    /// Today in Shanghai and `days` later, as YYYY-MM-DD.
    static func shanghaiISO(plus days: Int = 0) -> String {
        let day = Int((Date().timeIntervalSince1970 + 8 * 3600) / 86400) + days
        return String(Date(timeIntervalSince1970: Double(day) * 86400).formatted(.iso8601).prefix(10))
    }

    @Test("the materials-delivery window refused in Chinese names the same dates, with the same field, rule and data as in English")
    func deliveryWindowInChinese() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        let opens = Self.shanghaiISO(plus: 30)
        let caseID = try await server.withClient(token: agency.token) { client in
            let f = try await Fixture.make(client, n: 417)
            var c = try await client.call("case.open", ["applicant_id": f.applicantID, "kind": "points_new"])
            for stage in ["employer_ready", "account", "information_entered"] { c = try await client.advance(c, to: stage) }
            c = try await client.advance(c, to: "submitted_online", data: ["delivery_open_date": .string(opens), "points_total": 126])
            try await client.receiveMissingDocuments(for: c)
            return c["id"]!
        }
        let data: JSONValue = ["receipt_number": "R1", "delivered_date": .string(Self.shanghaiISO())]
        func refuse(_ client: RPCClient) async throws -> (RPCError?, JSONValue) {
            let c = try await client.call("case.get", ["id": caseID])
            let error = await expectRPCError(.validationFailed) { _ = try await client.advance(c, to: "materials_delivered", data: data) }
            return (error, c)
        }
        let (english, before) = try await server.withClient(token: agency.token) { try await refuse($0) }
        let (chinese, after) = try await server.withClient { client in
            _ = try await client.call("auth.login", ["token": .string(agency.token), "language": "zh"])
            return try await refuse(client)
        }
        // Same code, fields and rules; only the words differ. Nothing changed either time.
        #expect(english?.code == chinese?.code)
        #expect(english?.fieldRules.map { "\($0.field)/\($0.rule)" } == ["to/not_before_recorded_date"])
        #expect(chinese?.fieldRules.map { "\($0.field)/\($0.rule)" } == english?.fieldRules.map { "\($0.field)/\($0.rule)" })
        #expect(after["version"] == before["version"] && after["stage"] == "submitted_online")

        let englishEntry = try #require(english?.data?["errors"]?.arrayValue?.first?["message"]?.stringValue)
        let chineseEntry = try #require(chinese?.data?["errors"]?.arrayValue?.first?["message"]?.stringValue)
        for date in [opens, Self.shanghaiISO()] {
            #expect(englishEntry.contains(date))
            #expect(chineseEntry.contains(date), "\(chineseEntry) does not name \(date)")
        }
        #expect(chineseEntry.contains("材料递交") && chineseEntry.contains("可递交材料日期") && chineseEntry.contains("之前不能进入"))
        #expect(!chineseEntry.contains("entering"))
        #expect(chinese?.message == "校验失败：to：\(chineseEntry)")
    }
}
