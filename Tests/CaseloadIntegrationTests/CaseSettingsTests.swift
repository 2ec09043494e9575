import CaseloadProtocol
import Foundation
import Testing

@Suite("Agency settings: stage times and points rules")
struct CaseSettingsTests {
    @Test("an agency's time allowed sets the due date of cases entering the stage; null restores the default")
    func timeAllowed() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            let before = try await client.call("case.time_allowed", ["kind": "points_new"])["stages"]?.arrayValue ?? []
            let account = try #require(before.first { $0["stage"] == "account" })
            #expect(account["default_days"] == 7 && account["agency_days"] == .null)

            #expect(try await client.call("case.time_allowed.set", ["kind": "points_new", "stage": "employer_ready", "days": 2])["days"] == 2)
            let f = try await Fixture.make(client, n: 901)
            var c = try await client.call("case.open", ["applicant_id": f.applicantID, "kind": "points_new"])
            c = try await client.advance(c, to: "employer_ready")
            let due = try #require(c["stage_due_at"]?.stringValue.flatMap { try? Date($0, strategy: .iso8601) })
            #expect(abs(due.timeIntervalSinceNow - 2 * 86400) < 120)

            #expect(try await client.call("case.time_allowed.set", ["kind": "points_new", "stage": "employer_ready", "days": .null])["days"] == 30)
            let e = await expectRPCError(.validationFailed) {
                _ = try await client.call("case.time_allowed.set", ["kind": "points_new", "stage": "closed", "days": 3])
            }
            #expect(e?.fieldRules.first?.field == "stage")
            await expectRPCError(.invalidParams) {
                _ = try await client.call("case.time_allowed.set", ["kind": "points_new", "stage": "account", "days": 0])
            }
        }
    }

    @Test("an agency's own points rules version applies from its effective date")
    func pointsRulesVersion() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            let f = try await Fixture.make(client, n: 902)
            let versions = try await client.call("points.rules.list")["versions"]?.arrayValue ?? []
            #expect(versions.count == 1)
            guard case .object(var rules) = try #require(versions.first) else { Issue.record("not an object"); return }
            rules["version"] = "agency-2026"
            rules["effectiveFrom"] = "2026-07-01"
            rules["socialInsurancePerYear"] = 10
            #expect(try await client.call("points.rules.add", ["rules": .object(rules)])["version"] == "agency-2026")

            let old = try await client.call("applicant.estimate", ["id": f.applicantID, "as_of": "2026-06-30"])
            let new = try await client.call("applicant.estimate", ["id": f.applicantID, "as_of": "2026-07-01"])
            #expect(old["rules_version"] != "agency-2026")
            #expect(new["rules_version"] == "agency-2026")
            #expect(new["total"]?.intValue == (old["total"]?.intValue ?? 0) + 14)  // 2 years × (10 − 3)

            await expectRPCError(.conflict) { _ = try await client.call("points.rules.add", ["rules": .object(rules)]) }
            let e = await expectRPCError(.validationFailed) { _ = try await client.call("points.rules.add", ["rules": ["version": "x"]]) }
            #expect(e?.fieldRules.first?.field == "rules")
        }
    }

    @Test("the archive check can be overridden too, and the override is listed")
    func overrideArchiveVerified() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            let f = try await Fixture.make(client, n: 903)
            var c = try await client.call("case.open", ["applicant_id": f.applicantID, "kind": "points_new"])
            for (stage, data) in [
                ("employer_ready", [:]), ("account", [:]), ("information_entered", [:]),
                ("submitted_online", ["delivery_open_date": "2026-02-01", "points_total": 126]),
            ] as [(String, JSONValue)] {
                c = try await client.advance(c, to: stage, data: data)
            }
            c = try await client.advance(
                c, to: "materials_delivered", data: ["receipt_number": "R9", "delivered_date": "2026-02-02"],
                override: ["rules": ["documents_complete"], "reason": "材料当场补齐"])
            c = try await client.advance(c, to: "verification")
            c = try await client.call("case.record", ["id": c["id"]!, "version": c["version"]!, "data": ["education_checked": true]])
            // Formal acceptance needs the materials complete (材料补齐) as well as the archive.
            let e = await expectRPCError(.validationFailed) { _ = try await client.advance(c, to: "accepted") }
            #expect(e?.fieldRules.map(\.rule) == ["archive_verified", "documents_complete"])
            await expectRPCError(.validationFailed) {
                _ = try await client.advance(c, to: "accepted", override: ["rules": ["archive_verified"], "reason": "档案已由人才中心电话确认"])
            }
            c = try await client.advance(
                c, to: "accepted", override: ["rules": ["archive_verified", "documents_complete"], "reason": "档案已由人才中心电话确认，材料已补齐"])
            #expect(c["stage"] == "accepted")
            let listed = try await client.call("case.overrides")["entries"]?.arrayValue ?? []
            #expect(listed.first?["overrides"] == ["archive_verified", "documents_complete"])
            #expect(listed.count == 2)
            #expect(listed.first?["case_id"] == c["id"])
        }
    }
}
