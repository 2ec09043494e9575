import CaseloadCore
import CaseloadProtocol
import CaseloadServer
import CaseloadStorage
import Foundation
import PostgresNIO
import Testing

/// The printed progress report, checked in a real browser: the CLI writes the HTML file as a
/// user would, headless Chromium prints it to PDF (as a browser's "Print" does), and poppler
/// counts the pages and reads the text back. Nothing here is string matching on the HTML.
///
/// Needs `chromium`, `pdfinfo`, `pdftotext`, `pdftoppm` and a CJK font: `make test` installs
/// them (deploy/ensure-deps.sh --print). A missing tool fails the test, saying which.
@Suite("Printed report: landscape A4 through Chromium", .serialized)
struct ReportPrintTests {
    /// Where the PDF and the PNG of page 1 are kept for a person to look at (stable names).
    static let artifacts = FileManager.default.temporaryDirectory.appendingPathComponent("caseload-report-print", isDirectory: true)

    /// The first of `names` on PATH (or /usr/bin), or a recorded failure naming what to install.
    static func tool(_ names: [String], package: String) throws -> String {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/bin:/bin"
        for name in names {
            for dir in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
                return "\(dir)/\(name)"
            }
        }
        Issue.record("\(names[0]) is not installed: the print test needs it (Debian package \(package); `deploy/ensure-deps.sh --print` installs it)")
        throw ToolMissing()
    }

    struct ToolMissing: Error {}

    static func run(_ tool: String, _ arguments: [String]) async throws -> CLIRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = NSTemporaryDirectory()
        process.environment = env
        let run = try await CLIRunner.run(process)
        #expect(run.status == 0, "\(tool) \(arguments.joined(separator: " ")): \(run.stderr)")
        return run
    }

    /// A fresh agency whose one company has `cases` demo cases; the CLI session and the company id.
    static func company(cases: Int) async throws -> (CLICaseTests.Session, String) {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        _ = try await server.database.admin { connection in
            try await connection.withTransaction(logger: TestDatabase.logger) { tx in
                try await DemoData.seed(
                    companies: 1, applicants: cases, cipher: try PIICipher(activeKey: testKeys.piiKey, lookupKey: testKeys.lookupKey),
                    in: AgencyTransaction(connection: tx, agency: agency.agencyID, logger: TestDatabase.logger))
            }
        }
        let session = CLICaseTests.Session(server: server, token: agency.token)
        let listed = try await session.json(["company", "list"])
        let companies = listed.arrayValue ?? listed["companies"]?.arrayValue ?? []
        return (session, try #require(companies.first?["id"]?.stringValue))
    }

    /// Prints the company's report and returns the PDF's page count and its text, page by page.
    static func print(cases: Int) async throws -> (pages: Int, text: [String], report: JSONValue) {
        let chromium = try tool(["chromium", "chromium-browser", "google-chrome"], package: "chromium")
        let pdfinfo = try tool(["pdfinfo"], package: "poppler-utils")
        let pdftotext = try tool(["pdftotext"], package: "poppler-utils")
        let pdftoppm = try tool(["pdftoppm"], package: "poppler-utils")
        let fonts = try await run(try tool(["fc-list"], package: "fontconfig"), [":lang=zh", "family"]).stdout
        #expect(!fonts.isEmpty, "no font with Chinese glyphs: the PDF would show boxes (Debian fonts-wqy-microhei or fonts-noto-cjk)")

        let (session, company) = try await company(cases: cases)
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        let html = artifacts.appendingPathComponent("report-\(cases).html").path
        let pdf = artifacts.appendingPathComponent("report-\(cases).pdf").path
        try await session.ok(["report", "company", company, "--format", "html", "--out", html])
        let report = try JSONDecoder().decode(JSONValue.self, from: Data(try await session.ok(["report", "company", company, "--format", "json", "--out", "-"]).stdout.utf8))

        let profile = artifacts.appendingPathComponent("chromium-profile-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: profile) }
        // --no-sandbox: the tests may run as root, where Chromium's sandbox refuses to start.
        _ = try await run(chromium, [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(profile)",
            "--no-pdf-header-footer", "--print-to-pdf=\(pdf)", URL(fileURLWithPath: html).absoluteString,
        ])
        let info = try await run(pdfinfo, [pdf]).stdout
        let pagesLine = info.split(separator: "\n").first { $0.hasPrefix("Pages:") }
        let pages = try #require(pagesLine.flatMap { Int($0.dropFirst("Pages:".count).trimmingCharacters(in: .whitespaces)) }, "\(info)")
        // A4 landscape: 842 x 595 points, wider than high.
        let size = info.split(separator: "\n").first { $0.hasPrefix("Page size:") }.map(String.init) ?? ""
        #expect(size.contains("(A4)") && size.contains("841.") && size.contains("x 59"), "\(size)")
        let text = try await run(pdftotext, ["-layout", pdf, "-"]).stdout
        _ = try await run(pdftoppm, ["-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", pdf, artifacts.appendingPathComponent("report-\(cases)-page1").path])
        return (pages, text.components(separatedBy: "\u{0C}"), report)
    }

    /// Every case's masked ID number and name appear whole in the printed text (never broken
    /// across lines), and full table pages hold at least 20 cases.
    static func checkLayout(_ printed: (pages: Int, text: [String], report: JSONValue), cases: Int) throws {
        let rows = printed.report["sections"]?.arrayValue?.first?["rows"]?.arrayValue ?? []
        #expect(rows.count == cases)
        let all = printed.text.joined(separator: "\n")
        let broken = rows.filter { row in
            !all.contains(row["id_number"]?.stringValue ?? "?") || !all.contains(row["applicant"]?.stringValue ?? "?")
        }
        #expect(broken.isEmpty, "names or ID numbers not printed whole: \(broken.prefix(3))")
        // The table's pages are those before the appendix; the first has the summary too and
        // the last may be partly empty, so the pages between must each hold 20 or more.
        let appendix = printed.text.firstIndex { $0.contains("Appendix: case details") } ?? printed.text.count
        #expect(appendix >= 1, "the table comes first")
        let ids = rows.compactMap { $0["id_number"]?.stringValue }
        var checkedPages = 0
        for page in printed.text.indices where page > 0 && page < appendix - 1 {
            checkedPages += 1
            let count = ids.filter { printed.text[page].contains($0) }.count
            #expect(count >= 20, "page \(page + 1) holds \(count) cases")
        }
        #expect(appendix < printed.text.count, "the appendix of case details is printed")
        // Only a report of more than two pages of table has a full page between to count.
        #expect(cases < 100 || checkedPages >= 5, "\(checkedPages) full table pages counted")
    }

    /// Prints a company of `cases` cases and checks its page count and layout.
    static func check(cases: Int, maxPages: Int) async throws {
        let printed = try await Self.print(cases: cases)
        #expect(printed.pages <= maxPages, "\(cases) cases printed on \(printed.pages) pages")
        try Self.checkLayout(printed, cases: cases)
        Swift.print("ReportPrintTests: \(cases) cases -> \(printed.pages) pages (\(Self.artifacts.path))")
    }

    @Test("the 575-case company prints in at most 35 landscape pages, 20 or more cases a page, no ID number broken")
    func largeCompany() async throws {
        try await Self.check(cases: 575, maxPages: 35)
    }

    @Test("a 31-case company prints in at most 3 pages")
    func smallCompany() async throws {
        try await Self.check(cases: 31, maxPages: 3)
    }
}
