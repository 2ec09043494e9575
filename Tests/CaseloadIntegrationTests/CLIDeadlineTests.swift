import CaseloadProtocol
import Foundation
import Testing

/// `caseload deadline …`, `expiring`, `calendar …` and `settings …`, run as a subprocess against
/// the shared test server, each test in a fresh agency.
@Suite("caseload CLI: deadlines, the calendar, settings")
struct CLIDeadlineTests {
    typealias Session = CLICaseTests.Session

    /// A fresh agency with a company and an applicant (made over RPC: the CLI is tested below).
    static func setUp(_ n: Int) async throws -> (Session, Fixture) {
        let s = try await Session.make()
        let fixture = try await s.server.withClient(token: s.token) { try await Fixture.make($0, n: n) }
        return (s, fixture)
    }

    static let rows = CLIDocumentTests.rows

    /// The day rows of `calendar list` (the known-years line that follows the table left out).
    static func calendarRows(_ output: String) -> [String] {
        rows(output.components(separatedBy: "\n").filter { !$0.hasPrefix("known years: ") }.joined(separator: "\n"))
    }

    /// The number after `deadlines moved: ` in a `calendar set` / `calendar import` line.
    static func moved(_ output: String) -> Int? {
        guard let range = output.range(of: "deadlines moved: ") else { return nil }
        return Int(output[range.upperBound...].prefix { $0.isNumber })
    }

    /// The applicant's permit received on 2026-09-30 and a points case opened: the account may be
    /// opened 3 working days later, past the National Day holiday (10-01..10-07), on Saturday
    /// 2026-10-10, a make-up workday.
    static func accountOpens(_ s: Session, _ f: Fixture) async throws -> (caseID: String, deadline: JSONValue) {
        let applicant = try #require(f.applicantID.stringValue)
        try await s.ok(["applicant", "update", applicant, "--permit-received", "2026-09-30"])
        let caseID = try #require(try await s.json(["case", "open", "--applicant", applicant, "--kind", "points_new"])["id"]?.stringValue)
        let deadline = try #require(try await s.json(["deadline", "list", "--case", caseID, "--rule", "account_opens"]).arrayValue?.first)
        return (caseID, deadline)
    }

    @Test("a derived deadline: listed with weekday and working days left, explained, moved by a calendar edit and moved back")
    func derivedAndMoved() async throws {
        let (s, f) = try await Self.setUp(3101)
        let (caseID, deadline) = try await Self.accountOpens(s, f)
        let id = try #require(deadline["id"]?.stringValue)
        #expect(deadline["due_date"] == "2026-10-10")
        #expect(deadline["base_date"] == "2026-09-30")

        let list = try await s.ok(["deadline", "list", "--case", caseID])
        #expect(list.stdout.hasPrefix("ID"))
        for header in ["DUE", "LEFT", "WHAT", "APPLICANT", "COMPANY", "CASE", "STATE"] {
            #expect(list.stdout.contains(header))
        }
        // Ids as short as the other commands take them back.
        let row = try #require(Self.rows(list.stdout).first { $0.hasPrefix(id.prefix(8) + " ") })
        #expect(row.contains("2026-10-10 Sat"))
        // What is due, by the rule's name in the CLI's language.
        #expect(row.contains("Points account may be created") && !row.contains("可新办账户"))
        // People, not ids: the applicant, the company, the case's kind and stage.
        #expect(row.contains("张伟"))
        #expect(row.contains("测试公司3101"))
        #expect(row.contains("Points — first application Residence permit"))
        #expect(try await s.ok(["deadline", "explain", String(id.prefix(8))]).stdout.contains("Points account may be created"))
        #expect(try await s.ok(["deadline", "explain", String(id.prefix(8)), "--lang", "zh"]).stdout.contains("可新办账户"))
        let left = try #require(deadline["working_days_left"]?.intValue)
        #expect(row.contains("  \(left)  "))
        // An earliest date: open since its day came, never missed or overdue.
        if DeadlineTests.shanghai(0) > "2026-10-10" {
            #expect(left < 0)
            #expect(row.contains("open  window"))
            #expect(!row.contains("overdue"))
        }

        let explain = try await s.ok(["deadline", "explain", id])
        #expect(explain.stdout.contains("2026-10-01"))
        #expect(explain.stdout.contains("2026-09-30 Wed"))
        if left < 0 { #expect(explain.stdout.contains("2026-10-10 Sat  (\(-left) working days ago)")) }
        #expect(explain.stdout.contains("open  window"))
        #expect(explain.stdout.contains("account_opens"))
        #expect(explain.stdout.contains("provisional"))
        let lines = explain.stdout.components(separatedBy: "\n")
        let at = try #require(lines.firstIndex(of: "explanation:"))
        // The explanation on its own indented lines, none wider than the wrap width.
        let explanation = lines[(at + 1)...].prefix { $0.hasPrefix("  ") }
        #expect(explanation.count >= 2)
        #expect(explanation.allSatisfy { $0.count <= 80 })
        #expect(explanation.joined(separator: " ").contains("2026-10-01"))
        #expect(
            explanation.map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ").contains(": opens Saturday 2026-10-10"),
            "a window opens; it is not due")
        #expect(explain.stdout.contains("OLD → NEW"))
        #expect(Self.rows(explain.stdout).first?.contains("created") == true)
        #expect(Self.rows(explain.stdout).first?.contains("- → 2026-10-10") == true)

        let holiday = try await s.ok(["calendar", "set", "2026-10-10", "--holiday", "测试"])
        #expect(holiday.stdout.contains("2026-10-10 is now holiday (测试)"))
        #expect(try #require(Self.moved(holiday.stdout)) >= 1)
        #expect(try await s.json(["deadline", "explain", id])["deadline"]?["due_date"] == "2026-10-12")
        let moved = try await s.ok(["deadline", "explain", id])
        #expect(moved.stdout.contains("2026-10-12 Mon"))
        // The move is recorded; the window stays open.
        let recomputed = try #require(Self.rows(moved.stdout).first { $0.contains("recomputed") })
        #expect(Self.rows(moved.stdout).last == recomputed)
        #expect(recomputed.contains("2026-10-10 → 2026-10-12"))
        #expect(recomputed.contains("calendar changed"))
        let calendar = try await s.ok(["calendar", "list", "--year", "2026"])
        let day = try #require(Self.calendarRows(calendar.stdout).first { $0.hasPrefix("2026-10-10") })
        #expect(day.contains("Sat") && day.contains("holiday") && day.contains("测试") && day.contains("the agency's"))

        let normal = try await s.ok(["calendar", "set", "2026-10-10", "--normal"])
        #expect(try #require(Self.moved(normal.stdout)) >= 1)
        #expect(try await s.json(["deadline", "explain", id])["deadline"]?["due_date"] == "2026-10-10")
        let builtin = try await s.ok(["calendar", "list", "--year", "2026"])
        #expect(builtin.stdout.contains("workday"))
        #expect(!builtin.stdout.contains("测试"))

        // Exactly one of --holiday, --workday, --normal: ArgumentParser refuses the rest.
        #expect(try await s.run(["calendar", "set", "2026-10-10", "--holiday", "x", "--normal"]).status == 64)
        #expect(try await s.run(["calendar", "set", "2026-10-10"]).status == 64)
        let missing = try await s.run(["deadline", "explain", "00000000-0000-0000-0000-000000000000"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("not_found"))
    }

    @Test("calendar import: a UTF-8 file with a byte-order mark and CRLF lines makes its year known")
    func importCalendar() async throws {
        let s = try await Session.make()
        let before = try await s.ok(["calendar", "list", "--year", "2027"])
        let known = try #require(before.stdout.components(separatedBy: "\n").last { $0.hasPrefix("known years: ") })
        #expect(known.contains("2026"))
        #expect(!known.contains("2027"))

        let url = FileManager.default.temporaryDirectory.appendingPathComponent("caseload-calendar-\(UUID()).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        let csv = "\u{FEFF}date,kind,name\r\n2027-01-01,holiday,元旦 New Year\r\n2027-02-07,workday,春节调休 make-up\r\n"
        try Data(csv.utf8).write(to: url)
        let imported = try await s.ok(["calendar", "import", url.path])
        #expect(imported.stdout.contains("imported 2 days for 2027"))
        #expect(Self.moved(imported.stdout) == 0)

        let after = try await s.ok(["calendar", "list", "--year", "2027"])
        let lines = after.stdout.components(separatedBy: "\n")
        #expect(lines.last { $0.hasPrefix("known years: ") }?.contains("2027") == true)
        let days = Self.calendarRows(after.stdout)
        #expect(days.count == 2)
        #expect(days.first?.contains("2027-01-01") == true && days.first?.contains("Fri") == true)
        #expect(days.first?.contains("holiday") == true && days.first?.contains("元旦 New Year") == true)
        #expect(days.last?.contains("2027-02-07") == true && days.last?.contains("workday") == true)
        #expect(days.allSatisfy { $0.contains("the agency's") })
        let json = try await s.json(["calendar", "list", "--year", "2027"])
        #expect(json["days"]?.arrayValue?.map { $0["name"] } == ["元旦 New Year", "春节调休 make-up"])

        // A bad line is reported by number; a file that is not there, before any call.
        try Data("date,kind,name\r\n2027-02-30,holiday,x\r\n".utf8).write(to: url)
        let bad = try await s.run(["calendar", "import", url.path])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("line 2"))
        let absent = try await s.run(["calendar", "import", url.path + ".missing"])
        #expect(absent.status == 1)
        #expect(absent.stderr.contains("cannot read"))
    }

    @Test("overdue and grouped by company, upcoming, waive needs a reason, done, add, expiring")
    func overdueGroupedAndExpiring() async throws {
        let (s, a) = try await Self.setUp(3103)
        // A's account may be opened since 2026-10-10: an earliest date, never overdue.
        _ = try await Self.accountOpens(s, a)
        try await s.ok(["applicant", "update", try #require(a.applicantID.stringValue), "--permit-expiry", DeadlineTests.shanghai(8)])
        let b = try await s.server.withClient(token: s.token) { try await Fixture.make($0, n: 3104) }
        let bApplicant = try #require(b.applicantID.stringValue)
        let expiry = DeadlineTests.shanghai(10)
        try await s.ok(["applicant", "update", bApplicant, "--permit-expiry", expiry])

        // Overdue: A's 30-day reminder (22 days ago) and B's (20 days ago); not A's account opening.
        let overdueJSON = try #require(try await s.json(["deadline", "list", "--overdue"]).arrayValue)
        #expect(overdueJSON.compactMap { $0["rule"]?.stringValue } == ["renewal_reminder_30", "renewal_reminder_30"])
        #expect(overdueJSON.map { $0["applicant_id"] } == [a.applicantID, b.applicantID])
        let opens = try #require(overdueJSON.first)
        let reminder = try #require(overdueJSON.last)
        let reminderID = try #require(reminder["id"]?.stringValue)
        let overdue = try await s.ok(["deadline", "list", "--overdue"])
        let overdueRows = Self.rows(overdue.stdout)
        #expect(overdueRows.count == 2)
        #expect(overdueRows.allSatisfy { $0.contains("overdue") })
        // In English a rule's deadline is named by the rule's English name, with no Chinese left in.
        #expect(overdueRows.allSatisfy { $0.contains("Renewal reminder, 30 days before expiry") && !$0.contains("续办提醒") })
        let overdueZh = try await s.ok(["deadline", "list", "--overdue", "--lang", "zh"])
        #expect(Self.rows(overdueZh.stdout).allSatisfy { $0.contains("续办提醒（30天）") && !$0.contains("Renewal reminder") })
        #expect(overdueRows.last?.hasPrefix(reminderID.prefix(8)) == true)
        #expect(overdueRows.last?.contains("  \(reminder["working_days_left"]?.intValue ?? 0)  ") == true)
        #expect((reminder["working_days_left"]?.intValue ?? 0) < 0)

        // By company: A first (its earliest date is earlier), each heading followed by its own rows.
        let grouped = try await s.ok(["deadline", "list", "--overdue", "--by-company"])
        let lines = grouped.stdout.components(separatedBy: "\n")
        let headings = lines.filter { $0.hasPrefix("COMPANY ") }
        let shortA = try #require(a.companyID.stringValue?.split(separator: "-").first)
        let shortB = try #require(b.companyID.stringValue?.split(separator: "-").first)
        #expect(headings == ["COMPANY \(shortA)  测试公司3103  (1)", "COMPANY \(shortB)  测试公司3104  (1)"])
        let first = try #require(lines.firstIndex(of: headings[0]))
        let second = try #require(lines.firstIndex(of: headings[1]))
        #expect(lines[first + 3].hasPrefix(opens["id"]?.stringValue?.prefix(8) ?? "?"))
        #expect(lines[second + 3].hasPrefix(reminderID.prefix(8)))
        #expect(lines[first + 1] == lines[second + 1] && lines[first + 1].hasPrefix("ID"))
        let groupedJSON = try await s.json(["deadline", "list", "--by-company"])
        #expect(groupedJSON.arrayValue?.map { $0["company_id"] } == [a.companyID, b.companyID])
        #expect(groupedJSON.arrayValue?.allSatisfy { group in
            (group["deadlines"]?.arrayValue ?? []).allSatisfy { $0["company_id"] == group["company_id"] }
        } == true)
        let dues = groupedJSON.arrayValue?.first?["deadlines"]?.arrayValue?.compactMap { $0["due_date"]?.stringValue } ?? []
        #expect(dues.count >= 2 && dues == dues.sorted())

        let upcoming = try await s.json(["deadline", "list", "--upcoming", "5", "--applicant", bApplicant])
        #expect(upcoming.arrayValue?.compactMap { $0["rule"]?.stringValue } == ["renewal_reminder_7"])
        let withMissed = try await s.json(["deadline", "list", "--upcoming", "5", "--include-missed", "--applicant", bApplicant])
        #expect(withMissed.arrayValue?.compactMap { $0["rule"]?.stringValue } == ["renewal_reminder_30", "renewal_reminder_7"])
        #expect(try await s.run(["deadline", "list", "--include-missed"]).status == 64)
        #expect(try await s.run(["deadline", "list", "--overdue", "--state", "done"]).status == 64)

        // Waive needs a reason (refused by ArgumentParser, nothing sent); with one it is recorded.
        let noReason = try await s.run(["deadline", "waive", reminderID])
        #expect(noReason.status == 64)
        #expect(noReason.stderr.contains("--reason"))
        #expect(try await s.json(["deadline", "explain", reminderID])["deadline"]?["state"] == "missed")
        let waived = try await s.ok(["deadline", "waive", reminderID, "--reason", "已提前续办"])
        #expect(waived.stdout.contains("waived"))
        #expect(waived.stdout.contains("已提前续办"))
        #expect(try await s.json(["deadline", "list", "--overdue"]).arrayValue?.map { $0["id"] } == [opens["id"]])
        #expect(try await s.json(["deadline", "list", "--state", "waived"]).arrayValue?.map { $0["id"] } == [reminder["id"]])

        let seven = try #require(upcoming.arrayValue?.last?["id"]?.stringValue)
        let done = try await s.json(["deadline", "done", seven, "--note", "已电话提醒"])
        #expect(done["state"] == "done")
        #expect(done["reason"] == "已电话提醒")
        let refused = try await s.run(["deadline", "waive", seven, "--reason", "x"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("transition"))

        let due = DeadlineTests.shanghai(3)
        let added = try await s.ok(["deadline", "add", "--applicant", bApplicant, "--title", "补交社保证明", "--due", due, "--note", "街道要求"])
        #expect(added.stdout.contains("补交社保证明"))
        #expect(added.stdout.contains("- (set by hand)"))
        #expect(added.stdout.contains("街道要求"))
        #expect(added.stdout.contains(due + " "))
        #expect(try await s.run(["deadline", "add", "--title", "x", "--due", due]).status == 64)
        #expect(try await s.run(["deadline", "add", "--applicant", bApplicant, "--case", bApplicant, "--title", "x", "--due", due]).status == 64)

        // Expiring within 30 days: A (8 days) and B (10 days), with their masked ID numbers.
        let expiring = try await s.ok(["expiring", "--days", "30"])
        #expect(expiring.stdout.contains("DAYS LEFT"))
        let expiringRows = Self.rows(expiring.stdout)
        #expect(expiringRows.count == 2)
        let row = try #require(expiringRows.last)
        #expect(row.hasPrefix(bApplicant))
        #expect(row.contains("张伟"))
        #expect(row.contains("*") && !row.contains(b.idNumber))
        #expect(row.contains(expiry))
        #expect(row.hasSuffix("  10"))
        #expect(row.contains("测试公司3104"))
        // The applicant list names the company too, not by a fragment of its id.
        let listed = Self.rows(try await s.ok(["applicant", "list"]).stdout)
        #expect(listed.count == 2)
        #expect(listed.contains { $0.hasPrefix(bApplicant) && $0.contains("测试公司3104") && !$0.contains(shortB) })
        #expect(try await s.json(["expiring", "--days", "5"]) == [])
        #expect(try await s.json(["expiring", "--days", "9"]).arrayValue?.map { $0["id"] } == [a.applicantID])
    }

    @Test("settings: show, set, the default subcommand, a bad value refused")
    func settings() async throws {
        let s = try await Session.make()
        #expect(try await s.ok(["settings", "show"]).stdout.contains("auto_open_renewals  false"))
        let set = try await s.ok(["settings", "set", "--auto-open-renewals", "true"])
        #expect(set.stdout.contains("true"))
        #expect(try await s.ok(["settings", "show"]).stdout.contains("auto_open_renewals  true"))
        #expect(try await s.ok(["settings"]).stdout.contains("true"))
        #expect(try await s.json(["settings", "show"])["auto_open_renewals"] == true)
        #expect(try await s.run(["settings", "set", "--auto-open-renewals", "maybe"]).status == 64)
        #expect(try await s.json(["settings", "set", "--auto-open-renewals", "false"])["auto_open_renewals"] == false)
        #expect(try await s.ok(["settings", "show"]).stdout.contains("false"))
    }
}
