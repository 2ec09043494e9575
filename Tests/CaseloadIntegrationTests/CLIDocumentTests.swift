import CaseloadProtocol
import Foundation
import Testing

/// `caseload doc …`, `location …`, `archive …`, `case checklist` and `case time-allowed`, run as
/// a subprocess against the shared test server, each test in a fresh agency.
@Suite("caseload CLI: documents held, locations, archives, checklists")
struct CLIDocumentTests {
    typealias Session = CLICaseTests.Session

    /// A fresh agency with a company and an applicant (made over RPC: the CLI is tested below).
    static func setUp(_ n: Int) async throws -> (Session, Fixture) {
        let s = try await Session.make()
        let fixture = try await s.server.withClient(token: s.token) { try await Fixture.make($0, n: n) }
        return (s, fixture)
    }

    /// The data rows of the last table printed (after its header and its line of dashes), up to
    /// the first line that is not a row (the table's own lines never start with a blank line).
    static func rows(_ output: String) -> [String] {
        let lines = output.components(separatedBy: "\n")
        guard let dashes = lines.lastIndex(where: { $0.hasPrefix("-") && $0.allSatisfy { $0 == "-" || $0 == " " } }) else { return [] }
        return Array(lines[(dashes + 1)...].prefix { !$0.isEmpty && !$0.hasPrefix("missing ") })
    }

    @Test("locations, receive at a location, where, custody refusals, collect and return")
    func custody() async throws {
        let (s, f) = try await Self.setUp(2001)
        let applicant = try #require(f.applicantID.stringValue)

        let office = try await s.ok(["location", "add", "SH-1", "--name", "上海办公室", "--kind", "office"])
        #expect(office.stdout.contains("kind  office") || office.stdout.contains("  office"))
        let cabinet = try await s.json(["location", "add", "cab-2", "--name", "二号柜", "--kind", "cabinet", "--parent", "SH-1"])
        #expect(cabinet["code"] == "CAB-2")
        #expect(cabinet["parent_code"] == "SH-1")

        let received = try await s.json([
            "doc", "receive", "--type", "graduation_certificate", "--form", "original", "--from", "张伟", "--applicant", applicant,
            "--description", "本科毕业证书 复旦大学", "--location", "CAB-2",
        ])
        let id = try #require(received["id"]?.stringValue)
        #expect(received["holder"]?["kind"] == "agency")
        #expect(received["holder"]?["location_code"] == "CAB-2")
        #expect(received["company_id"] == f.companyID)

        let whereText = try await s.ok(["doc", "where", id])
        let record = whereText.stdout.split(separator: "\n").map(String.init)
        #expect(record.contains { $0.hasPrefix("type") && $0.contains("Graduation certificate") && $0.contains("(graduation_certificate)") })
        #expect(record.contains { $0.hasPrefix("form") && $0.hasSuffix("  original") })
        #expect(record.contains { $0.hasPrefix("holder") && $0.contains("本机构") && $0.contains("CAB-2") })
        #expect(record.contains { $0.hasPrefix("location") && $0.hasSuffix("CAB-2") })
        #expect(whereText.stdout.contains("EVENT"))
        let trail = Self.rows(whereText.stdout)
        #expect(trail.count == 2)
        #expect(trail.first?.contains("received from 张伟") == true)
        #expect(trail.last?.contains("stored at CAB-2") == true)
        #expect(trail.last?.contains("with the agency @ CAB-2") == true)

        let tree = try await s.ok(["location", "list"])
        let treeRows = Self.rows(tree.stdout)
        #expect(treeRows.count == 2)
        #expect(treeRows.first?.hasPrefix("SH-1 ") == true)
        #expect(treeRows.last?.hasPrefix("  CAB-2 ") == true)
        #expect(treeRows.last?.hasSuffix(" 1") == true)  // one document in the cabinet
        #expect(try await s.json(["location", "list"]).arrayValue?.count == 2)
        let shown = try await s.ok(["location", "show", "SH-1"])
        #expect(shown.stdout.contains(id))  // the cabinet's document, found from the office
        #expect(try await s.json(["location", "show", "sh-1"])["documents"]?.arrayValue?.count == 1)

        let notEmpty = try await s.run(["location", "delete", "CAB-2"])
        #expect(notEmpty.status == 1)
        #expect(notEmpty.stderr.contains("conflict"))
        #expect(notEmpty.stderr.contains("(not_empty)"))

        let handed = try await s.json(["doc", "handover", id, "--authority", "talent_center", "--receipt", "SJ-001"])
        #expect(handed["holder"]?["kind"] == "talent_center")
        let refused = try await s.run(["doc", "return", id, "--to", "张伟", "--signed-by", "张伟"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("custody"))
        #expect(refused.stderr.hasPrefix("caseload: validation_failed (-32005):\n"))
        #expect(refused.stdout.isEmpty)
        #expect(try await s.json(["doc", "list", "--holder", "talent_center"]).arrayValue?.map { $0["id"] } == [.string(id)])
        #expect(try await s.json(["doc", "list", "--out-days", "0"]).arrayValue?.count == 1)
        #expect(try await s.json(["doc", "list", "--out-days", "30"]) == [])

        // --version pins the version read earlier: stale after the handover, so refused with the current one.
        let stale = try await s.run(["doc", "forward", id, "--to", "city_verification_center", "--version", "1"])
        #expect(stale.status == 1)
        #expect(stale.stderr.contains("conflict") && stale.stderr.contains("current version: \(handed["version"]?.intValue ?? -1)"))
        try await s.ok(["doc", "forward", id, "--to", "city_verification_center", "--version", "\(handed["version"]?.intValue ?? -1)"])
        let collected = try await s.json(["doc", "collect", id, "--authority", "city_verification_center"])
        #expect(collected["holder"]?["kind"] == "agency")
        try await s.ok(["doc", "move", id, "--location", "CAB-2"])
        let returned = try await s.ok(["doc", "return", id, "--to", "张伟", "--signed-by", "王芳"])
        #expect(returned.stdout.contains("已退还客户"))

        let full = try await s.json(["doc", "where", id])
        #expect(full["document"]?["holder"]?["kind"] == "returned")
        #expect(
            full["trail"]?.arrayValue?.compactMap { $0["event"]?["event"]?.stringValue }
                == ["received", "stored", "handed_over", "forwarded", "collected", "stored", "returned"])
        let fullText = try await s.ok(["doc", "where", id])
        #expect(fullText.stdout.contains("handed over to talent_center, receipt SJ-001"))
        #expect(fullText.stdout.contains("returned to 张伟, signed by 王芳"))
        #expect(Self.rows(fullText.stdout).count == 7)

        let list = try await s.ok(["doc", "list", "--applicant", applicant])
        #expect(list.stdout.split(separator: "\n").first?.contains("HOLDER") == true)
        #expect(Self.rows(list.stdout).first?.contains("returned") == true)

        // Empty again: the cabinet, then the office, can go.
        let deleted = try await s.ok(["location", "delete", "CAB-2"])
        #expect(deleted.stdout.contains("deleted location CAB-2"))
        #expect(try await s.json(["location", "delete", "sh-1"]) == true)
        #expect(try await s.json(["location", "list"]) == [])
    }

    @Test("checklist counts drop as papers come in; originals still out on a withdrawn case are listed")
    func checklistAndFinishedCases() async throws {
        let (s, f) = try await Self.setUp(2002)
        let applicant = try #require(f.applicantID.stringValue)
        let c = try await s.json(["case", "open", "--applicant", applicant, "--kind", "points_new"])
        let caseID = try #require(c["id"]?.stringValue)

        let before = try await s.json(["case", "checklist", caseID])
        let total = try #require(before["items"]?.arrayValue?.count)
        let missing = try #require(before["missing"]?.intValue)
        #expect(missing == Int64(total))
        #expect(before["complete"] == false)
        let text = try await s.ok(["case", "checklist", caseID])
        #expect(text.stdout.split(separator: "\n").first?.contains("REQUIRED BY") == true)
        let diploma = Self.rows(text.stdout).filter { $0.hasPrefix("毕业证书 (Graduation certificate) ") }
        #expect(diploma.count == 2)  // the original and a copy
        #expect(diploma.allSatisfy { $0.hasSuffix("✗ missing") && $0.contains("materials_delivered") })
        #expect(text.stdout.hasSuffix("missing \(missing) of \(total)\n"))

        // One original meets both the original line and the copy line.
        let diplomaID = try #require(
            try await s.json(["doc", "receive", "--type", "graduation_certificate", "--form", "original", "--from", "张伟", "--case", caseID])["id"])
        let after = try await s.ok(["case", "checklist", caseID])
        #expect(after.stdout.hasSuffix("missing \(missing - 2) of \(total)\n"))
        #expect(Self.rows(after.stdout).filter { $0.hasPrefix("毕业证书 (Graduation certificate) ") }.allSatisfy { $0.hasSuffix("✓ held") })
        _ = try await s.json(["doc", "receive", "--type", "id_card", "--form", "copy", "--from", "张伟", "--case", caseID])
        #expect(try await s.json(["case", "checklist", caseID])["missing"]?.intValue == missing - 3)
        #expect(try await s.json(["doc", "list", "--case", caseID, "--originals"]).arrayValue?.map { $0["id"] } == [diplomaID])

        #expect(try await s.json(["doc", "list", "--finished-cases"]) == [])
        try await s.ok(["case", "withdraw", caseID, "--reason", "申请人离职"])
        let stillOut = try await s.json(["doc", "list", "--finished-cases"])
        #expect(stillOut.arrayValue?.map { $0["id"] } == [diplomaID])
        let stillOutText = try await s.ok(["doc", "list", "--finished-cases"])
        #expect(Self.rows(stillOutText.stdout).count == 1)
        #expect(stillOutText.stdout.contains(try #require(diplomaID.stringValue)))
        #expect(stillOutText.stdout.contains("original"))
    }

    @Test("archive status moves forward only, with every change in the history")
    func archive() async throws {
        let (s, f) = try await Self.setUp(2003)
        let applicant = try #require(f.applicantID.stringValue)
        #expect(try await s.json(["archive", "show", applicant])["status"] == "unknown")

        let located = try await s.ok([
            "archive", "set", applicant, "--holder-type", "district_employment_agency", "--holder-name", "徐汇区职介所", "--district", "徐汇",
            "--status", "located",
        ])
        #expect(located.stdout.contains("district employment agency"))
        #expect(located.stdout.contains("徐汇区职介所"))
        try await s.ok(["archive", "set", applicant, "--status", "retrieval_requested", "--note", "已发调档函"])
        let backwards = try await s.run(["archive", "set", applicant, "--status", "located"])
        #expect(backwards.status == 1)
        #expect(backwards.stderr.contains("(transition)"))
        #expect(backwards.stderr.hasPrefix("caseload: validation_failed (-32005):\n"))
        let nothing = try await s.run(["archive", "set", applicant])
        #expect(nothing.status != 0)
        #expect(nothing.stderr.contains("give something to record"))
        try await s.ok(["archive", "set", applicant, "--status", "at_talent_center"])
        let verified = try await s.json(["archive", "set", applicant, "--status", "verified"])
        #expect(verified["status"] == "verified")
        #expect(verified["history"]?.arrayValue?.compactMap { $0["to_status"]?.stringValue } == ["located", "retrieval_requested", "at_talent_center", "verified"])

        let show = try await s.ok(["archive", "show", applicant])
        #expect(show.stdout.contains("verified"))
        #expect(show.stdout.contains("(verified)"))
        let history = Self.rows(show.stdout)
        try #require(history.count == 4)
        #expect(history[1].contains("已发调档函"))
        #expect(history[0].contains("徐汇区职介所"))
    }

    @Test("time allowed per stage: show, set, restore the default")
    func timeAllowed() async throws {
        let s = try await Session.make()
        let stages = try await s.json(["case", "time-allowed", "--kind", "points_new"]).arrayValue ?? []
        let account = try #require(stages.first { $0["stage"] == "account" })
        let defaultDays = try #require(account["default_days"]?.intValue)
        #expect(account["agency_days"] == .null)
        #expect(stages.allSatisfy { $0["kind"] == "points_new" })
        let text = try await s.ok(["case", "time-allowed", "--kind", "points_new"])
        #expect(text.stdout.contains("Points — first application (points_new)"))

        #expect(try await s.json(["case", "time-allowed", "set", "--kind", "points_new", "--stage", "account", "--days", "10"])["days"] == 10)
        let changed = try await s.json(["case", "time-allowed", "show", "--kind", "points_new"]).arrayValue ?? []
        #expect(changed.first { $0["stage"] == "account" }?["agency_days"] == 10)
        let row = Self.rows(try await s.ok(["case", "time-allowed"]).stdout).first { $0.contains("points_new") && $0.contains(" account ") }
        #expect(row?.hasSuffix("10") == true)

        let restored = try await s.ok(["case", "time-allowed", "set", "--kind", "points_new", "--stage", "account", "--default"])
        #expect(restored.stdout.contains("\(defaultDays) days (default)"))
        let after = try await s.json(["case", "time-allowed", "--kind", "points_new"]).arrayValue ?? []
        #expect(after.first { $0["stage"] == "account" }?["agency_days"] == .null)
        let neither = try await s.run(["case", "time-allowed", "set", "--kind", "points_new", "--stage", "account"])
        #expect(neither.status != 0)
        let badStage = try await s.run(["case", "time-allowed", "set", "--kind", "points_new", "--stage", "nope", "--days", "3"])
        #expect(badStage.status == 1)
        #expect(badStage.stderr.contains("stage: "))
    }
}
