import CaseloadProtocol
import Foundation
import Testing
import ZIPFoundation

/// `caseload import applicants` and `caseload report …`, run as a subprocess against the shared
/// test server, each test in a fresh agency.
@Suite("caseload CLI: import from CSV, reports to files")
struct CLIImportReportTests {
    typealias Session = CLICaseTests.Session

    static let creditCode = "91350200776049653A"
    static let header = "统一社会信用代码,姓名,身份证号码,手机,学历,居住证领取日期,居住证到期日,社保月数,劳务派遣,案件类型"

    /// A fresh agency with the employer the files name (made with `caseload company add`).
    static func setUp() async throws -> (Session, String) {
        let s = try await Session.make()
        let company = try await s.json(["company", "add", "--name", "上海浦江软件有限公司", "--credit-code", creditCode, "--status", "activated"])
        return (s, try #require(company["id"]?.stringValue))
    }

    /// A directory of its own for the test's files.
    static func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("caseload-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func write(_ text: String, to name: String, in dir: URL) throws -> String {
        let url = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// Two applicants of the company: 张伟 with a case to open, 李娜 (a quoted name, fewer columns).
    static func goodCSV(_ a: String, _ b: String) -> String {
        header + "\r\n"
            + "\(creditCode),张伟,\(a),13900139000,本科,2026/1/5,2030-01-05,24,否,积分新办\r\n"
            + "\(creditCode),\"李娜\",\(b),,硕士,,,36,是,\r\n"
    }

    /// The rows of the table printed: the lines that start with a file line number.
    static func rows(_ output: String) -> [String] {
        output.split(separator: "\n").map(String.init).filter { $0.first?.isASCII == true && $0.first?.isNumber == true }
    }

    @Test("dry run plans and writes nothing; import creates; re-import updates without duplicates; report to CSV, HTML, stdout")
    func importThenReport() async throws {
        let (s, company) = try await Self.setUp()
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (a, b) = (residentID(301), residentID(302))
        let file = try Self.write(Self.goodCSV(a, b), to: "员工名单.csv", in: dir)

        let dry = try await s.ok(["import", "applicants", file, "--dry-run"])
        let plan = Self.rows(dry.stdout)
        #expect(dry.stdout.split(separator: "\n").first?.contains("ACTION") == true)
        #expect(plan.count == 2)
        #expect(plan.first?.hasPrefix("2 ") == true && plan.first?.contains(" create ") == true && plan.first?.contains("张伟") == true)
        #expect(plan.last?.hasPrefix("3 ") == true && plan.last?.contains("李娜") == true)
        #expect(!dry.stdout.contains(a))  // masked
        #expect(dry.stdout.hasSuffix("dry run, nothing written: would create 2, update 0, open 1 cases\n"))
        #expect(dry.stderr.isEmpty)  // not a terminal: no progress bar
        #expect(try await s.json(["applicant", "list"]) == [])
        let dryJSON = try await s.json(["import", "applicants", file, "--dry-run"])
        #expect(dryJSON["applied"] == false)
        #expect(dryJSON["plan"]?.arrayValue?.compactMap { $0["line"]?.intValue } == [2, 3])

        let imported = try await s.ok(["import", "applicants", file])
        #expect(imported.stdout == "created 2, updated 0, cases opened 1\n")
        let applicants = try await s.json(["applicant", "list"]).arrayValue ?? []
        #expect(applicants.count == 2)
        let zhang = try #require(applicants.first { $0["name"] == "张伟" })
        #expect(zhang["company_id"] == .string(company))
        #expect(zhang["education_level"] == "bachelor")
        #expect(zhang["permit_expiry_date"] == "2030-01-05")
        let li = try #require(applicants.first { $0["name"] == "李娜" })
        #expect(li["education_level"] == "master")
        let zhangCases = try await s.json(["case", "list", "--applicant", try #require(zhang["id"]?.stringValue)]).arrayValue ?? []
        #expect(zhangCases.count == 1)
        #expect(zhangCases.first?["kind"] == "points_new")

        // The same file again: both found by ID number and updated, no new applicants, no second case.
        let again = try await s.ok(["import", "applicants", file])
        #expect(again.stdout == "created 0, updated 2, cases opened 0\n")
        #expect(try await s.json(["applicant", "list"]).arrayValue?.count == 2)
        let replan = try await s.ok(["import", "applicants", file, "--dry-run"])
        #expect(Self.rows(replan.stdout).allSatisfy { $0.contains(" update ") })

        // Report to a CSV file: Excel's byte order mark first, the applicant's name inside.
        let csvPath = dir.appendingPathComponent("进度报告.csv").path
        let csv = try await s.ok(["report", "company", company, "--format", "csv", "--out", csvPath])
        let bytes = try #require(FileManager.default.contents(atPath: csvPath))
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let csvText = String(decoding: bytes, as: UTF8.self)
        #expect(csvText.contains("张伟"))
        #expect(!csvText.contains(a))  // the ID number is masked in reports
        #expect(csv.stdout == "wrote \(csvPath) (1 row, \(bytes.count) bytes)\n")
        #expect(csv.stderr.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["员工名单.csv", "进度报告.csv"])  // no partial file left

        let htmlPath = dir.appendingPathComponent("report.html").path
        try await s.ok(["report", "company", company, "--format", "html", "--out", htmlPath, "--kind", "points_new"])
        let html = try String(contentsOfFile: htmlPath, encoding: .utf8)
        #expect(html.contains("<svg"))
        #expect(!html.contains("http"))
        #expect(html.contains("张伟"))

        // A workbook: the base64 chunks decoded into one ZIP that ZIPFoundation reads back.
        let xlsxPath = dir.appendingPathComponent("进度报告.xlsx").path
        let xlsx = try await s.ok(["report", "company", company, "--format", "xlsx", "--out", xlsxPath])
        let book = try Data(contentsOf: URL(fileURLWithPath: xlsxPath))
        #expect(xlsx.stdout == "wrote \(xlsxPath) (1 row, \(book.count) bytes)\n")
        let archive = try Archive(data: book, accessMode: .read)
        var sheet = Data()
        _ = try archive.extract(try #require(archive["xl/worksheets/sheet2.xml"])) { sheet.append($0) }
        #expect(String(decoding: sheet, as: UTF8.self).contains("<t>张伟</t>"))

        // --out -: the report on stdout, the summary on stderr.
        let md = try await s.ok(["report", "company", company, "--format", "md", "--out", "-"])
        #expect(md.stdout.contains("张伟"))
        #expect(md.stderr.hasPrefix("wrote standard output (1 row, \(md.stdout.utf8.count) bytes)"))
        let json = try await s.ok(["report", "agency", "--format", "json", "--out", "-"])
        #expect((try? json.json()) != nil)
        let summary = try await s.json(["report", "company", company, "--format", "json", "--out", dir.appendingPathComponent("r.json").path, "--late"])
        #expect(summary["rows"] == 0)
        #expect(summary["format"] == "json")

        let missing = try await s.run(["report", "company", company, "--format", "csv", "--out", dir.appendingPathComponent("no/such/dir.csv").path])
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix("caseload: cannot create "))
        let unknown = try await s.run(["report", "company", "00000000-0000-0000-0000-000000000000", "--format", "csv", "--out", dir.appendingPathComponent("x.csv").path])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("[not_found]"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("x.csv").path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).allSatisfy { !$0.hasSuffix(".part") })
    }

    @Test("bad rows: every error with its file line and column as headed; exit 1; nothing written")
    func badRows() async throws {
        let (s, _) = try await Self.setUp()
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = residentID(311)
        var badID = residentID(312)
        badID = String(badID.dropLast()) + (badID.last == "0" ? "1" : "0")  // wrong check digit
        // Line 3 is empty and skipped; the data rows are on lines 2, 4 and 5.
        let text = Self.header + "\n"
            + "\(Self.creditCode),张伟,\(good),,本科,2026-01-05,,24,否,\n"
            + "\n"
            + "\(Self.creditCode),李娜,\(badID),,本科,,,,,\n"
            + "\(Self.creditCode),王芳,\(residentID(313)),,本科,,2026-13-01,,,\n"
        let file = try Self.write(text, to: "bad.csv", in: dir)

        let run = try await s.run(["import", "applicants", file])
        #expect(run.status == 1)
        let errors = Self.rows(run.stdout)
        #expect(run.stdout.split(separator: "\n").first?.hasPrefix("LINE  COLUMN") == true)
        #expect(errors.count == 2)
        #expect(errors.first?.hasPrefix("4 ") == true && errors.first?.contains(" 身份证号码 ") == true && errors.first?.contains(" checksum ") == true)
        #expect(errors.last?.hasPrefix("5 ") == true && errors.last?.contains(" 居住证到期日 ") == true && errors.last?.contains(" date ") == true)
        #expect(run.stderr.contains("caseload: 2 errors in \(file); nothing was imported"))
        #expect(try await s.json(["applicant", "list"]) == [])

        let dry = try await s.run(["import", "applicants", file, "--dry-run", "--json"])
        #expect(dry.status == 1)
        let result = try dry.json()
        #expect(result["applied"] == false)
        #expect(result["errors"]?.arrayValue?.compactMap { $0["line"]?.intValue } == [4, 5])
        #expect(result["errors"]?.arrayValue?.compactMap { $0["header"]?.stringValue } == ["身份证号码", "居住证到期日"])

        // Refused by the CLI before anything is sent: a missing file.
        let absent = try await s.run(["import", "applicants", dir.appendingPathComponent("none.csv").path])
        #expect(absent.status == 1)
        #expect(absent.stderr.contains("no such file"))
        #expect(try await s.json(["applicant", "list"]) == [])
    }

    @Test("a GB18030 file (as Chinese Excel saves it) imports with --encoding gb18030 and with auto; utf8 refuses it")
    func gb18030() async throws {
        let (s, _) = try await Self.setUp()
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let utf8 = try Self.write(Self.goodCSV(residentID(321), residentID(322)), to: "utf8.csv", in: dir)
        let gbPath = dir.appendingPathComponent("gb18030.csv").path
        let iconv = Process()
        iconv.executableURL = URL(fileURLWithPath: "/usr/bin/iconv")
        iconv.arguments = ["-f", "UTF-8", "-t", "GB18030", "-o", gbPath, utf8]
        let converted = try await CLIRunner.run(iconv)
        #expect(converted.status == 0, "\(converted.stderr)")
        let gbBytes = try #require(FileManager.default.contents(atPath: gbPath))
        #expect(String(validating: Array(gbBytes), as: UTF8.self) == nil)  // really not UTF-8
        #expect(gbBytes.count < (try #require(FileManager.default.contents(atPath: utf8))).count)

        let wrong = try await s.run(["import", "applicants", gbPath, "--encoding", "utf8"])
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("not valid UTF-8"))
        #expect(wrong.stderr.contains("--encoding gb18030"))

        let explicit = try await s.ok(["import", "applicants", gbPath, "--encoding", "gb18030", "--dry-run"])
        #expect(explicit.stdout.hasSuffix("would create 2, update 0, open 1 cases\n"))
        let imported = try await s.ok(["import", "applicants", gbPath, "--encoding", "gb18030"])
        #expect(imported.stdout == "created 2, updated 0, cases opened 1\n")
        let names = (try await s.json(["applicant", "list"]).arrayValue ?? []).compactMap { $0["name"]?.stringValue }.sorted()
        #expect(names == ["张伟", "李娜"].sorted())

        let auto = try await s.ok(["import", "applicants", gbPath])
        #expect(auto.stdout == "created 0, updated 2, cases opened 0\n")
        #expect(try await s.json(["applicant", "list"]).arrayValue?.count == 2)
    }
}
