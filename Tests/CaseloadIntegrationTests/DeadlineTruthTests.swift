import CaseloadCore
import CaseloadClient
import CaseloadProtocol
import CaseloadServer
import CaseloadStorage
import Foundation
import PostgresNIO
import Testing

/// Deadlines as a consultant reads them: windows that open and are never missed, dates ended
/// by the events they wait for (over TCP, in the event's own transaction), stored states
/// repaired by the migration, and a progress report that raises no false alarm.
@Suite("Deadlines and case state that tell the truth")
struct DeadlineTruthTests {
    func deadline(_ client: RPCClient, case caseID: JSONValue? = nil, applicant: JSONValue? = nil, rule: String) async throws -> JSONValue? {
        var params: [String: JSONValue] = ["rule": .string(rule)]
        if let caseID { params["case_id"] = caseID }
        if let applicant { params["applicant_id"] = applicant }
        return try await client.call("deadline.list", .object(params))["deadlines"]?.arrayValue?.first
    }

    func history(_ client: RPCClient, _ d: JSONValue?) async throws -> [JSONValue] {
        guard let id = d?["id"] else { return [] }
        return try await client.call("deadline.explain", ["id": id])["history"]?.arrayValue ?? []
    }

    @Test("a first application's dates end as its steps happen: account, delivery, approval, originals collected; none is ever overdue")
    func pointsNewWalk() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            let f = try await Fixture.make(client, n: 1601)
            var c = try await client.call("case.open", ["applicant_id": f.applicantID, "kind": "points_new"])
            // Permit received 2026-01-05: the account could be created from 2026-01-08. Open, not missed.
            var opens = try #require(try await deadline(client, case: c["id"], rule: "account_opens"))
            #expect(opens["kind"] == "window" && opens["state"] == "open" && opens["overdue"] == false)

            c = try await client.advance(c, to: "employer_ready")
            c = try await client.advance(c, to: "account")
            opens = try #require(try await deadline(client, case: c["id"], rule: "account_opens"))
            #expect(opens["state"] == "satisfied")
            #expect(opens["reason"]?.stringValue?.contains("the case reached 新办账户 Account created (account)") == true)
            let satisfied = try await history(client, opens).last
            #expect(satisfied?["action"] == "satisfied")
            #expect(satisfied?["reason"]?.stringValue?.contains("case advance: employer_ready → account") == true)

            // A delivery date still to come: the window waits.
            c = try await client.advance(c, to: "information_entered")
            c = try await client.advance(
                c, to: "submitted_online", data: ["delivery_open_date": .string(DeadlineTests.shanghai(5)), "points_total": 126])
            var delivery = try #require(try await deadline(client, case: c["id"], rule: "delivery_opens"))
            #expect(delivery["state"] == "waiting")
            // Moved into the past (the system showed an earlier date): open, and it may be delivered.
            c = try await client.call(
                "case.record", ["id": c["id"]!, "version": c["version"]!, "data": ["delivery_open_date": .string(DeadlineTests.shanghai(-1))]])
            delivery = try #require(try await deadline(client, case: c["id"], rule: "delivery_opens"))
            #expect(delivery["state"] == "open")
            let documents = try await client.receiveMissingDocuments(for: c)
            c = try await client.advance(c, to: "materials_delivered", data: ["receipt_number": "SJ-1", "delivered_date": .string(DeadlineTests.shanghai(0))])
            #expect(try await deadline(client, case: c["id"], rule: "delivery_opens")?["state"] == "satisfied")

            // The diplomas go to the talent center with the delivery.
            let checklist = try await client.call("case.checklist", ["id": c["id"]!])
            let originals = zip(checklist["items"]?.arrayValue ?? [], documents).filter { $0.0["form"] == "original" }.map(\.1)
            #expect(!originals.isEmpty)
            for id in originals {
                _ = try await client.call("document.handover", ["id": id, "version": try await client.documentVersion(id), "authority": "talent_center"])
            }
            // Handed in is delivered: the checklist is complete without them in the drawer.
            let after = try await client.call("case.checklist", ["id": c["id"]!])
            #expect(after["complete"] == true)
            #expect((after["items"]?.arrayValue ?? []).contains { $0["submitted"] == true && $0["present"] == false })

            c = try await client.advance(c, to: "verification")
            try await client.verifyArchive(f.applicantID)
            c = try await client.call("case.record", ["id": c["id"]!, "version": c["version"]!, "data": ["education_checked": true]])
            c = try await client.advance(c, to: "accepted")
            let review = try #require(try await deadline(client, case: c["id"], rule: "city_review"))
            #expect(review["kind"] == "expectation" && review["state"] == "open")
            c = try await client.advance(c, to: "approved")
            #expect(try await deadline(client, case: c["id"], rule: "city_review")?["state"] == "satisfied")
            let collect = try #require(try await deadline(client, case: c["id"], rule: "originals_collect"))
            #expect(collect["kind"] == "due" && collect["state"] == "open")

            // Collecting every original back discharges it; not before.
            for (index, id) in originals.enumerated() {
                _ = try await client.call("document.collect", ["id": id, "version": try await client.documentVersion(id), "authority": "talent_center"])
                let state = try await deadline(client, case: c["id"], rule: "originals_collect")?["state"]
                #expect(state == (index == originals.count - 1 ? "satisfied" : "open"), "after \(index + 1) of \(originals.count)")
            }
            #expect(try await client.call("deadline.list", ["overdue": true, "case_id": c["id"]!])["deadlines"] == [])
        }
    }

    @Test("withdrawing a case cancels its pending dates, set by hand ones too; an approved renewal satisfies the permit's dates")
    func withdrawnAndRenewed() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            let f = try await Fixture.make(client, n: 1602)
            let c = try await client.call("case.open", ["applicant_id": f.applicantID, "kind": "points_new"])
            let manual = try await client.call("deadline.add", ["case_id": c["id"]!, "title": "补交材料", "due_date": .string(DeadlineTests.shanghai(-3))])
            #expect(manual["state"] == "open" && manual["kind"] == "due")
            _ = try await client.call("case.withdraw", ["id": c["id"]!, "version": c["version"]!, "reason": "客户放弃"])
            let opens = try #require(try await deadline(client, case: c["id"], rule: "account_opens"))
            #expect(opens["state"] == "cancelled")
            #expect(opens["reason"]?.stringValue?.contains("withdrawn") == true)
            #expect(try await client.call("deadline.explain", ["id": manual["id"]!])["deadline"]?["state"] == "cancelled")
            #expect(try await client.call("deadline.list", ["overdue": true])["deadlines"] == [])

            // A permit expiring in 10 days: the 30-day reminder is missed, the 7-day one open.
            let before = try await client.call("applicant.get", ["id": f.applicantID])
            _ = try await client.call(
                "applicant.update", ["id": f.applicantID, "version": before["version"]!, "permit_expiry_date": .string(DeadlineTests.shanghai(10))])
            #expect(try await deadline(client, applicant: f.applicantID, rule: "renewal_reminder_30")?["state"] == "missed")
            var renewal = try await client.call("case.open", ["applicant_id": f.applicantID, "kind": "points_renewal"])
            for stage in ["submitted", "online_review"] { renewal = try await client.advance(renewal, to: stage) }
            #expect(try await deadline(client, applicant: f.applicantID, rule: "renewal_reminder_7")?["state"] == "open")
            renewal = try await client.advance(renewal, to: "approved")
            for rule in ["renewal_reminder_30", "renewal_reminder_7", "points_expire", "lapse_60", "lapse_90"] {
                let d = try await deadline(client, applicant: f.applicantID, rule: rule)
                #expect(d?["state"] == "satisfied", "\(rule): \(d?["state"] ?? "none")")
            }
            // The next permit (a year on) starts its dates afresh.
            let applicant = try await client.call("applicant.get", ["id": f.applicantID])
            _ = try await client.call(
                "applicant.update", ["id": f.applicantID, "version": applicant["version"]!, "permit_expiry_date": .string(DeadlineTests.shanghai(375))])
            let next = try #require(try await deadline(client, applicant: f.applicantID, rule: "renewal_reminder_30"))
            #expect(next["state"] == "open" && next["due_date"] == .string(DeadlineTests.shanghai(345)))
            #expect(try await history(client, next).last?["reason"]?.stringValue?.hasPrefix("a new permit") == true)
        }
    }

    @Test(
        "the migration's data step re-derives stored states from the case history, once, recording 're-derived'",
        .disabled(if: TestDatabase.isShared, "rewrites every agency's dates: needs a database of its own"))
    func migrationRederives() async throws {
        let database = try await TestDatabase.migrated()
        let server = try await TestServer.start(database: database)
        let agency = try await database.createAgency()
        let (passed, withdrawn) = try await server.withClient(token: agency.token) { client async throws -> (JSONValue, JSONValue) in
            let f = try await Fixture.make(client, n: 1603)
            var c = try await client.call("case.open", ["applicant_id": f.applicantID, "kind": "points_new"])
            c = try await client.advance(c, to: "employer_ready")
            c = try await client.advance(c, to: "account")
            let g = try await Fixture.make(client, n: 1604)
            let w = try await client.call("case.open", ["applicant_id": g.applicantID, "kind": "points_new"])
            _ = try await client.call("case.withdraw", ["id": w["id"]!, "version": w["version"]!, "reason": "x"])
            return (c["id"]!, w["id"]!)
        }
        try await server.stop()
        // What an older version stored: both windows missed, the withdrawn case's still pending.
        try await database.admin { connection in
            try await connection.query("ALTER TABLE deadlines DROP CONSTRAINT deadlines_missed_is_due", logger: TestDatabase.logger)
            try await connection.query("UPDATE deadlines SET state = 'missed' WHERE rule_id = 'account_opens'", logger: TestDatabase.logger)
            try await connection.query(
                "ALTER TABLE deadlines ADD CONSTRAINT deadlines_missed_is_due CHECK (state <> 'missed' OR kind = 'due') NOT VALID", logger: TestDatabase.logger)
        }
        let today = CalendarDate(shanghai: Date())
        let summary = try #require(try await DeadlineRederivation.runIfNeeded(url: database.adminURL, today: today, logger: TestDatabase.logger))
        #expect(summary.contains("missed 2 → 0"), "\(summary)")
        #expect(try await DeadlineRederivation.runIfNeeded(url: database.adminURL, today: today, logger: TestDatabase.logger) == nil, "runs once")
        let rows = try await database.admin { connection in
            var out: [(UUID, String, String)] = []
            let rows = try await connection.query(
                """
                SELECT d.case_id, d.state, h.reason FROM deadlines d
                JOIN deadline_history h ON h.agency_id = d.agency_id AND h.deadline_id = d.deadline_id
                WHERE d.rule_id = 'account_opens' AND h.seq = (SELECT max(seq) FROM deadline_history x WHERE x.deadline_id = d.deadline_id)
                """, logger: TestDatabase.logger)
            for try await row in rows.decode((UUID, String, String?).self) { out.append((row.0, row.1, row.2 ?? "")) }
            return out
        }
        let byCase = Dictionary(uniqueKeysWithValues: rows.map { ($0.0.uuidString.lowercased(), ($0.1, $0.2)) })
        #expect(byCase[passed.stringValue ?? ""]?.0 == "satisfied")
        #expect(byCase[passed.stringValue ?? ""]?.1.hasSuffix("re-derived") == true)
        #expect(byCase[withdrawn.stringValue ?? ""]?.0 == "cancelled")
        #expect(byCase[withdrawn.stringValue ?? ""]?.1.hasSuffix("re-derived") == true)
    }

    @Test("a company whose cases are on time reports 0 overdue; ended cases show their status and no next date; papers handed in are submitted, not missing")
    func reportTellsTheTruth() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            let f = try await Fixture.make(client, n: 1605)
            // Its windows have long opened (permit received 2026-01-05): no false alarm.
            let running = try await client.call("case.open", ["applicant_id": f.applicantID, "kind": "points_new"])
            let g = try await client.call(
                "applicant.create", ["company_id": f.companyID, "name": "李娜", "id_number": .string(residentID(birth: "19920304", 5)), "permit_received_date": "2026-02-02"])
            let ended = try await client.call("case.open", ["applicant_id": g["id"]!, "kind": "points_new"])
            _ = try await client.call("case.withdraw", ["id": ended["id"]!, "version": ended["version"]!, "reason": "离职"])
            let diploma = try await client.call(
                "document.receive", ["applicant_id": f.applicantID, "document_type": "graduation_certificate", "form": "original", "from": "张伟"])
            _ = try await client.call("document.handover", ["id": diploma["id"]!, "version": diploma["version"]!, "authority": "talent_center"])

            let report = try await client.call("report.company", ["company_id": f.companyID, "format": "json"])
            let document = try #require(JSONValue.parse(Data((report["content"]?.stringValue ?? "").utf8)))
            let summary = Dictionary(
                uniqueKeysWithValues: (document["summary"]?.arrayValue ?? []).compactMap { field in
                    field["label"]?.stringValue.map { ($0, field["value"]?.stringValue ?? "") }
                })
            #expect(summary["逾期期限 Overdue deadlines"] == "0", "\(summary)")
            let rows = document["sections"]?.arrayValue?.first?["rows"]?.arrayValue ?? []
            let byApplicant = Dictionary(uniqueKeysWithValues: rows.compactMap { row in row["applicant"]?.stringValue.map { ($0, row) } })
            let mine = try #require(byApplicant["张伟"])
            #expect(mine["status"] == "办理中 active")
            #expect(mine["next_deadline"]?.stringValue?.contains("可新办账户") == true)
            #expect(mine["originals"]?.stringValue?.contains("已递交 submitted (at 区人才服务中心 since \(DeadlineTests.shanghai(0)))") == true, "\(mine)")
            #expect(mine["missing_documents"]?.stringValue?.contains("毕业证书 (Graduation certificate), 原件") == false)
            let theirs = try #require(byApplicant["李娜"])
            #expect(theirs["status"] == "已撤回 withdrawn")
            #expect(theirs["next_deadline"] == "")
            _ = running
        }
    }
}

@Suite("The seed's remaining rules, and ties in the report")
struct SeedRuleTests {
    @Test("the next date is the same whatever the page size: ties go by rule order, then id")
    func nextDateTies() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            let f = try await Fixture.make(client, n: 1701)
            var applicants = [f.applicantID]
            for i in 0..<3 {
                let a = try await client.call(
                    "applicant.create",
                    ["company_id": f.companyID, "name": .string("王\(i)"), "id_number": .string(residentID(birth: "19890101", 40 + i)), "permit_received_date": "2026-01-05"])
                applicants.append(a["id"]!)
            }
            for applicant in applicants {
                let c = try await client.call("case.open", ["applicant_id": applicant, "kind": "points_new"])
                // A date set by hand on the same day as the account window: the rule's comes first.
                _ = try await client.call("deadline.add", ["case_id": c["id"]!, "title": "同日 same day", "due_date": "2026-01-08"])
            }
            func csv(pageSize: Int) async throws -> String {
                var content = "", cursor: JSONValue = .null
                repeat {
                    var params: [String: JSONValue] = ["company_id": f.companyID, "format": "csv", "page_size": .int(Int64(pageSize))]
                    if cursor != .null { params["cursor"] = cursor }
                    let chunk = try await client.call("report.company", .object(params))
                    content += chunk["content"]?.stringValue ?? ""
                    cursor = chunk["next_cursor"] ?? .null
                } while cursor != .null
                return content
            }
            let whole = try await csv(pageSize: 500)
            #expect(try await csv(pageSize: 1) == whole)
            #expect(whole.components(separatedBy: "可新办账户").count - 1 == applicants.count)
            #expect(!whole.contains("同日 same day"))
        }
    }

    @Test("co-resident children can be set (create, update, import) and bring in the archive retrieval letter; an ID born in the future is refused")
    func coResidentChildrenAndFutureBirth() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            let f = try await Fixture.make(client, n: 1702)
            let c = try await client.call("case.open", ["applicant_id": f.applicantID, "kind": "points_new"])
            func needsRetrieval() async throws -> Bool {
                let items = try await client.call("case.checklist", ["id": c["id"]!])["items"]?.arrayValue ?? []
                return items.contains { $0["document_type"] == "archive_retrieval" }
            }
            #expect(try await needsRetrieval() == false)
            let updated = try await client.call("applicant.update", ["id": f.applicantID, "version": 1, "co_resident_children": true])
            #expect(updated["co_resident_children"] == true)
            #expect(try await needsRetrieval())
            let created = try await client.call(
                "applicant.create",
                ["company_id": f.companyID, "name": "周", "id_number": .string(residentID(birth: "19930303", 50)), "co_resident_children": true])
            #expect(created["co_resident_children"] == true)

            // Import: the column is read like the other yes/no columns.
            _ = try await client.call("company.update", ["id": f.companyID, "version": 1, "credit_code": "91350200776049653A"])
            let begun = try await client.call("import.begin", ["kind": "applicants"])
            let row: JSONValue = [
                "row": 1,
                "fields": [
                    "company_credit_code": "91350200776049653A", "name": "吴", "id_number": .string(residentID(birth: "19940404", 51)),
                    "co_resident_children": "是", "insurance_months_last_12": "12",
                ],
            ]
            _ = try await client.call("import.rows", ["import_id": begun["import_id"]!, "rows": [row]])
            let result = try await client.call("import.commit", ["import_id": begun["import_id"]!])
            #expect(result["applied"] == true, "\(result)")
            let imported = try #require(
                try await client.call("applicant.list", ["query": "吴"])["applicants"]?.arrayValue?.first)
            #expect(imported["co_resident_children"] == true && imported["insurance_months_last_12"] == 12)

            // Born in the future (ID digits 7-14): refused, naming the rule.
            let next = CaseMethodsToday.date.adding(days: 40)
            let birth = String(format: "%04d%02d%02d", next.year, next.month, next.day)
            let e = await expectRPCError(.validationFailed) {
                _ = try await client.call("applicant.create", ["company_id": f.companyID, "name": "未", "id_number": .string(residentID(birth: birth, 52))])
            }
            #expect(e?.fieldRules.map { "\($0.field):\($0.rule)" } == ["id_number:birth_date"])
            #expect(e?.message.contains("is in the future") == true)
        }
    }

    @Test("the estimate reports eligibility apart from the score, so an ineligible applicant never meets the standard")
    func eligibility() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            let f = try await Fixture.make(client, n: 1703)
            var estimate = try await client.call("applicant.estimate", ["id": f.applicantID, "as_of": "2026-06-01"])
            #expect(estimate["total"] == 126 && estimate["meets_standard"] == true && estimate["eligibility"]?["eligible"] == true)
            _ = try await client.call("applicant.update", ["id": f.applicantID, "version": 1, "insurance_months_last_12": 5])
            estimate = try await client.call("applicant.estimate", ["id": f.applicantID, "as_of": "2026-06-01"])
            #expect(estimate["total"] == 126 && estimate["score_meets_standard"] == true)
            #expect(estimate["meets_standard"] == false && estimate["eligibility"]?["eligible"] == false)
            let failed = (estimate["eligibility"]?["checks"]?.arrayValue ?? []).filter { $0["met"] != true }.map { $0["id"] }
            #expect(failed == ["social_insurance_last_12"])
            // After the permit expired (2030-01-05): not eligible either.
            _ = try await client.call("applicant.update", ["id": f.applicantID, "version": 2, "insurance_months_last_12": 12])
            estimate = try await client.call("applicant.estimate", ["id": f.applicantID, "as_of": "2030-02-01"])
            #expect(estimate["meets_standard"] == false)
            #expect((estimate["eligibility"]?["checks"]?.arrayValue ?? []).first { $0["id"] == "valid_permit" }?["met"] == false)
        }
    }
}
