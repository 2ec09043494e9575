import CaseloadCore
import Foundation  // Golden files (FileManager/Data) and JSONSerialization only.
import Testing

// MARK: - Fixture

/// A fixed report: two sections whose cells exercise every escaping rule.
enum ReportFixture {
    static let cases = ReportSection(
        id: "cases", title: "案件 Cases",
        columns: [
            ReportColumn(key: "applicant", chineseName: "申请人", englishName: "Applicant"),
            ReportColumn(key: "company", chineseName: "单位", englishName: "Company"),
            ReportColumn(key: "stage", chineseName: "阶段", englishName: "Stage"),
            ReportColumn(key: "note", chineseName: "备注", englishName: "Note"),
            ReportColumn(key: "points", chineseName: "积分", englishName: "Points"),
        ])
    static let deadlines = ReportSection(
        id: "deadlines", title: "逾期期限 Overdue deadlines",
        columns: [
            ReportColumn(key: "case", chineseName: "案件", englishName: "Case"),
            ReportColumn(key: "due", chineseName: "期限", englishName: "Due"),
            ReportColumn(key: "days", chineseName: "逾期天数", englishName: "Days late"),
        ])

    static let meta = ReportMeta(
        title: "进度报告 Progress report",
        header: [
            ReportField(label: "机构 Agency", value: "申城人才服务 & 咨询"),
            ReportField(label: "单位 Company", value: "上海某某科技有限公司"),
            ReportField(label: "顾问 Consultant", value: "李明 <li.ming>"),
            ReportField(label: "截至 As of", value: "2026-03-31"),
        ],
        summary: [
            ReportField(label: "案件总数 Cases", value: "12"),
            ReportField(label: "逾期 Late", value: "2"),
            ReportField(label: "逾期期限 Overdue deadlines", value: "1"),
        ],
        chart: [
            ReportBar(label: "材料准备 Preparing", value: 5),
            ReportBar(label: "已受理 Accepted", value: 4),
            ReportBar(label: "已批准 Approved", value: 3),
            ReportBar(label: "已结案 Closed", value: 0),
        ],
        sections: [cases, deadlines])

    static let caseRows: [[String]] = [
        ["张三", "上海某某科技有限公司, 浦东分公司", "已受理", "客户说\"尽快\"", "120"],
        ["李四", "A|B 贸易", "材料准备", "第一行\n第二行", "-5"],
        ["王五", "=HYPERLINK(\"x\")", "已批准", "", "+1"],
        ["赵六", "@SUM(A1)", "已结案", "\tindented", "110"],
        ["O'Brien", "<b>Bold & Co</b>", "已受理", "*not* _emphasis_ \\ `code`", "98"],
    ]
    static let deadlineRows: [[String]] = [
        ["张三 2026-0012", "2026-03-20", "11"],
        ["李四 2026-0015", "2026-03-28", "3"],
        ["王五 2026-0019", "2026-03-30", "1"],
    ]
    static let sectionRows = [caseRows, deadlineRows]

    /// The report rendered the way the server does it: each section's rows in two chunks.
    static func chunked(_ format: ReportFormat, splits: [Int] = [2, 1]) -> String {
        var out = ReportRenderer.begin(meta, format: format)
        for (index, section) in meta.sections.enumerated() {
            let rows = sectionRows[index]
            out += ReportRenderer.beginSection(section, index: index, sectionCount: meta.sections.count, format: format)
            let split = min(splits[index], rows.count)
            out += ReportRenderer.rows(Array(rows[..<split]), section: section, firstRowIndex: 0, format: format)
            out += ReportRenderer.rows(Array(rows[split...]), section: section, firstRowIndex: split, format: format)
            out += ReportRenderer.endSection(section, rowCount: rows.count, format: format)
        }
        out += ReportRenderer.end(meta, format: format)
        return out
    }
}

// MARK: - Golden files

@Suite struct ReportGoldenTests {
    static let goldenDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden", isDirectory: true)

    static func goldenURL(_ format: ReportFormat) -> URL {
        goldenDirectory.appendingPathComponent("progress-report.\(format.rawValue)")
    }

    /// Compares bytes, not Strings: String equality is canonical equivalence and would hide
    /// a change between precomposed and decomposed characters.
    /// The text formats; xlsx's sheets are checked by `XLSXWorkbookTests` and read back whole
    /// by openpyxl (clients/python/tests).
    @Test(arguments: ReportFormat.allCases.filter { !$0.isBinary })
    func matchesGoldenFile(format: ReportFormat) throws {
        let output = Array(ReportFixture.chunked(format).utf8)
        let url = Self.goldenURL(format)
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: Self.goldenDirectory, withIntermediateDirectories: true)
            try Data(output).write(to: url)
            return
        }
        let golden = try #require(
            FileManager.default.contents(atPath: url.path),
            "missing \(url.path); run with UPDATE_GOLDEN=1 to write it, then review it")
        if Array(golden) != output {
            Issue.record("\(url.lastPathComponent) differs: \(Self.firstDifference(Array(golden), output))")
        }
    }

    /// Where the bytes first differ: line number and a short excerpt of each side.
    private static func firstDifference(_ expected: [UInt8], _ actual: [UInt8]) -> String {
        let common = zip(expected, actual).prefix { $0 == $1 }.count
        let line = expected[..<common].filter { $0 == 0x0A }.count + 1
        func excerpt(_ bytes: [UInt8]) -> String {
            let start = max(0, common - 30), end = min(bytes.count, common + 50)
            return String(reflecting: String(decoding: bytes[start..<end], as: UTF8.self))
        }
        return "byte \(common), line \(line): expected …\(excerpt(expected))…, got …\(excerpt(actual))… "
            + "(\(expected.count) vs \(actual.count) bytes); if the change is intended, rerun with UPDATE_GOLDEN=1 and review the diff"
    }
}

// MARK: - Properties

@Suite struct ReportRendererTests {
    // Streaming

    @Test(arguments: ReportFormat.allCases)
    func anyChunkingEqualsOneShot(format: ReportFormat) {
        let oneShot = Array(ReportRenderer.render(ReportFixture.meta, sectionRows: ReportFixture.sectionRows, format: format).utf8)
        for first in 0...ReportFixture.caseRows.count {
            for second in 0...ReportFixture.deadlineRows.count {
                let chunked = Array(ReportFixture.chunked(format, splits: [first, second]).utf8)
                #expect(chunked == oneShot, "splits \(first), \(second)")
            }
        }
        // One row per call, as a tiny page size would do.
        var out = ReportRenderer.begin(ReportFixture.meta, format: format)
        for (index, section) in ReportFixture.meta.sections.enumerated() {
            out += ReportRenderer.beginSection(section, index: index, sectionCount: 2, format: format)
            for (rowIndex, row) in ReportFixture.sectionRows[index].enumerated() {
                out += ReportRenderer.rows([row], section: section, firstRowIndex: rowIndex, format: format)
                out += ReportRenderer.rows([], section: section, firstRowIndex: rowIndex + 1, format: format)
            }
            out += ReportRenderer.endSection(section, rowCount: ReportFixture.sectionRows[index].count, format: format)
        }
        out += ReportRenderer.end(ReportFixture.meta, format: format)
        #expect(Array(out.utf8) == oneShot)
    }

    @Test func shortRowsArePaddedAndLongRowsTruncated() {
        let section = ReportFixture.deadlines
        for format in ReportFormat.allCases {
            let padded = ReportRenderer.rows([["a"], ["b", "c", "d", "extra"]], section: section, firstRowIndex: 0, format: format)
            let exact = ReportRenderer.rows([["a", "", ""], ["b", "c", "d"]], section: section, firstRowIndex: 0, format: format)
            #expect(padded == exact, "\(format)")
        }
    }

    @Test func mediaTypes() {
        #expect(ReportRenderer.mediaType(.csv) == "text/csv; charset=utf-8")
        #expect(ReportRenderer.mediaType(.json) == "application/json")
        #expect(ReportRenderer.mediaType(.md) == "text/markdown; charset=utf-8")
        #expect(ReportRenderer.mediaType(.html) == "text/html; charset=utf-8")
    }

    // CSV

    @Test func csvStartsWithBOMAndEndsRecordsWithCRLF() throws {
        let bytes = Array(ReportFixture.chunked(.csv).utf8)
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(ReportRenderer.begin(ReportFixture.meta, format: .csv) == "\u{FEFF}")
        #expect(Array(bytes.suffix(2)) == [0x0D, 0x0A])
        let parsed = try ReportCSVReader.parse(bytes)
        #expect(parsed.bareLineFeeds == 0)
        #expect(parsed.bareCarriageReturns == 0)
    }

    @Test func csvLayoutAndRoundTrip() throws {
        let parsed = try ReportCSVReader.parse(Array(ReportFixture.chunked(.csv).utf8))
        let records = parsed.records
        let casesHeader = ReportFixture.cases.columns.map { "\($0.chineseName) \($0.englishName)" }
        let deadlinesHeader = ReportFixture.deadlines.columns.map { "\($0.chineseName) \($0.englishName)" }
        var expected: [[String]] = [["案件 Cases"], casesHeader]
        expected += ReportFixture.caseRows.map { $0.map(Self.neutralised) }
        expected += [[""], ["逾期期限 Overdue deadlines"], deadlinesHeader]
        expected += ReportFixture.deadlineRows.map { $0.map(Self.neutralised) }
        #expect(records.map { $0.map { Array($0.utf8) } } == expected.map { $0.map { Array($0.utf8) } })
        #expect(records[3][4] == "'-5")
        #expect(records[4][1] == "'=HYPERLINK(\"x\")")
    }

    @Test func csvSingleSectionIsAPlainTable() throws {
        let section = ReportFixture.deadlines
        let meta = ReportMeta(title: "期限 Deadlines", sections: [section])
        let text = ReportRenderer.render(meta, sectionRows: [ReportFixture.deadlineRows], format: .csv)
        #expect(text == "\u{FEFF}案件 Case,期限 Due,逾期天数 Days late\r\n张三 2026-0012,2026-03-20,11\r\n李四 2026-0015,2026-03-28,3\r\n王五 2026-0019,2026-03-30,1\r\n")
        // Without the count, the first section cannot know it is alone and keeps its title.
        #expect(ReportRenderer.beginSection(section, index: 0, format: .csv).hasPrefix("逾期期限 Overdue deadlines\r\n"))
    }

    static let formulaStarts: [Unicode.Scalar] = ["=", "+", "-", "@", "\t", "\r"]

    static func neutralised(_ cell: String) -> String {
        guard let first = cell.unicodeScalars.first, formulaStarts.contains(first) else { return cell }
        return "'" + cell
    }

    @Test func csvNeutralisesEveryFormulaLikeCell() throws {
        let hostile = ["=1+1", "+1", "-5", "@SUM(A1)", "\t=1", "\r=1", "\r\n=1", "=\u{301}1", "'=already", "a=b", "", "5-3"]
        let section = ReportSection(id: "s", title: "s", columns: hostile.indices.map {
            ReportColumn(key: "c\($0)", chineseName: "列\($0)", englishName: "")
        })
        let text = ReportRenderer.rows([hostile], section: section, firstRowIndex: 0, format: .csv)
        let fields = try #require(try ReportCSVReader.parse(Array(text.utf8)).records.first)
        #expect(fields.count == hostile.count)
        for (field, cell) in zip(fields, hostile) {
            #expect(Array(field.utf8) == Array(Self.neutralised(cell).utf8), "\(String(reflecting: cell))")
            if let first = field.unicodeScalars.first { #expect(!Self.formulaStarts.contains(first)) }
        }
        // Every field of the whole fixture, too.
        for record in try ReportCSVReader.parse(Array(ReportFixture.chunked(.csv).utf8)).records {
            for field in record {
                if let first = field.unicodeScalars.first { #expect(!Self.formulaStarts.contains(first), "\(field)") }
            }
        }
    }

    @Test func csvQuotesCommasQuotesAndLineBreaks() {
        let section = ReportSection(id: "s", title: "s", columns: (0..<6).map {
            ReportColumn(key: "c\($0)", chineseName: "列\($0)", englishName: "")
        })
        let text = ReportRenderer.rows(
            [["a,b", "say \"hi\"", "x\ny", "x\r\ny", "plain 中文", "\"\u{301}"]], section: section, firstRowIndex: 0, format: .csv)
        #expect(Array(text.utf8) == Array("\"a,b\",\"say \"\"hi\"\"\",\"x\ny\",\"x\r\ny\",plain 中文,\"\"\"\u{301}\"\r\n".utf8))
    }

    // JSON

    @Test func jsonParsesAndRoundTripsTheCells() throws {
        let data = Data(ReportFixture.chunked(.json).utf8)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["title"] as? String == ReportFixture.meta.title)
        let header = try #require(object["header"] as? [[String: String]])
        #expect(header.map { $0["label"] ?? "" } == ReportFixture.meta.header.map(\.label))
        #expect(header.map { $0["value"] ?? "" } == ReportFixture.meta.header.map(\.value))
        let summary = try #require(object["summary"] as? [[String: String]])
        #expect(summary.map { $0["value"] ?? "" } == ReportFixture.meta.summary.map(\.value))
        let sections = try #require(object["sections"] as? [[String: Any]])
        #expect(sections.count == 2)
        for (json, (section, rows)) in zip(sections, zip(ReportFixture.meta.sections, ReportFixture.sectionRows)) {
            #expect(json["id"] as? String == section.id)
            #expect(json["title"] as? String == section.title)
            #expect(json["columns"] as? [String] == section.columns.map(\.key))
            let jsonRows = try #require(json["rows"] as? [[String: String]])
            #expect(jsonRows.count == rows.count)
            for (jsonRow, row) in zip(jsonRows, rows) {
                #expect(section.columns.map { Array((jsonRow[$0.key] ?? "<missing>").utf8) } == row.map { Array($0.utf8) })
            }
        }
    }

    @Test func jsonEscapesEveryControlCharacter() throws {
        let controls = String(String.UnicodeScalarView((0..<0x20).compactMap(Unicode.Scalar.init)))
        let cells = [controls, "\"\\/\u{7F}\u{2028}\u{2029}", "\"\u{301}", "中文 😀"]
        let section = ReportSection(id: "s", title: "s", columns: cells.indices.map {
            ReportColumn(key: "k\($0)", chineseName: "", englishName: "")
        })
        let meta = ReportMeta(title: "t", sections: [section])
        let text = ReportRenderer.render(meta, sectionRows: [[cells]], format: .json)
        // No raw control character anywhere; CJK and emoji stay UTF-8, not \u escapes.
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        #expect(text.hasSuffix("]}\n"))
        #expect(text.contains("中文 😀"))
        #expect(text.contains(#"\u0000\u0001"#) && text.contains(#"\b\t\n\u000b\f\r"#))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let row = try #require(((object["sections"] as? [[String: Any]])?.first?["rows"] as? [[String: String]])?.first)
        for (index, cell) in cells.enumerated() {
            #expect(Array((row["k\(index)"] ?? "").utf8) == Array(cell.utf8))
        }
    }

    @Test func jsonWithNoSectionsOrRows() throws {
        let empty = ReportMeta(title: "t")
        #expect(ReportRenderer.render(empty, sectionRows: [], format: .json)
            == #"{"title":"t","header":[],"summary":[],"sections":[]}"# + "\n")
        let noRows = ReportMeta(title: "t", sections: [ReportFixture.cases, ReportFixture.deadlines])
        let text = ReportRenderer.render(noRows, sectionRows: [], format: .json)
        #expect(try JSONSerialization.jsonObject(with: Data(text.utf8)) is [String: Any])
    }

    // Markdown

    @Test func markdownEscapesPipesAndLineBreaks() {
        let text = ReportFixture.chunked(.md)
        #expect(text.contains("| 李四 | A\\|B 贸易 | 材料准备 | 第一行<br>第二行 | -5 |\n"))
        // Every table line has exactly columns + 1 unescaped pipes: no cell splits the table.
        var columns = 0
        for line in text.split(separator: "\n") {
            if line.hasPrefix("## ") {
                columns = ReportFixture.meta.sections.first { "## " + $0.title == line }?.columns.count ?? -1
            } else if line.hasPrefix("|") {
                #expect(Self.unescapedPipes(line) == columns + 1, "\(line)")
            }
        }
        let section = ReportSection(id: "s", title: "s", columns: [ReportColumn(key: "a", chineseName: "甲", englishName: "A")])
        #expect(ReportRenderer.rows([["a|b\\|c\r\nd\re<i>&amp;"]], section: section, firstRowIndex: 0, format: .md)
            == "| a\\|b\\\\\\|c<br>d<br>e\\<i\\>\\&amp; |\n")
    }

    private static func unescapedPipes(_ line: Substring) -> Int {
        var count = 0
        var escaped = false
        for scalar in line.unicodeScalars {
            if escaped { escaped = false; continue }
            if scalar == "\\" { escaped = true } else if scalar == "|" { count += 1 }
        }
        return count
    }

    @Test func markdownHeaderAndSummaryAreSeparateLists() {
        let text = ReportRenderer.begin(ReportFixture.meta, format: .md)
        #expect(text.hasPrefix("# 进度报告 Progress report\n\n- **机构 Agency**: 申城人才服务 \\& 咨询\n"))
        #expect(text.contains("\n\n* **案件总数 Cases**: 12\n"))
    }

    // HTML

    @Test func htmlIsSelfContainedAndPrintable() {
        let text = ReportFixture.chunked(.html)
        #expect(text.hasPrefix("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">"))
        #expect(text.hasSuffix("</body>\n</html>\n"))
        for forbidden in ["http:", "https:", "//", "src=", "href=", "url(", "@import", "<script", "<link", "<img", "<iframe", "xmlns"] {
            #expect(!text.lowercased().contains(forbidden), "\(forbidden)")
        }
        for required in [
            "<svg", "@page { size: A4 landscape; margin: 10mm 10mm 12mm;", "counter(pages)", "thead { display: table-header-group; }",
            "page-break-inside: avoid", "\"Noto Sans CJK SC\"", "\"Microsoft YaHei\"", "\"PingFang SC\"",
            "<th scope=\"col\">申请人 Applicant</th>",
        ] {
            #expect(text.contains(required), "\(required)")
        }
    }

    @Test func htmlEscapesEverywhere() {
        let text = ReportFixture.chunked(.html)
        #expect(text.contains("<td>O&#39;Brien</td><td>&lt;b&gt;Bold &amp; Co&lt;/b&gt;</td>"))
        #expect(text.contains("<td>=HYPERLINK(&quot;x&quot;)</td>"))
        #expect(text.contains("<dd>李明 &lt;li.ming&gt;</dd>"))
        #expect(!text.contains("<b>"))
        // A quote followed by a combining mark is one Character but must still be escaped.
        let hostile = "\"\u{301} onmouseover='x' <svg>"
        let meta = ReportMeta(
            title: hostile, header: [ReportField(label: hostile, value: hostile)],
            chart: [ReportBar(label: hostile, value: 1)],
            sections: [ReportSection(id: "s", title: hostile, columns: [ReportColumn(key: "k", chineseName: hostile, englishName: hostile)])])
        let rendered = ReportRenderer.render(meta, sectionRows: [[[hostile]]], format: .html)
        #expect(!rendered.unicodeScalars.contains("'"))
        #expect(rendered.components(separatedBy: "<svg").count == 2)  // only the chart's own
        let quotes = rendered.unicodeScalars.filter { $0 == "\"" }.count
        let ownQuotes = ReportRenderer.render(
            ReportMeta(title: "t", header: [ReportField(label: "l", value: "v")], chart: [ReportBar(label: "b", value: 1)],
                       sections: [ReportSection(id: "s", title: "s", columns: [ReportColumn(key: "k", chineseName: "c", englishName: "e")])]),
            sectionRows: [[["x"]]], format: .html).unicodeScalars.filter { $0 == "\"" }.count
        #expect(quotes == ownQuotes)
    }

    @Test func htmlChartScalesBarsToTheLargestValue() {
        let svg = ReportRenderer.begin(ReportFixture.meta, format: .html)
        #expect(svg.contains("<svg class=\"chart\" width=\"860\" height=\"72\" viewBox=\"0 0 860 72\" role=\"img\">"))
        #expect(svg.contains("<text x=\"0\" y=\"13\">材料准备 Preparing</text><rect x=\"340\" y=\"3\" width=\"480\" height=\"12\"/><text x=\"826\" y=\"13\">5</text>"))
        #expect(svg.contains("width=\"384\""))  // 4 of 5
        #expect(svg.contains("<rect x=\"340\" y=\"57\" width=\"0\" height=\"12\"/><text x=\"346\" y=\"67\">0</text>"))
        let noChart = ReportRenderer.begin(ReportMeta(title: "t"), format: .html)
        #expect(!noChart.contains("<svg"))
        let huge = ReportRenderer.begin(ReportMeta(title: "t", chart: [
            ReportBar(label: "a", value: .max), ReportBar(label: "b", value: 1), ReportBar(label: "c", value: -3),
        ]), format: .html)
        #expect(huge.contains("width=\"480\"") && huge.contains("width=\"1\"") && huge.contains("width=\"0\""))
    }

    // Size

    @Test func fiftyThousandRowsStreamInPages() throws {
        let section = ReportFixture.cases
        let meta = ReportMeta(title: "导出 Export", sections: [section])
        let total = 50_000, page = 500
        var counts: [ReportFormat: Int] = [:]
        for format in [ReportFormat.csv, .json] {
            var out = ReportRenderer.begin(meta, format: format)
            out += ReportRenderer.beginSection(section, index: 0, sectionCount: 1, format: format)
            for start in stride(from: 0, to: total, by: page) {
                let rows = (start..<min(start + page, total)).map { ["申请人\($0)", "单位, \($0)", "阶段", "", "\($0 % 130)"] }
                out += ReportRenderer.rows(rows, section: section, firstRowIndex: start, format: format)
            }
            out += ReportRenderer.endSection(section, format: format) + ReportRenderer.end(meta, format: format)
            if format == .json {
                let object = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any]
                counts[format] = ((object?["sections"] as? [[String: Any]])?.first?["rows"] as? [Any])?.count
            } else {
                counts[format] = out.utf8.split(separator: 0x0A).count - 1  // minus the header line
            }
        }
        #expect(counts == [.csv: total, .json: total])
    }
}

// MARK: - A strict RFC 4180 reader for the tests

enum ReportCSVReader {
    struct Result {
        var records: [[String]] = []
        /// LFs outside quotes not preceded by CR, and CRs outside quotes not followed by LF.
        var bareLineFeeds = 0
        var bareCarriageReturns = 0
    }

    struct Malformed: Error {}

    /// Parses UTF-8 bytes (a leading BOM is skipped). A blank line is an empty record [""].
    static func parse(_ input: [UInt8]) throws -> Result {
        var bytes = input[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        var result = Result()
        var record: [String] = []
        var field: [UInt8] = []
        var quoted = false, inQuotes = false, fieldStarted = false
        var index = bytes.startIndex
        func endField() { record.append(String(decoding: field, as: UTF8.self)); field = []; quoted = false; fieldStarted = false }
        while index < bytes.endIndex {
            let byte = bytes[index]
            if inQuotes {
                if byte == 0x22 {
                    if index + 1 < bytes.endIndex, bytes[index + 1] == 0x22 { field.append(0x22); index += 2; continue }
                    inQuotes = false
                } else {
                    field.append(byte)
                }
                index += 1
                continue
            }
            switch byte {
            case 0x22:
                guard !fieldStarted else { throw Malformed() }
                quoted = true; inQuotes = true; fieldStarted = true
            case 0x2C:
                endField()
            case 0x0D, 0x0A:
                if byte == 0x0D {
                    if index + 1 < bytes.endIndex, bytes[index + 1] == 0x0A { index += 1 } else { result.bareCarriageReturns += 1 }
                } else {
                    result.bareLineFeeds += 1
                }
                endField()
                result.records.append(record)
                record = []
            default:
                guard !quoted else { throw Malformed() }  // text after a closing quote
                field.append(byte); fieldStarted = true
            }
            index += 1
        }
        guard !inQuotes else { throw Malformed() }
        if fieldStarted || !record.isEmpty { endField(); result.records.append(record) }
        return result
    }
}
