import CaseloadClient
import CaseloadCore
import CaseloadProtocol
import CaseloadStorage
import Foundation
import PostgresNIO
import Testing

/// `search.find` (names, pinyin, initials, within the caller's caseload) and `case.notice`
/// (the message for a case's next step, from the built-in or the agency's template).
@Suite("Find by name or pinyin, and case notices, over TCP and through the CLI")
struct FindNoticeTests {
    typealias Session = CLICaseTests.Session

    /// Two companies and four applicants: 张伟 and 单田芳 at 明远, 张卫东 and 李娜 at 东方.
    struct World {
        var agency: AdminStore.Created
        var mingyuan: JSONValue
        var dongfang: JSONValue
        var zhangWei: JSONValue
        var zhangWeidong: JSONValue
        var caseID: JSONValue
    }

    static func world(_ server: TestServer, n: Int) async throws -> World {
        let agency = try await server.database.createAgency()
        return try await server.withClient(token: agency.token) { client async throws in
            let a = try await client.call(
                "company.create",
                ["name": "上海明远软件科技有限公司", "org_code": .string(orgCode(n)), "talent_center_status": "activated", "district": "pudong", "hr_name": "王芳"])
            let b = try await client.call("company.create", ["name": "上海东方物流有限公司", "org_code": .string(orgCode(n + 1)), "talent_center_status": "activated"])
            func applicant(_ name: String, _ company: JSONValue, _ i: Int) async throws -> JSONValue {
                try await client.call(
                    "applicant.create",
                    ["company_id": company["id"]!, "name": .string(name), "id_number": .string(residentID(n * 10 + i)), "education_level": "bachelor_degree",
                     "social_insurance_months": 24, "insurance_months_last_12": 12, "permit_received_date": "2026-01-05", "permit_expiry_date": "2030-01-05"])
            }
            let zw = try await applicant("张伟", a, 1)
            _ = try await applicant("单田芳", a, 2)
            let zwd = try await applicant("张卫东", b, 3)
            _ = try await applicant("李娜", b, 4)
            let opened = try await client.call("case.open", ["applicant_id": zw["id"]!, "kind": "points_new"])
            return World(agency: agency, mingyuan: a, dongfang: b, zhangWei: zw, zhangWeidong: zwd, caseID: opened["id"]!)
        }
    }

    static func names(_ found: JSONValue, kind: String = "applicant") -> [String] {
        (found["items"]?.arrayValue ?? []).filter { $0["kind"]?.stringValue == kind }.map {
            (kind == "company" ? $0["company_name"] : $0["applicant_name"])?.stringValue ?? ""
        }
    }

    /// What the CLI prints for an id: its first block.
    static func shortID(_ id: JSONValue) -> String { String((id.stringValue ?? "").prefix { $0 != "-" }) }

    @Test("a Chinese substring, full pinyin, initials and a surname's own reading each find the applicant; their active case follows them; a company by short name or pinyin")
    func find() async throws {
        let server = try await TestServer.shared()
        let w = try await Self.world(server, n: 811)
        try await server.withClient(token: w.agency.token) { client async throws in
            let byName = try await client.call("search.find", ["q": "张伟"])
            #expect(Self.names(byName) == ["张伟"])
            let items = byName["items"]?.arrayValue ?? []
            #expect(items.map { $0["kind"] } == ["applicant", "case"])
            #expect(items.last?["id"] == w.caseID)
            #expect(items.last?["case_stage_name_zh"] == "居住证")
            #expect(items.first?["company_short_name"] == "明远软件科技")
            // Masked, never the number itself.
            #expect(items.first?["id_number_masked"]?.stringValue?.contains("*") == true)
            #expect(Self.names(try await client.call("search.find", ["q": "zhangwei"])) == ["张伟", "张卫东"])
            #expect(Self.names(try await client.call("search.find", ["q": "Zhang Wei"])) == ["张伟", "张卫东"])
            #expect(Self.names(try await client.call("search.find", ["q": "zw"])) == ["张伟", "张卫东"])
            #expect(Self.names(try await client.call("search.find", ["q": "zwd"])) == ["张卫东"])
            // 单 as a surname is shan, not dan.
            #expect(Self.names(try await client.call("search.find", ["q": "shantian"])) == ["单田芳"])
            #expect(Self.names(try await client.call("search.find", ["q": "dantian"])) == [])
            #expect(Self.names(try await client.call("search.find", ["q": "伟"])) == ["张伟"])
            #expect(Self.names(try await client.call("search.find", ["q": "明远"]), kind: "company") == ["上海明远软件科技有限公司"])
            #expect(Self.names(try await client.call("search.find", ["q": "mingyuan"]), kind: "company") == ["上海明远软件科技有限公司"])
            #expect(Self.names(try await client.call("search.find", ["q": "dfwl"]), kind: "company") == ["上海东方物流有限公司"])
            // A renamed applicant is found by the new name's pinyin only.
            let renamed = try await client.call("applicant.update", ["id": w.zhangWeidong["id"]!, "version": 1, "name": "曾卫东"])
            #expect(renamed["name"] == "曾卫东")
            #expect(Self.names(try await client.call("search.find", ["q": "zengwei"])) == ["曾卫东"])
            #expect(Self.names(try await client.call("search.find", ["q": "zhangweidong"])) == [])
        }
    }

    @Test("a consultant finds only their companies' applicants; a client company's HR user only their own company's")
    func confined() async throws {
        let server = try await TestServer.shared()
        let w = try await Self.world(server, n: 821)
        let consultant = try await AdminStoreHelper.consultant(of: w.dongfang["id"]!, agency: w.agency, server: server)
        try await server.withClient(token: consultant) { client async throws in
            #expect(Self.names(try await client.call("search.find", ["q": "zhang"])) == ["张卫东"])
            #expect(Self.names(try await client.call("search.find", ["q": "张伟"])) == [])
            #expect(Self.names(try await client.call("search.find", ["q": "mingyuan"]), kind: "company") == [])
        }
        let companyID = try #require(w.mingyuan["id"]?.stringValue.flatMap(UUID.init(uuidString:)))
        let clientToken = try await server.database.admin { connection in
            try await AdminStore.createUser(agency: w.agency.agencyID, name: "HR 王芳", role: .client, company: companyID, on: connection, logger: TestDatabase.logger).token
        }
        try await server.withClient(token: clientToken) { client async throws in
            #expect(Self.names(try await client.call("search.find", ["q": "zw"])) == ["张伟"])
            #expect(Self.names(try await client.call("search.find", ["q": "李娜"])) == [])
        }
    }

    @Test("q is required, 1 to 50 characters, not blank, no NUL: each refusal names the field")
    func badQuery() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            for bad: JSONValue in [[:], ["q": ""], ["q": .string(String(repeating: "张", count: 51))], ["q": "a\u{0}b"], ["q": 5], ["q": "zw", "limit": 0]] {
                let error = await expectRPCError(.invalidParams) { _ = try await client.call("search.find", bad) }
                #expect(error.map { WireJSON.string($0.data ?? .null).contains("q") || WireJSON.string($0.data ?? .null).contains("limit") } == true, "\(bad)")
            }
            let blank = await expectRPCError(.invalidParams) { _ = try await client.call("search.find", ["q": "   "]) }
            #expect(WireJSON.string(blank?.data ?? .null).contains("\"q\"") || blank?.message.contains("q") == true)
        }
    }

    @Test("the notice for a case's next step names the district talent center, the missing papers and the due date counted in working days; the agency's template replaces the built-in one; a bad template is refused and changes nothing")
    func notice() async throws {
        let server = try await TestServer.shared()
        let w = try await Self.world(server, n: 831)
        let today = CalendarDate(shanghai: Date())
        let due = today.adding(days: 12)
        let left = ChineseCalendar.builtin.workingDaysLeft(to: due, from: today)
        try await server.withClient(token: w.agency.token) { client async throws in
            _ = try await client.call("deadline.add", ["case_id": w.caseID, "title": "单位开通", "due_date": .string(due.iso)])
            let hr = try await client.call("case.notice", ["id": w.caseID, "audience": "hr"])
            #expect(hr["step"] == "employer_ready")
            #expect(hr["template_source"] == "builtin")
            let text = try #require(hr["text"]?.stringValue)
            #expect(text.contains("王芳您好"))
            #expect(text.contains("浦东新区人才服务中心"))
            #expect(text.contains(CaseNotice.chinese(due)))
            #expect(text.contains("还有\(left)个工作日"))
            // The employer's registration papers, as the checklist lacks them, with their form.
            #expect(text.contains("单位IC卡（原件）"))
            #expect(!text.contains("{"))
            let applicant = try await client.call("case.notice", ["id": w.caseID])
            #expect(applicant["audience"] == "applicant")
            #expect(applicant["text"]?.stringValue?.hasPrefix("张伟您好") == true)

            let body = "{applicant_name}：请于{by_date}前到{talent_center}。"
            let set = try await client.call("notice.set_template", ["case_kind": "points_new", "step": "employer_ready", "audience": "applicant", "body": .string(body)])
            #expect(set["source"] == "agency")
            let own = try await client.call("case.notice", ["id": w.caseID, "audience": "applicant"])
            #expect(own["template_source"] == "agency")
            #expect(own["text"] == .string("张伟：请于\(CaseNotice.chinese(due))前到浦东新区人才服务中心。"))

            for (bad, rule) in [("{applicant_nam}您好", "placeholder"), ("您好{by_date", "placeholder")] {
                let error = await expectRPCError(.validationFailed) {
                    _ = try await client.call("notice.set_template", ["case_kind": "points_new", "step": "employer_ready", "audience": "applicant", "body": .string(bad)])
                }
                #expect(error?.data?["errors"]?.arrayValue?.first?["field"] == "body")
                #expect(error?.data?["errors"]?.arrayValue?.first?["rule"] == .string(rule))
            }
            let typo = await expectRPCError(.validationFailed) {
                _ = try await client.call("notice.set_template", ["case_kind": "points_new", "step": "employer_redy", "audience": "hr", "body": "x"])
            }
            #expect(typo?.message.contains("employer_ready") == true || WireJSON.string(typo?.data ?? .null).contains("employer_ready"))
            // Nothing changed: the agency's text is still the one stored.
            #expect(try await client.call("case.notice", ["id": w.caseID])["text"] == own["text"])
            let listed = try await client.call("notice.list_templates", ["case_kind": "points_new"])["templates"]?.arrayValue ?? []
            #expect(listed.filter { $0["source"] == "agency" }.map { $0["step"] } == ["employer_ready"])

            _ = try await client.call("notice.reset_template", ["case_kind": "points_new", "step": "employer_ready", "audience": "applicant"])
            #expect(try await client.call("case.notice", ["id": w.caseID])["template_source"] == "builtin")
        }
        // A consultant renders notices but does not change the agency's texts.
        let consultant = try await AdminStoreHelper.consultant(of: w.mingyuan["id"]!, agency: w.agency, server: server)
        try await server.withClient(token: consultant) { client async throws in
            _ = try await client.call("case.notice", ["id": w.caseID])
            _ = await expectRPCError(.forbidden) {
                _ = try await client.call("notice.set_template", ["case_kind": "points_new", "step": "account", "audience": "hr", "body": "x"])
            }
        }
    }

    @Test("names stored before the pinyin columns are filled by the migration's backfill")
    func backfill() async throws {
        let server = try await TestServer.shared()
        let w = try await Self.world(server, n: 841)
        let agency = w.agency.agencyID
        try await server.database.admin { connection in
            try await connection.query("UPDATE applicants SET name_pinyin = NULL, name_initials = NULL WHERE agency_id = \(agency)", logger: TestDatabase.logger)
            try await connection.query("UPDATE companies SET name_pinyin = NULL, name_initials = NULL WHERE agency_id = \(agency)", logger: TestDatabase.logger)
        }
        try await server.withClient(token: w.agency.token) { client async throws in
            #expect(Self.names(try await client.call("search.find", ["q": "zw"])) == [])
        }
        let filled = try await Migrator(url: server.database.adminURL, logger: TestDatabase.logger).fillNamePinyin(batch: 3)
        #expect(filled.applicants >= 4)
        #expect(filled.companies >= 2)
        try await server.withClient(token: w.agency.token) { client async throws in
            #expect(Self.names(try await client.call("search.find", ["q": "zw"])) == ["张伟", "张卫东"])
            #expect(Self.names(try await client.call("search.find", ["q": "mingyuan"]), kind: "company") == ["上海明远软件科技有限公司"])
        }
    }

    @Test("caseload find prints a table; caseload notice prints the text only; --company takes a name")
    func cli() async throws {
        let server = try await TestServer.shared()
        let w = try await Self.world(server, n: 851)
        let s = Session(server: server, token: w.agency.token)
        let found = try await s.ok(["find", "zw", "--lang", "zh"])
        #expect(found.stdout.contains("张伟"))
        #expect(found.stdout.contains("张卫东"))
        #expect(found.stdout.contains("积分新办 居住证"))
        #expect(found.stdout.contains(Self.shortID(w.caseID)))
        let json = try await s.ok(["find", "张伟", "--json"]).json()
        #expect(json.arrayValue?.count == 2)
        let notice = try await s.ok(["notice", Self.shortID(w.caseID), "--to", "hr"])
        #expect(notice.stdout.hasPrefix("王芳您好"))
        #expect(notice.stdout.contains("浦东新区人才服务中心"))
        let noticeJSON = try await s.ok(["notice", Self.shortID(w.caseID), "--json"]).json()
        #expect(noticeJSON["template_source"] == "builtin")
        // --company by a name: the short name, its pinyin, or a unique part.
        let listed = try await s.ok(["applicant", "list", "--company", "明远", "--json"]).json()
        #expect(Set((listed.arrayValue ?? []).compactMap { $0["name"]?.stringValue }) == ["张伟", "单田芳"])
        let byPinyin = try await s.ok(["applicant", "list", "--company", "dongfang", "--json"]).json()
        #expect(Set((byPinyin.arrayValue ?? []).compactMap { $0["name"]?.stringValue }) == ["张卫东", "李娜"])
        let none = try await s.run(["applicant", "list", "--company", "不存在"])
        #expect(none.status != 0)
        #expect(none.stderr.contains("--company"))
        // Both companies' names contain 上海: several are refused, each with its id prefix.
        let several = try await s.run(["applicant", "list", "--company", "上海"])
        #expect(several.status != 0)
        #expect(several.stderr.contains(Self.shortID(w.mingyuan["id"]!)))
        #expect(several.stderr.contains(Self.shortID(w.dongfang["id"]!)))
    }
}
