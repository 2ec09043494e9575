@testable import CaseloadCLI
import CaseloadProtocol
import Foundation
import CaseloadCore
import Testing

@Suite struct ImportFileTests {
    @Test("Chinese and English headers, any case and spacing, and the keys themselves")
    func headers() throws {
        #expect(try ImportColumns.map(headers: ["姓名", " 身份证号码 ", "Mobile", "", "统一社会信用代码"]).keys == ["name", "id_number", "phone", nil, "company_credit_code"])
        #expect(ImportColumns.key(for: "  Credit   Code ") == "company_credit_code")
        #expect(ImportColumns.key(for: "单位代码") == "company_org_code")
        #expect(ImportColumns.key(for: "id number") == "id_number")
        #expect(ImportColumns.key(for: "Mobile") == "phone")
        #expect(ImportColumns.key(for: "居住证有效期至") == "permit_expiry_date")
        #expect(ImportColumns.key(for: "劳务派遣") == "dispatched")
        #expect(ImportColumns.key(for: "案件类型") == "case_kind")
        #expect(ImportColumns.key(for: "social_insurance_months") == "social_insurance_months")
        #expect(ImportColumns.key(for: "\u{3000}学历\u{3000}") == "education_level")  // ideographic spaces
        #expect(ImportColumns.key(for: "年龄") == nil)
    }

    @Test("unknown headers are ignored (their cells not sent) and listed for one warning; two headers for one column are refused")
    func unknownHeaders() throws {
        let (keys, ignored) = try ImportColumns.map(headers: ["姓名", "年龄", "身份证号", "Hobby"])
        #expect(keys == ["name", nil, "id_number", nil])
        #expect(ignored == [1, 3])
        #expect(ImportColumns.ignoredWarning(["年龄", "Hobby"]).hasPrefix("ignoring columns that are not imported: '年龄', 'Hobby'"))
        let file = try ImportFile.parse("序号,姓名,备注\n1,张伟,x\n")
        #expect(file.ignoredHeaders == ["序号", "备注"])
        #expect(file.rows.first?.fields == ["name": "张伟"])
        let twice = #expect(throws: CLIError.self) { try ImportColumns.map(headers: ["姓名", "name"]) }
        #expect(twice?.description.contains("'姓名' and 'name' both mean name") == true)
    }

    @Test("rows: numbered from 1 without the header, file lines kept, cells trimmed, empty cells and rows left out")
    func rows() throws {
        let text = "\u{FEFF}姓名,身份证号,手机\n张伟, 310104199001010011 ,\n,,\n\"李\n娜\",310104199001010022,13900139000\n"
        let file = try ImportFile.parse(text)
        #expect(file.headers == ["姓名", "身份证号", "手机"])
        #expect(file.rows == [
            ImportFile.Row(row: 1, line: 2, fields: ["name": "张伟", "id_number": "310104199001010011"]),
            ImportFile.Row(row: 2, line: 4, fields: ["name": "李\n娜", "id_number": "310104199001010022", "phone": "13900139000"]),
        ])
        #expect(file.line(ofRow: 2) == "4")
        #expect(file.line(ofRow: nil) == "-")
        #expect(file.header(of: "phone") == "手机")
        #expect(file.header(of: "dispatched") == "dispatched")
        let annotated = file.annotated(["errors": [["row": 2, "column": "id_number", "rule": "checksum", "message": "x"]], "plan": []])
        #expect(annotated["errors"]?.arrayValue?.first?["line"] == 4)
        #expect(annotated["errors"]?.arrayValue?.first?["header"] == "身份证号")
    }

    @Test("a value under no header, an empty file, a header without rows, a broken quote: each refused")
    func refusals() {
        let stray = #expect(throws: CLIError.self) { try ImportFile.parse("姓名,身份证号\n张伟,1,extra\n") }
        #expect(stray?.description.hasPrefix("line 2: 'extra' is in column 3") == true)
        #expect(throws: CLIError.self) { try ImportFile.parse("") }
        #expect(throws: CLIError.self) { try ImportFile.parse("姓名,身份证号\n,\n") }
        let quote = #expect(throws: CLIError.self) { try ImportFile.parse("姓名\n\"张伟\n") }
        #expect(quote?.description.contains("line 2") == true)
        // Trailing empty cells past the header are fine (spreadsheets leave them).
        #expect((try? ImportFile.parse("姓名,身份证号\n张伟,1,,\n"))?.rows.count == 1)
    }

    @Test("batches: at most 500 rows, and under the byte limit")
    func batches() throws {
        let body = (1...1201).map { "张伟\($0),\($0)" }.joined(separator: "\n")
        let file = try ImportFile.parse("姓名,身份证号\n" + body)
        let batches = try file.batches()
        #expect(batches.map(\.count) == [500, 500, 201])
        #expect(batches[1][0]["row"] == 501)
        #expect(batches[0][0]["fields"] == ["name": "张伟1", "id_number": "1"])
        let small = try file.batches(maxRows: 500, maxBytes: 2_000)
        #expect(small.allSatisfy { batch in (try? WireJSON.encode(JSONValue.array(batch)).count).map { $0 <= 2_000 } == true })
        #expect(small.flatMap { $0 }.count == 1201)
        #expect(throws: CLIError.self) { try file.batches(maxRows: 500, maxBytes: 10) }
    }

    @Test("progress bar text")
    func progress() {
        #expect(ProgressText.bar(label: "sending rows", done: 500, total: 1000, width: 10) == "sending rows [#####-----]  500/1000")
        #expect(ProgressText.bar(label: "x", done: 7, total: 0) == "x 7")
        #expect(ProgressText.bar(label: "x", done: 12, total: 10, width: 4) == "x [####] 10/10")
    }

    /// docs/import.md's table lists exactly the headers the CLI accepts.
    @Test("docs/import.md's column table matches ImportColumns")
    func documentedTable() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/import.md")
        let text = try String(contentsOf: url, encoding: .utf8)
        var documented: [String: [String]] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            let key = cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            documented[key] = cells[2].components(separatedBy: ", ")
        }
        #expect(documented.keys.sorted() == ImportColumns.applicants.map(\.key).sorted())
        for column in ImportColumns.applicants {
            #expect(documented[column.key] == column.headers, "\(column.key)")
        }
    }
}
