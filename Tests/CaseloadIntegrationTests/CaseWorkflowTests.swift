import CaseloadProtocol
import Foundation
import Testing

@Suite("Cases move through the government's process")
struct CaseWorkflowTests {
    @Test("a first application walks through every stage, and its history is complete and ordered")
    func fullFirstApplication() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            let f = try await Fixture.make(client, n: 101)
            var c = try await client.call("case.open", ["applicant_id": f.applicantID, "kind": "points_new"])
            #expect(c["stage"] == "residence_permit")
            #expect(c["stage_name_zh"] == "居住证")
            #expect(c["recorded"]?["residence_permit"]?["permit_received_date"] == "2026-01-05")
            #expect(c["next_stages"] == ["employer_ready"])
            #expect(c["late"] == false)

            c = try await client.advance(c, to: "employer_ready")
            c = try await client.advance(c, to: "account")
            c = try await client.advance(c, to: "information_entered")
            c = try await client.advance(c, to: "submitted_online", data: ["delivery_open_date": "2026-02-01", "points_total": 126])
            try await client.receiveMissingDocuments(for: c)
            #expect(try await client.call("case.checklist", ["id": c["id"]!])["complete"] == true)
            c = try await client.advance(c, to: "materials_delivered", data: ["receipt_number": "SJ-2026-0001", "delivered_date": "2026-02-03"])
            c = try await client.advance(c, to: "verification")
            try await client.verifyArchive(f.applicantID)
            c = try await client.call("case.record", ["id": c["id"]!, "version": c["version"]!, "data": ["education_checked": true]])
            c = try await client.advance(c, to: "accepted")
            c = try await client.advance(c, to: "approved", data: ["approved_date": "2026-03-01"])
            c = try await client.advance(c, to: "notice_printed")
            c = try await client.advance(c, to: "closed")
            #expect(c["status"] == "closed")
            #expect(c["closed_at"] != .null)
            #expect(c["next_stages"] == [])
            #expect(c["recorded"]?["materials_delivered"]?["receipt_number"] == "SJ-2026-0001")

            let history = try await client.call("case.history", ["id": c["id"]!])["entries"]?.arrayValue ?? []
            #expect(history.map { $0["seq"] } == (1...history.count).map { .int(Int64($0)) })
            #expect(history.first?["action"] == "open")
            #expect(history.filter { $0["action"] == "record" }.count == 1)
            #expect(history.compactMap { $0["to_stage"]?.stringValue }.last == "closed")
            #expect(history.count == 12)  // open, 10 advances, 1 record
            #expect(history.allSatisfy { $0["user_name"] == "owner" })

            await expectRPCError(.validationFailed) { _ = try await client.advance(c, to: "approved") }
            // History is append-only even for the schema owner's grants to the server role.
            let canChange = try await server.database.admin { connection in
                try await connection.query(
                    "SELECT has_table_privilege('caseload_app', 'case_history', 'UPDATE') OR has_table_privilege('caseload_app', 'case_history', 'DELETE')",
                    logger: TestDatabase.logger
                ).collect().first!.decode(Bool.self)
            }
            #expect(canChange == false)
        }
    }

    @Test("each prerequisite is refused naming its rule, then passes with a recorded override")
    func prerequisitesAndOverrides() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            // Company not activated; permit received "today"; the applicant is short of 120 (大专 50).
            let f = try await Fixture.make(client, status: "registered_online", education: "associate", n: 201)
            _ = try await client.call(
                "applicant.update", ["id": f.applicantID, "version": 1, "permit_received_date": .string(Self.todayISO())])
            var c = try await client.call("case.open", ["applicant_id": f.applicantID, "kind": "points_new"])
            c = try await client.advance(c, to: "employer_ready")

            var e = await expectRPCError(.validationFailed) { _ = try await client.advance(c, to: "account") }
            #expect(Set((e?.fieldRules ?? []).map(\.rule)) == ["company_activated", "working_days_after"])
            #expect(e?.message.contains("company_activated") == true || e?.message.isEmpty == false)
            // The refusal explains the count, as the deadline does: the days it walked over.
            let count = (e?.data?["errors"]?.arrayValue ?? []).first { $0["rule"] == "working_days_after" }?["message"]?.stringValue ?? ""
            #expect(count.contains("; counted: 3 working days after \(Self.todayISO()) is "), "\(count)")

            // An override needs a reason.
            e = await expectRPCError(.validationFailed) {
                _ = try await client.advance(c, to: "account", override: ["rules": ["company_activated", "working_days_after"], "reason": ""])
            }
            #expect(e?.fieldRules.contains { $0.field == "override.reason" && $0.rule == "required" } == true)
            // Overriding one rule leaves the other refused.
            e = await expectRPCError(.validationFailed) {
                _ = try await client.advance(c, to: "account", override: ["rules": ["company_activated"], "reason": "开通中"])
            }
            #expect(e?.fieldRules.map(\.rule) == ["working_days_after"])

            c = try await client.advance(
                c, to: "account", override: ["rules": ["company_activated", "working_days_after"], "reason": "人才中心已电话确认"])
            #expect(c["stage"] == "account")
            c = try await client.advance(c, to: "information_entered")

            e = await expectRPCError(.validationFailed) {
                _ = try await client.advance(c, to: "submitted_online", data: ["delivery_open_date": "2099-01-01", "points_total": 100])
            }
            #expect(e?.fieldRules.map(\.rule) == ["points_at_least"])
            c = try await client.advance(
                c, to: "submitted_online", data: ["delivery_open_date": "2099-01-01", "points_total": 100],
                override: ["rules": ["points_at_least"], "reason": "职称评定即将下达"])

            e = await expectRPCError(.validationFailed) {
                _ = try await client.advance(c, to: "materials_delivered", data: ["receipt_number": "R1", "delivered_date": "2026-02-03"])
            }
            #expect(Set((e?.fieldRules ?? []).map(\.rule)) == ["not_before_recorded_date", "documents_complete"])
            try await client.receiveMissingDocuments(for: c)
            e = await expectRPCError(.validationFailed) {
                _ = try await client.advance(c, to: "materials_delivered", data: ["receipt_number": "R1", "delivered_date": "2026-02-03"])
            }
            #expect(e?.fieldRules.map(\.rule) == ["not_before_recorded_date"])
            e = await expectRPCError(.validationFailed) { _ = try await client.advance(c, to: "materials_delivered", data: ["delivered_date": "2026-02-03"]) }
            #expect(e?.fieldRules.contains { $0.field == "data.receipt_number" && $0.rule == "required" } == true)
            c = try await client.advance(
                c, to: "materials_delivered", data: ["receipt_number": "R1", "delivered_date": "2026-02-03"],
                override: ["rules": ["not_before_recorded_date"], "reason": "窗口同意提前收件"])
            c = try await client.advance(c, to: "verification")
            e = await expectRPCError(.validationFailed) { _ = try await client.advance(c, to: "accepted") }
            #expect(Set((e?.fieldRules ?? []).map(\.rule)) == ["archive_verified", "recorded_true"])

            let overrides = try await client.call("case.overrides")["entries"]?.arrayValue ?? []
            #expect(overrides.count == 3)
            #expect(Set(overrides.flatMap { $0["overrides"]?.arrayValue ?? [] }) == ["company_activated", "working_days_after", "points_at_least", "not_before_recorded_date"])
            #expect(overrides.contains { $0["reason"] == "人才中心已电话确认" })
        }
    }

    @Test("a consultant may not override; viewers may not change anything")
    func permissions() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        let viewer = try await server.database.admin { connection in
            try await AdminStoreHelper.user(agency.agencyID, role: .viewer, on: connection)
        }
        let f = try await server.withClient(token: agency.token) { try await Fixture.make($0, status: "registered_online", n: 301) }
        let consultant = try await AdminStoreHelper.consultant(of: f.companyID, agency: agency, server: server)
        try await server.withClient(token: consultant) { client async throws in
            var c = try await client.call("case.open", ["applicant_id": f.applicantID, "kind": "points_new"])
            c = try await client.advance(c, to: "employer_ready")
            await expectRPCError(.forbidden) {
                _ = try await client.advance(c, to: "account", override: ["rules": ["company_activated"], "reason": "x"])
            }
        }
        try await server.withClient(token: viewer) { client async throws in
            await expectRPCError(.forbidden) { _ = try await client.call("case.open", ["applicant_id": f.applicantID, "kind": "points_new"]) }
            // Not assigned to the company: the viewer sees none of it.
            #expect(try await client.call("case.list")["cases"]?.arrayValue?.count == 0)
        }
    }

    @Test("a renewal returned by online review is completed on paper")
    func renewalOnPaper() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            let f = try await Fixture.make(client, n: 401)
            var c = try await client.call("case.open", ["applicant_id": f.applicantID, "kind": "points_renewal"])
            #expect(c["stage"] == "information_updated")
            c = try await client.advance(c, to: "submitted")
            c = try await client.advance(c, to: "online_review")
            #expect(Set(c["next_stages"]?.arrayValue ?? []) == ["approved", "paper_materials"])
            // Returned for paper: the renewal's papers must all be there, as at a first delivery.
            let refused = await expectRPCError(.validationFailed) {
                _ = try await client.advance(c, to: "paper_materials", data: ["receipt_number": "XB-7", "delivered_date": "2026-03-02"])
            }
            #expect(refused?.fieldRules.map(\.rule) == ["documents_complete"])
            #expect(refused?.message.contains("needs every required document; missing:") == true)
            try await client.receiveMissingDocuments(for: c)
            c = try await client.advance(c, to: "paper_materials", data: ["receipt_number": "XB-7", "delivered_date": "2026-03-02"])
            c = try await client.advance(c, to: "accepted")
            c = try await client.advance(c, to: "approved")
            c = try await client.advance(c, to: "notice_printed")
            c = try await client.advance(c, to: "closed")
            #expect(c["status"] == "closed")
        }
    }

    @Test("transitions not in the table, returns, holds and withdrawals")
    func sidePaths() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            let f = try await Fixture.make(client, n: 501)
            var c = try await client.call("case.open", ["applicant_id": f.applicantID, "kind": "points_new"])
            var e = await expectRPCError(.validationFailed) { _ = try await client.advance(c, to: "approved") }
            #expect(e?.fieldRules.first?.rule == "transition")
            c = try await client.advance(c, to: "employer_ready")
            c = try await client.advance(c, to: "account")

            e = await expectRPCError(.validationFailed) {
                _ = try await client.call("case.return", ["id": c["id"]!, "version": c["version"]!, "to": "information_entered", "reason": "x"])
            }
            #expect(e?.fieldRules.first?.rule == "return")
            await expectRPCError(.invalidParams) {
                _ = try await client.call("case.return", ["id": c["id"]!, "version": c["version"]!, "to": "residence_permit"])
            }
            c = try await client.call("case.return", ["id": c["id"]!, "version": c["version"]!, "to": "employer_ready", "reason": "单位信息有误"])
            #expect(c["stage"] == "employer_ready")

            c = try await client.call("case.hold", ["id": c["id"]!, "version": c["version"]!, "reason": "等待社保补缴"])
            #expect(c["status"] == "on_hold")
            e = await expectRPCError(.validationFailed) { _ = try await client.advance(c, to: "account") }
            #expect(e?.fieldRules.first?.rule == "case_status")
            c = try await client.call("case.resume", ["id": c["id"]!, "version": c["version"]!])
            #expect(c["status"] == "active")
            c = try await client.call("case.note", ["id": c["id"]!, "text": "客户来电询问进度"])

            c = try await client.call("case.withdraw", ["id": c["id"]!, "version": c["version"]!, "reason": "申请人离职"])
            #expect(c["status"] == "withdrawn")
            await expectRPCError(.validationFailed) { _ = try await client.advance(c, to: "account") }
            let actions = (try await client.call("case.history", ["id": c["id"]!])["entries"]?.arrayValue ?? []).compactMap { $0["action"]?.stringValue }
            #expect(actions == ["open", "advance", "advance", "return", "hold", "resume", "note", "withdraw"])
        }
    }

    @Test("two concurrent advances with the same version: exactly one wins, the other gets the current version")
    func concurrentAdvance() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        let c = try await server.withClient(token: agency.token) { client in
            let f = try await Fixture.make(client, n: 601)
            return try await client.call("case.open", ["applicant_id": f.applicantID, "kind": "points_new"])
        }
        let results = try await withThrowingTaskGroup(of: RPCResponse.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    try await server.withClient(token: agency.token) { client in
                        try await client.send("case.advance", ["id": c["id"]!, "version": c["version"]!, "to": "employer_ready"])
                    }
                }
            }
            return try await group.reduce(into: [RPCResponse]()) { $0.append($1) }
        }
        #expect(results.filter { $0.result != nil }.count == 1)
        let conflicts = results.compactMap(\.error)
        #expect(conflicts.count == 3)
        #expect(conflicts.allSatisfy { $0.code == -32004 && $0.data?["current_version"] == 2 })
        let history = try await server.withClient(token: agency.token) { try await $0.call("case.history", ["id": c["id"]!]) }
        #expect(history["entries"]?.arrayValue?.count == 2)
    }

    @Test("case lists filter by company, consultant, stage and lateness, and page without gaps")
    func listing() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        let consultant = try await server.database.admin { connection in
            try await AdminStoreHelper.userID(agency.agencyID, role: .consultant, on: connection)
        }
        try await server.withClient(token: agency.token) { client async throws in
            let a = try await Fixture.make(client, n: 701)
            let b = try await Fixture.make(client, n: 702)
            let first = try await client.call("case.open", ["applicant_id": a.applicantID, "kind": "points_new"])
            // A second active case of the kind is refused unless asked for, naming the one there is.
            let twice = await expectRPCError(.validationFailed) {
                _ = try await client.call("case.open", ["applicant_id": a.applicantID, "kind": "points_new"])
            }
            #expect(twice?.fieldRules.map(\.rule) == ["duplicate_case"])
            #expect(twice?.message.contains(String(first["id"]?.stringValue?.prefix(8) ?? "?")) == true)
            #expect(try await client.call("case.list", ["company_id": a.companyID])["cases"]?.arrayValue?.count == 1)
            for _ in 0..<2 { _ = try await client.call("case.open", ["applicant_id": a.applicantID, "kind": "points_new", "allow_duplicate": true]) }
            let late = try await client.call("case.open", ["applicant_id": b.applicantID, "kind": "points_renewal"])
            _ = try await client.call("company.assign", ["company_id": b.companyID, "user_id": .string(consultant.uuidString)])

            #expect(try await client.call("case.list", ["company_id": a.companyID])["cases"]?.arrayValue?.count == 3)
            let mine = try await client.call("case.list", ["consultant_id": .string(consultant.uuidString)])["cases"]?.arrayValue ?? []
            #expect(mine.map { $0["id"] } == [late["id"]])
            #expect(try await client.call("case.list", ["kind": "points_renewal"])["cases"]?.arrayValue?.count == 1)
            #expect(try await client.call("case.list", ["late": true])["cases"] == [])

            // Make one case late: its stage's time ran out yesterday.
            try await server.database.admin { connection in
                try await connection.query(
                    "UPDATE cases SET stage_due_at = now() - interval '1 day', stage_entered_at = now() - interval '30 days' WHERE case_id = \(UUID(uuidString: late["id"]!.stringValue!)!)",
                    logger: TestDatabase.logger)
            }
            let lateList = try await client.call("case.list", ["late": true])["cases"]?.arrayValue ?? []
            #expect(lateList.map { $0["id"] } == [late["id"]])
            #expect(lateList.first?["late"] == true)
            #expect(lateList.first?["days_in_stage"] == 30)

            var seen: [JSONValue] = []
            var cursor: JSONValue = .null
            repeat {
                var params: [String: JSONValue] = ["limit": 3]
                if cursor != .null { params["cursor"] = cursor }
                let page = try await client.call("case.list", .object(params))
                seen += page["cases"]?.arrayValue?.compactMap { $0["id"] } ?? []
                cursor = page["next_cursor"] ?? .null
            } while cursor != .null
            #expect(seen.count == 4 && Set(seen).count == 4)
        }
    }

    @Test("another agency cannot see or touch a case")
    func isolation() async throws {
        let server = try await TestServer.shared()
        let a = try await server.database.createAgency()
        let b = try await server.database.createAgency()
        let (c, f) = try await server.withClient(token: a.token) { client in
            let f = try await Fixture.make(client, n: 801)
            return (try await client.call("case.open", ["applicant_id": f.applicantID, "kind": "points_new"]), f)
        }
        try await server.withClient(token: b.token) { client async throws in
            await expectRPCError(.notFound) { _ = try await client.call("case.get", ["id": c["id"]!]) }
            await expectRPCError(.notFound) { _ = try await client.advance(c, to: "employer_ready") }
            await expectRPCError(.notFound) { _ = try await client.call("case.history", ["id": c["id"]!]) }
            await expectRPCError(.notFound) { _ = try await client.call("case.note", ["id": c["id"]!, "text": "x"]) }
            await expectRPCError(.notFound) { _ = try await client.call("applicant.get", ["id": f.applicantID]) }
            await expectRPCError(.notFound) { _ = try await client.call("case.open", ["applicant_id": f.applicantID, "kind": "points_new"]) }
            #expect(try await client.call("case.list")["cases"] == [])
            #expect(try await client.call("applicant.list", ["id_number": .string(f.idNumber)])["applicants"] == [])
        }
    }

    static func todayISO() -> String {
        let days = Int((Date().timeIntervalSince1970 + 8 * 3600) / 86400)
        let date = Date(timeIntervalSince1970: Double(days) * 86400)
        return String(date.formatted(.iso8601).prefix(10))
    }
}
