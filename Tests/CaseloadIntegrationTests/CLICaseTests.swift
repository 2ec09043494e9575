import CaseloadProtocol
import Foundation
import Testing

/// `caseload applicant …`, `case …`, `company assign` and `user list`, run as a subprocess.
@Suite("caseload CLI: applicants and cases")
struct CLICaseTests {
    /// A fresh agency and a way to run the CLI as its owner.
    struct Session {
        let server: TestServer
        let token: String

        static func make() async throws -> Session {
            let server = try await TestServer.shared()
            return Session(server: server, token: try await server.database.createAgency().token)
        }

        func run(_ arguments: [String]) async throws -> CLIRun {
            try await caseload(arguments, server: server, token: token)
        }

        /// Runs and expects success.
        @discardableResult
        func ok(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws -> CLIRun {
            let run = try await run(arguments)
            #expect(run.status == 0, "caseload \(arguments.joined(separator: " ")): \(run.stderr)", sourceLocation: sourceLocation)
            return run
        }

        /// Runs with `--json` and expects success; returns the parsed output.
        func json(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws -> JSONValue {
            try await ok(arguments + ["--json"], sourceLocation: sourceLocation).json()
        }

        func company(_ n: Int) async throws -> String {
            try #require(try await json(["company", "add", "--name", "测试公司\(n)", "--org-code", orgCode(n), "--status", "activated"])["id"]?.stringValue)
        }
    }

    @Test("applicants: add, list masked, show, update, estimate")
    func applicants() async throws {
        let s = try await Session.make()
        let company = try await s.company(1)
        let idNumber = residentID(11)
        let added = try await s.json([
            "applicant", "add", "--company", company, "--name", "张伟", "--id-number", idNumber, "--phone", "13900139000",
            "--education", "bachelor_degree", "--insurance-months", "24", "--permit-received", "2026-01-05", "--permit-expiry", "2030-01-05",
            "--no-dispatched",
        ])
        let id = try #require(added["id"]?.stringValue)
        let masked = try #require(added["id_number"]?.stringValue)
        #expect(masked != idNumber && masked.contains("*"))
        #expect(added["dispatched"] == false)
        #expect(added["upgraded_from_associate"] == .null)

        let list = try await s.ok(["applicant", "list"])
        let lines = list.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0].contains("ID NUMBER"))
        #expect(list.stdout.contains(masked))
        #expect(list.stdout.contains("bachelor_degree"))
        #expect(list.stdout.contains("2030-01-05"))
        #expect(!list.stdout.contains(idNumber))
        let found = try await s.json(["applicant", "list", "--id-number", idNumber])
        #expect(found.arrayValue?.map { $0["id"] } == [.string(id)])
        #expect(!WireJSON.string(found).contains(idNumber))

        let show = try await s.ok(["applicant", "show", id])
        #expect(show.stdout.contains("张伟"))
        #expect(show.stdout.contains("139****9000"))
        #expect(!show.stdout.contains(idNumber))

        // Without --version the CLI reads the current one; a stale --version is refused.
        let updated = try await s.json(["applicant", "update", id, "--skill", "level3", "--clear", "phone"])
        #expect(updated["skill_level"] == "level3")
        #expect(updated["phone"] == .null)
        #expect(updated["version"] == 2)
        let stale = try await s.run(["applicant", "update", id, "--version", "1", "--name", "张伟伟"])
        #expect(stale.status == 1)
        #expect(stale.stderr.contains("conflict"))
        #expect(stale.stderr.contains("current version: 2"))

        let estimate = try await s.ok(["applicant", "estimate", id])
        #expect(estimate.stdout.contains("INDICATOR"))
        #expect(estimate.stdout.contains("total "))
        #expect(estimate.stdout.contains("/ standard 120: "))
        #expect(estimate.stdout.contains("(estimate only)"))
        let estimateJSON = try await s.json(["applicant", "estimate", id, "--as-of", "2026-06-01"])
        #expect(estimateJSON["is_estimate"] == true)
        #expect(estimateJSON["total"]?.intValue != nil)
    }

    @Test("cases: open, advance with data, record, show, list, history")
    func caseFlow() async throws {
        let s = try await Session.make()
        let company = try await s.company(2)
        let applicant = try #require(
            try await s.json([
                "applicant", "add", "--company", company, "--name", "李娜", "--id-number", residentID(21), "--education", "bachelor_degree",
                "--insurance-months", "24", "--permit-received", "2026-01-05",
            ])["id"]?.stringValue)

        let opened = try await s.json(["case", "open", "--applicant", applicant, "--kind", "points_new"])
        let id = try #require(opened["id"]?.stringValue)
        #expect(opened["stage"] == "residence_permit")
        #expect(opened["recorded"]?["residence_permit"]?["permit_received_date"] == "2026-01-05")
        for stage in ["employer_ready", "account", "information_entered"] {
            try await s.ok(["case", "advance", id, "--to", stage])
        }
        let submitted = try await s.json([
            "case", "advance", id, "--to", "submitted_online", "--data", "delivery_open_date=2026-02-01", "--data", "points_total=126",
        ])
        #expect(submitted["recorded"]?["submitted_online"]?["points_total"] == 126)
        let delivered = try await s.ok([
            "case", "advance", id, "--to", "materials_delivered", "--data", "receipt_number=SJ-2026-0001", "--data", "delivered_date=2026-02-03",
            "--override", "documents_complete", "--reason", "材料当场补齐",
        ])
        #expect(delivered.stdout.contains("Materials delivered"))
        #expect(delivered.stdout.contains("receipt_number=SJ-2026-0001"))
        try await s.ok(["case", "advance", id, "--to", "verification", "--version", "6"])
        let recorded = try await s.json(["case", "record", id, "--data", "education_checked=true"])
        #expect(recorded["recorded"]?["verification"]?["education_checked"] == true)
        #expect(recorded["stage"] == "verification")

        let show = try await s.ok(["case", "show", id])
        #expect(show.stdout.contains("Archive and education verification"))
        #expect(show.stdout.contains("verification: education_checked=true"))
        #expect(show.stdout.contains("submitted_online: delivery_open_date=2026-02-01, points_total=126"))
        #expect(show.stdout.split(separator: "\n").first { $0.hasPrefix("next stages") }?.hasSuffix(" accepted") == true)

        let list = try await s.ok(["case", "list"])
        let lines = list.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0].contains("STAGE"))
        #expect(lines[2].contains("李娜"))
        #expect(lines[2].contains("Archive and education verification"))
        #expect(lines[2].contains("Points — first application"))
        #expect(!list.stdout.contains("档案学历审核"))
        // In Chinese (the locale, or --lang): headers and names; --lang wins over the locale.
        let zh = try await caseload(["case", "list"], server: s.server, token: s.token, extraEnv: ["LANG": "zh_CN.UTF-8"])
        let zhLines = zh.stdout.split(separator: "\n").map(String.init)
        #expect(zhLines.first?.hasPrefix("ID") == true && zhLines.first?.contains("申请人") == true && zhLines.first?.contains("阶段") == true)
        #expect(zhLines.first?.contains("STAGE") == false)
        #expect(zhLines.count == 3 && zhLines[2].contains("档案学历审核") && zhLines[2].contains("积分新办") && zhLines[2].contains("办理中"))
        #expect(!zh.stdout.contains("Archive and education verification"))
        let en = try await caseload(["case", "list", "--lang", "en"], server: s.server, token: s.token, extraEnv: ["LANG": "zh_CN.UTF-8"])
        #expect(en.stdout == list.stdout)
        let flag = try await caseload(["case", "list", "--lang=zh"], server: s.server, token: s.token, extraEnv: ["LC_ALL": "en_US.UTF-8"])
        #expect(flag.stdout == zh.stdout)
        let env = try await caseload(["case", "list"], server: s.server, token: s.token, extraEnv: ["CASELOAD_LANG": "zh", "LC_ALL": "en_US.UTF-8"])
        #expect(env.stdout == zh.stdout)
        // --json is the protocol's, in any language.
        let zhJSON = try await caseload(["case", "list", "--json"], server: s.server, token: s.token, extraEnv: ["LANG": "zh_CN.UTF-8"])
        #expect(zhJSON.stdout == (try await s.run(["case", "list", "--json"])).stdout)
        #expect(try await s.json(["case", "list", "--stage", "accepted"]) == [])
        #expect(try await s.json(["case", "list", "--applicant", applicant, "--kind", "points_new", "--status", "active"]).arrayValue?.count == 1)
        #expect(try await s.json(["case", "list", "--late"]) == [])

        let history = try await s.ok(["case", "history", id])
        let rows = history.stdout.split(separator: "\n").dropFirst(2)
        #expect(rows.count == 8)  // open, six advances, one record
        #expect(rows.first?.contains("opened") == true)
        #expect(rows.filter { $0.contains("advanced") }.count == 6)
        #expect(rows.last?.contains("recorded") == true)
        #expect(history.stdout.contains("receipt_number=SJ-2026-0001"))
        let historyJSON = try await s.json(["case", "history", id])
        #expect(historyJSON.arrayValue?.compactMap { $0["action"]?.stringValue }.last == "record")
    }

    @Test("a refused advance names its rule and exits 1; an override with a reason passes and is listed")
    func refusalAndOverride() async throws {
        let s = try await Session.make()
        let company = try await s.company(3)
        let applicant = try #require(
            try await s.json([
                "applicant", "add", "--company", company, "--name", "王芳", "--id-number", residentID(31), "--education", "bachelor_degree",
                "--insurance-months", "24", "--permit-received", CaseWorkflowTests.todayISO(),
            ])["id"]?.stringValue)
        let id = try #require(try await s.json(["case", "open", "--applicant", applicant, "--kind", "points_new"])["id"]?.stringValue)
        try await s.ok(["case", "advance", id, "--to", "employer_ready"])

        let refused = try await s.run(["case", "advance", id, "--to", "account"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("working_days_after"))
        #expect(refused.stderr.contains("validation_failed"))
        #expect(refused.stdout.isEmpty)

        let noReason = try await s.run(["case", "advance", id, "--to", "account", "--override", "working_days_after"])
        #expect(noReason.status == 1)
        #expect(noReason.stderr.contains("--reason"))
        let badData = try await s.run(["case", "advance", id, "--to", "account", "--data", "oops"])
        #expect(badData.status == 1)
        #expect(badData.stderr.contains("'oops'"))

        let overridden = try await s.json(["case", "advance", id, "--to", "account", "--override", "working_days_after", "--reason", "人才中心已电话确认"])
        #expect(overridden["stage"] == "account")
        let overrides = try await s.ok(["case", "overrides"])
        #expect(overrides.stdout.contains("working_days_after"))
        #expect(overrides.stdout.contains("人才中心已电话确认"))
        #expect(try await s.json(["case", "overrides"]).arrayValue?.count == 1)

        // The side paths, each reading the version itself.
        try await s.ok(["case", "return", id, "--to", "employer_ready", "--reason", "单位信息有误"])
        let held = try await s.ok(["case", "hold", id, "--reason", "等待社保补缴"])
        #expect(held.stdout.contains("on_hold"))
        try await s.ok(["case", "resume", id])
        try await s.ok(["case", "note", id, "--text", "客户来电询问进度"])
        let withdrawn = try await s.json(["case", "withdraw", id, "--reason", "申请人离职"])
        #expect(withdrawn["status"] == "withdrawn")
        let actions = try await s.json(["case", "history", id]).arrayValue?.compactMap { $0["action"]?.stringValue }
        #expect(actions == ["open", "advance", "advance", "return", "hold", "resume", "note", "withdraw"])
        let history = try await s.ok(["case", "history", id])
        #expect(history.stdout.contains("working_days_after"))
        #expect(history.stdout.contains("客户来电询问进度"))
    }

    @Test("users and consultant assignment drive the by-consultant filters")
    func assignment() async throws {
        let s = try await Session.make()
        let company = try await s.company(4)
        let users = try await s.json(["user", "list"]).arrayValue ?? []
        let owner = try #require(users.first { $0["role"] == "owner" }?["id"]?.stringValue)
        #expect(try await s.ok(["user", "list"]).stdout.contains("owner"))
        let applicant = try #require(
            try await s.json(["applicant", "add", "--company", company, "--name", "赵敏", "--id-number", residentID(41)])["id"]?.stringValue)
        try await s.ok(["case", "open", "--applicant", applicant, "--kind", "points_renewal"])
        #expect(try await s.json(["applicant", "list", "--consultant", owner]) == [])

        let assigned = try await s.ok(["company", "assign", company, "--user", owner])
        #expect(assigned.stdout.contains(owner))
        #expect(try await s.json(["applicant", "list", "--consultant", owner]).arrayValue?.count == 1)
        #expect(try await s.json(["case", "list", "--consultant", owner]).arrayValue?.count == 1)
        let unassigned = try await s.json(["company", "assign", company, "--user", owner, "--unassign"])
        #expect(unassigned["consultants"] == [])
        #expect(try await s.json(["case", "list", "--consultant", owner]) == [])
    }
}
