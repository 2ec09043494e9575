import CaseloadClient
import CaseloadProtocol
import Foundation
import Testing

@Suite("Deadlines on the Chinese working-day calendar")
struct DeadlineTests {
    /// Today in Shanghai plus `days`, as YYYY-MM-DD.
    static func shanghai(_ days: Int) -> String {
        let d = Int((Date().timeIntervalSince1970 + 8 * 3600) / 86400) + days
        return String(Date(timeIntervalSince1970: Double(d) * 86400).formatted(.iso8601).prefix(10))
    }

    func deadlines(_ client: RPCClient, _ params: JSONValue = [:]) async throws -> [JSONValue] {
        try await client.call("deadline.list", params)["deadlines"]?.arrayValue ?? []
    }

    @Test("a rule is derived from its event with its explanation, and a calendar edit moves it with history")
    func derivedAndRecomputed() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            let f = try await Fixture.make(client, n: 1101)
            _ = try await client.call("applicant.update", ["id": f.applicantID, "version": 1, "permit_received_date": "2026-09-30"])
            let c = try await client.call("case.open", ["applicant_id": f.applicantID, "kind": "points_new"])
            let opens = try #require(try await deadlines(client, ["case_id": c["id"]!, "rule": "account_opens"]).first)
            #expect(opens["base_date"] == "2026-09-30")
            #expect(opens["due_date"] == "2026-10-10")
            #expect(opens["provisional"] == false)
            let explanation = opens["explanation"]?.stringValue ?? ""
            #expect(explanation.contains("2026-10-01"))
            #expect(explanation.contains("2026-10-10"))

            let moved = try await client.call("calendar.set", ["date": "2026-10-10", "kind": "holiday", "name": "测试调整 test"])
            #expect(moved["moved"]?.intValue ?? 0 >= 1)
            let explained = try await client.call("deadline.explain", ["id": opens["id"]!])
            #expect(explained["deadline"]?["due_date"] == "2026-10-12")
            let history = explained["history"]?.arrayValue ?? []
            // An earliest date: open since its day came (it is past), never missed; the calendar edit moved it.
            #expect(explained["deadline"]?["kind"] == "window")
            #expect(explained["deadline"]?["state"] == "open")
            #expect(explained["deadline"]?["overdue"] == false)
            #expect(history.map { $0["action"] } == ["created", "recomputed"])
            let recomputed = try #require(history.last)
            #expect(recomputed["old_due"] == "2026-10-10" && recomputed["new_due"] == "2026-10-12")
            #expect(recomputed["reason"]?.stringValue?.contains("2026-10-10") == true)

            // Back to the built-in day: the date moves back.
            _ = try await client.call("calendar.set", ["date": "2026-10-10", "kind": "normal"])
            #expect(try await client.call("deadline.explain", ["id": opens["id"]!])["deadline"]?["due_date"] == "2026-10-10")
        }
    }

    @Test("counting into a year the calendar does not know is provisional until that year is imported")
    func provisionalPastTheHorizon() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            let f = try await Fixture.make(client, n: 1102)
            _ = try await client.call("applicant.update", ["id": f.applicantID, "version": 1, "permit_received_date": "2026-12-30"])
            let c = try await client.call("case.open", ["applicant_id": f.applicantID, "kind": "points_new"])
            let provisional = try await deadlines(client, ["provisional": true])
            #expect(provisional.map { $0["case_id"] } == [c["id"]])
            // 2027's notice is not out: its statutory days count (Friday 1 January is 元旦), 调休 cannot.
            #expect(provisional.first?["explanation"]?.stringValue?.contains("2027 is not in the calendar yet: statutory days only; 调休 not yet published") == true)
            #expect(provisional.first?["due_date"] == "2027-01-05")
            #expect(provisional.first?["working_days_provisional"] == true, "the days left are counted into 2027 too")

            let imported = try await client.call("calendar.import", ["csv": "date,kind,name\n2027-01-01,holiday,元旦 New Year\n2027-01-04,holiday,测试 test\n"])
            #expect(imported["years"] == [2027])
            #expect(imported["imported"] == 2)
            #expect(try await deadlines(client, ["provisional": true]) == [])
            let fixed = try #require(try await deadlines(client, ["case_id": c["id"]!]).first)
            #expect(fixed["due_date"] == "2027-01-06")  // Dec 31, (Jan 1 and 4 off, weekend), Jan 5, Jan 6
            let e = await expectRPCError(.validationFailed) { _ = try await client.call("calendar.import", ["csv": "date,kind,name\n2027-02-30,holiday,x\n"]) }
            #expect(e?.fieldRules.first?.field.contains("2") == true)
        }
    }

    @Test("permit deadlines: expiring list, overdue and upcoming filters, done and waive")
    func permitDeadlines() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            let soon = try await Fixture.make(client, n: 1103)
            _ = try await client.call("applicant.update", ["id": soon.applicantID, "version": 1, "permit_expiry_date": .string(Self.shanghai(10))])
            let later = try await Fixture.make(client, n: 1104)
            _ = try await client.call("applicant.update", ["id": later.applicantID, "version": 1, "permit_expiry_date": .string(Self.shanghai(100))])

            let expiring = try await client.call("applicant.expiring", ["days": 30])["applicants"]?.arrayValue ?? []
            #expect(expiring.map { $0["id"] } == [soon.applicantID])

            let overdue = try await deadlines(client, ["overdue": true])
            #expect(overdue.compactMap { $0["rule"]?.stringValue } == ["renewal_reminder_30"])
            #expect(overdue.first?["state"] == "missed")
            #expect(overdue.first?["overdue"] == true)
            // What is next, not what is stale: the missed reminder only when asked for.
            let upcoming = try await deadlines(client, ["upcoming_working_days": 5, "applicant_id": soon.applicantID])
            #expect(upcoming.compactMap { $0["rule"]?.stringValue } == ["renewal_reminder_7"])
            let withMissed = try await deadlines(client, ["upcoming_working_days": 5, "applicant_id": soon.applicantID, "include_missed": true])
            #expect(withMissed.compactMap { $0["rule"]?.stringValue } == ["renewal_reminder_30", "renewal_reminder_7"])
            let all = try await deadlines(client, ["applicant_id": soon.applicantID])
            #expect(all.compactMap { $0["due_date"]?.stringValue } == all.compactMap { $0["due_date"]?.stringValue }.sorted())

            let seven = try #require(upcoming.last)
            // A stale version (someone changed it since it was read) is refused, and it stays open.
            let stale = await expectRPCError(.conflict) {
                _ = try await client.call("deadline.done", ["id": seven["id"]!, "version": .int((seven["version"]?.intValue ?? 0) - 1)])
            }
            #expect(stale?.data?["current_version"] == seven["version"])
            #expect(try await client.call("deadline.explain", ["id": seven["id"]!])["deadline"]?["state"] == "open")
            var done = try await client.call("deadline.done", ["id": seven["id"]!, "version": seven["version"]!])
            #expect(done["state"] == "done")
            #expect(done["version"]?.intValue == (seven["version"]?.intValue ?? 0) + 1)
            // Done again changes nothing; a done deadline cannot be waived.
            let again = try await client.call("deadline.done", ["id": seven["id"]!, "version": done["version"]!])
            #expect(again["state"] == "done" && again["version"] == done["version"])
            let doneHistory = try await client.call("deadline.explain", ["id": seven["id"]!])["history"]?.arrayValue ?? []
            #expect(doneHistory.filter { $0["action"] == "done" }.count == 1)
            let final = await expectRPCError(.validationFailed) {
                _ = try await client.call("deadline.waive", ["id": seven["id"]!, "version": done["version"]!, "reason": "x"])
            }
            #expect(final?.fieldRules.first?.rule == "transition")
            await expectRPCError(.invalidParams) { _ = try await client.call("deadline.waive", ["id": overdue[0]["id"]!, "version": overdue[0]["version"]!]) }
            done = try await client.call("deadline.waive", ["id": overdue[0]["id"]!, "version": overdue[0]["version"]!, "reason": "已提前续办"])
            #expect(done["state"] == "waived")
            #expect(try await deadlines(client, ["overdue": true]) == [])

            let manual = try await client.call("deadline.add", ["applicant_id": later.applicantID, "title": "补交社保证明", "due_date": .string(Self.shanghai(3))])
            #expect(manual["rule"] == .null)
            #expect(manual["explanation"]?.stringValue?.contains("owner") == true)
        }
    }

    @Test("with the setting on, a renewal case opens automatically once, never twice")
    func renewalOpensOnce() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            let f = try await Fixture.make(client, n: 1105)
            _ = try await client.call("applicant.update", ["id": f.applicantID, "version": 1, "permit_expiry_date": .string(Self.shanghai(20))])
            _ = try await deadlines(client)
            #expect(try await client.call("case.list", ["kind": "points_renewal"])["cases"] == [])

            #expect(try await client.call("settings.set", ["auto_open_renewals": true])["auto_open_renewals"] == true)
            _ = try await deadlines(client)
            _ = try await deadlines(client)
            let renewals = try await client.call("case.list", ["kind": "points_renewal"])["cases"]?.arrayValue ?? []
            #expect(renewals.count == 1)
            #expect(renewals.first?["applicant"]?["id"] == f.applicantID)
        }
    }
}
