import CaseloadClient
import CaseloadProtocol
import CaseloadStorage
import Foundation
import PostgresNIO
import Testing

/// `agenda.get` and `caseload today` / `agenda`: the day's work of a caseload, by company.
@Suite("The agenda over TCP and through the CLI")
struct AgendaTests {
    typealias Session = CLICaseTests.Session

    static func items(_ agenda: JSONValue, company: JSONValue) -> [JSONValue] {
        agenda["companies"]?.arrayValue?.first { $0["company_id"] == company }?["items"]?.arrayValue ?? []
    }

    @Test("overdue and due dates, a window open now, a late case and an original out too long: each by name, with the call that acts on it; a consultant sees only their companies")
    func agenda() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        let s = Session(server: server, token: agency.token)
        let (a, b, opened, document) = try await server.withClient(token: s.token) { client async throws in
            let a = try await Fixture.make(client, n: 701)
            let b = try await Fixture.make(client, n: 702)
            // A: the account may be created since 2026-10-10 (open window); the permit expires in
            // 8 days (the 30-day reminder is overdue, the 7-day one due tomorrow).
            _ = try await client.call("applicant.update", ["id": a.applicantID, "version": 1, "permit_received_date": "2026-09-30", "permit_expiry_date": .string(DeadlineTests.shanghai(8))])
            let opened = try await client.call("case.open", ["applicant_id": a.applicantID, "kind": "points_new"])
            // B: its permit expires in 33 days (the 30-day reminder falls in the coming week, not
            // today: a fixed expiry would fall due as the calendar moves on), a case late in its
            // stage, and a diploma with the talent center for 40 days.
            _ = try await client.call("applicant.update", ["id": b.applicantID, "version": 1, "permit_expiry_date": .string(DeadlineTests.shanghai(33))])
            let late = try await client.call("case.open", ["applicant_id": b.applicantID, "kind": "points_new"])
            let doc = try await client.call(
                "document.receive", ["case_id": late["id"]!, "document_type": "graduation_certificate", "form": "original", "from": "王芳 (HR)"])
            let out = try await client.call("document.handover", ["id": doc["id"]!, "version": doc["version"]!, "authority": "talent_center"])
            let lateID = try #require(late["id"]?.stringValue.flatMap(UUID.init(uuidString:)))
            let docID = try #require(out["id"]?.stringValue.flatMap(UUID.init(uuidString:)))
            try await server.database.admin { connection in
                try await connection.query("UPDATE cases SET stage_due_at = now() - interval '2 days' WHERE case_id = \(lateID)", logger: TestDatabase.logger)
                try await connection.query("UPDATE documents SET holder_since = now() - interval '40 days' WHERE document_id = \(docID)", logger: TestDatabase.logger)
            }
            return (a, b, opened, out)
        }
        try await server.withClient(token: s.token) { client async throws in
            let today = try await client.call("agenda.get")
            #expect(today["date"] == .string(DeadlineTests.shanghai(0)))
            let mine = Self.items(today, company: a.companyID)
            #expect(mine.map { $0["kind"] } == ["overdue", "opens"])
            let overdue = try #require(mine.first)
            #expect(overdue["applicant_name"] == "张伟")
            #expect(overdue["action"]?["method"] == "deadline.done")
            #expect((overdue["days"]?.intValue ?? 0) < 0)
            let opens = try #require(mine.last)
            #expect(opens["date"] == "2026-10-10")
            #expect(opens["title_zh"] == "可新办账户")
            #expect(opens["title_en"] == "Points account may be created")
            #expect(opens["title"] == "可新办账户 Points account may be created")
            // The step to take now toward the account: the employer's registration comes first.
            #expect(opens["action"] == ["method": "case.advance", "params": ["id": opened["id"]!, "to": "employer_ready"]])
            let theirs = Self.items(today, company: b.companyID)
            // B's permit came on 2026-01-05 (the fixture's), so its account may be created too.
            #expect(theirs.map { $0["kind"] } == ["opens", "late_case", "original_out"])
            #expect(theirs.last?["document_id"] == document["id"])
            #expect(theirs.last?["days"] == 40)
            #expect(theirs.last?["action"]?["params"]?["authority"] == "talent_center")
            // A's overdue date makes it the more urgent company.
            #expect(today["companies"]?.arrayValue?.map { $0["company_id"] } == [a.companyID, b.companyID])
            #expect(today["counts"] == ["overdue": 1, "due": 0, "opens": 2, "late_case": 1, "original_out": 1])

            // The week adds the 7-day reminder, due tomorrow; 50 days out hides the diploma.
            let week = try await client.call("agenda.get", ["days": 5, "originals_out_days": 50])
            #expect(Self.items(week, company: a.companyID).map { $0["kind"] } == ["overdue", "due", "opens"])
            // B's 30-day reminder (its permit expires in 33 days) falls in the week too.
            #expect(Self.items(week, company: b.companyID).map { $0["kind"] } == ["due", "opens", "late_case"])
        }

        // A consultant of A sees A's lines only; through the CLI, each with its command.
        let consultant = Session(server: server, token: try await AdminStoreHelper.consultant(of: a.companyID, agency: agency, server: server))
        let listed = try await consultant.run(["today", "--json"])
        #expect(listed.status == 0, "\(listed.stderr)")
        let theirs = try listed.json()
        #expect(theirs["companies"]?.arrayValue?.map { $0["company_id"] } == [a.companyID])
        let text = try await consultant.ok(["today"]).stdout
        #expect(text.hasPrefix("AGENDA  \(DeadlineTests.shanghai(0))"))
        #expect(text.contains("COMPANY 测试公司701  (2)"))
        #expect(!text.contains("测试公司702"))
        let caseID = try #require(opened["id"]?.stringValue)
        let opensLine = try #require(text.components(separatedBy: "\n").first { $0.contains("case advance") })
        #expect(opensLine.contains("2026-10-10 Sat"))
        #expect(opensLine.contains("张伟"))
        // The case by its kind and stage in English (agenda lines carry only the Chinese stage name).
        #expect(opensLine.contains("Points — first application Residence permit"))
        #expect(!text.contains("待办") && !text.contains("周六"))
        // What each line is about, in English only: the rule's English name, not 可新办账户.
        #expect(opensLine.contains("Points account may be created") && !opensLine.contains("可新办账户"))
        #expect(!text.contains("续办提醒"))
        // The same day in Chinese: headings, weekday, the case's kind and stage.
        let zh = try await caseload(["today"], server: server, token: consultant.token, extraEnv: ["LANG": "zh_CN.UTF-8"])
        #expect(zh.status == 0, "\(zh.stderr)")
        #expect(zh.stdout.hasPrefix("待办  \(DeadlineTests.shanghai(0))"))
        #expect(zh.stdout.contains("单位 测试公司701  (2)"))
        let zhOpens = try #require(zh.stdout.components(separatedBy: "\n").first { $0.contains("case advance") })
        #expect(zhOpens.contains("2026-10-10 周六") && zhOpens.contains("积分新办 居住证") && !zhOpens.contains("Sat"))
        #expect(zhOpens.contains("可新办账户") && !zhOpens.contains("Points account may be created"))
        #expect(zh.stdout.components(separatedBy: "\n").contains { $0.contains("日期") && $0.contains("申请人") && $0.contains("操作") })
        #expect(opensLine.hasSuffix("caseload case advance \(caseID.prefix(8)) --to employer_ready"))
        // The line's command works as printed.
        let advanced = try await consultant.run(["case", "advance", String(caseID.prefix(8)), "--to", "employer_ready", "--json"])
        #expect(advanced.status == 0, "\(advanced.stderr)")
        #expect(try advanced.json()["stage"] == "employer_ready")
        let week = try await s.ok(["agenda", "--week"]).stdout
        #expect(week.contains("测试公司702") && week.contains("original out") && week.contains("caseload doc collect"))
    }
}

extension AgendaTests {
    @Test("a client company's HR user sees their company's dates and what is missing, in the agenda too; another company's stay out of reach")
    func hrUser() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        let (mine, other, opened, hr) = try await server.withClient(token: agency.token) { owner async throws in
            let mine = try await Fixture.make(owner, n: 711)
            let other = try await Fixture.make(owner, n: 712)
            let opened = try await owner.call("case.open", ["applicant_id": mine.applicantID, "kind": "points_new"])
            _ = try await owner.call("case.open", ["applicant_id": other.applicantID, "kind": "points_new"])
            let hr = try await owner.call("user.create", ["name": "王芳 (HR)", "role": "client", "company_id": mine.companyID])
            return (mine, other, opened, try #require(hr["token"]?.stringValue))
        }
        try await server.withClient(token: hr) { client async throws in
            let deadlines = try await client.call("deadline.list")["deadlines"]?.arrayValue ?? []
            #expect(!deadlines.isEmpty)
            #expect(deadlines.allSatisfy { $0["company_id"] == mine.companyID })
            #expect(deadlines.first?["applicant_name"] == "张伟")
            let refused = await expectRPCError(.forbidden) { _ = try await client.call("deadline.list", ["company_id": other.companyID]) }
            #expect(refused != nil)
            let checklist = try await client.call("case.checklist", ["id": opened["id"]!])
            #expect((checklist["items"]?.arrayValue ?? []).contains { $0["present"] == false })
            let agenda = try await client.call("agenda.get", ["days": 5])
            #expect(agenda["companies"]?.arrayValue?.map { $0["company_id"] } == [mine.companyID])
        }
        let text = try await CLICaseTests.Session(server: server, token: hr).ok(["today"]).stdout
        #expect(text.contains("测试公司711") && !text.contains("测试公司712"))
    }
}
