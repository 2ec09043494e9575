import CaseloadProtocol
import Foundation
import Testing

/// The `caseload` binary with names and dates as people write them: Chinese names reach the
/// server and come back canonical, date flags in three forms are sent as YYYY-MM-DD, a bad date
/// is refused before any call, an import's extra columns are ignored with a warning.
@Suite("caseload CLI: Chinese names, date forms, ignored import columns")
struct CLIInputNameTests {
    typealias Session = CLICaseTests.Session

    @Test("--education 硕士, --kind 积分新办 and a stage's Chinese name are accepted; --stage submited_online is refused with did-you-mean")
    func names() async throws {
        let s = try await Session.make()
        let company = try await s.company(3)
        let added = try await s.json([
            "applicant", "add", "--company", company, "--name", "张伟", "--id-number", residentID(31), "--education", "硕士",
            "--permit-received", "2026/1/5", "--permit-expiry", "2030年1月5日",
        ])
        #expect(added["education_level"] == "master")
        #expect(added["permit_received_date"] == "2026-01-05" && added["permit_expiry_date"] == "2030-01-05")
        let id = try #require(added["id"]?.stringValue)
        let opened = try await s.json(["case", "open", "--applicant", id, "--kind", "积分新办"])
        #expect(opened["kind"] == "points_new")
        let caseID = try #require(opened["id"]?.stringValue)
        let moved = try await s.json(["case", "advance", caseID, "--to", "单位注册开通"])
        #expect(moved["stage"] == "employer_ready")

        let refused = try await s.run(["case", "list", "--stage", "submited_online"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("unknown stage 'submited_online'") && refused.stderr.contains("did you mean 'submitted_online'?"))
        #expect(refused.stdout.isEmpty)
        #expect(try await s.json(["case", "show", caseID])["stage"] == "employer_ready")
    }

    @Test("a date flag that is no date is refused before any call, naming the flag and repeating the value")
    func badDate() async throws {
        let s = try await Session.make()
        let company = try await s.company(4)
        let refused = try await s.run([
            "applicant", "add", "--company", company, "--name", "李娜", "--id-number", residentID(32), "--permit-expiry", "2030/13/1",
        ])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("--permit-expiry: '2030/13/1' is not a date; write 2026-09-30, 2026/9/30 or 2026年9月30日"))
        #expect(try await s.json(["applicant", "list"]) == [])
    }

    @Test("an import with 序号 and 备注 columns warns once, listing them, and imports the rest")
    func ignoredColumns() async throws {
        let (s, _) = try await CLIImportReportTests.setUp()
        let dir = try CLIImportReportTests.directory()
        let csv = "序号,统一社会信用代码,姓名,身份证号码,学历,居住证到期日,备注\r\n"
            + "1,\(CLIImportReportTests.creditCode),张伟,\(residentID(33)),研究生,2027年1月5日,老客户\r\n"
        let file = try CLIImportReportTests.write(csv, to: "extra.csv", in: dir)
        let run = try await s.ok(["import", "applicants", file])
        #expect(run.stderr.contains("ignoring columns that are not imported: '序号', '备注'"))
        let listed = try await s.json(["applicant", "list"])
        #expect(listed.arrayValue?.count == 1)
        #expect(listed.arrayValue?.first?["education_level"] == "master")
    }
}
