import Testing

@testable import CaseloadCore

/// The workbook's XML parts and the print layout's column hints. The whole file is read back by
/// openpyxl and LibreOffice in clients/python/tests/test_report_xlsx.py; these pin the pieces.
@Suite struct XLSXWorkbookTests {
    static let section = ReportSection(id: "cases", title: "案件 Cases", columns: [
        ReportColumn(key: "name", chineseName: "申请人", englishName: "Applicant", width: 10, nowrap: true),
        ReportColumn(key: "days", chineseName: "天数", englishName: "Days", type: .integer),
        ReportColumn(key: "due", chineseName: "期限", englishName: "Due", type: .date),
    ])

    @Test func typedCellsAreNumbersAndDatesWithTextKeptWhenItDoesNotParse() {
        let xml = XLSXWorkbook.rows([["张伟 & <Co>", "12", "2026-12-01"], ["李娜", "n/a", "2026-02-30"], ["", "", ""]], section: Self.section, firstRowIndex: 0)
        #expect(xml.contains("<row r=\"2\"><c r=\"A2\" s=\"3\" t=\"inlineStr\"><is><t>张伟 &amp; &lt;Co&gt;</t></is></c>"))
        #expect(xml.contains("<c r=\"B2\"><v>12</v></c>"))
        // 2026-12-01 is serial 46357 in the 1900 date system, with the yyyy-mm-dd style.
        #expect(xml.contains("<c r=\"C2\" s=\"2\"><v>46357</v></c>"))
        #expect(xml.contains("<c r=\"B3\" s=\"3\" t=\"inlineStr\"><is><t>n/a</t></is></c>"))
        #expect(xml.contains("<c r=\"C3\" s=\"3\" t=\"inlineStr\"><is><t>2026-02-30</t></is></c>"))
        #expect(xml.hasSuffix("<row r=\"4\"></row>"))  // empty cells are left out
        // Rows continue their numbers across chunks.
        #expect(XLSXWorkbook.rows([["x"]], section: Self.section, firstRowIndex: 500).hasPrefix("<row r=\"502\">"))
    }

    @Test func serialNumbersAndColumnNames() {
        #expect(XLSXWorkbook.serialNumber(CalendarDate(year: 1900, month: 3, day: 1)!) == 61)
        #expect(XLSXWorkbook.serialNumber(CalendarDate(year: 1970, month: 1, day: 1)!) == 25_569)
        #expect(XLSXWorkbook.serialNumber(CalendarDate(year: 1900, month: 2, day: 28)!) == nil)
        #expect((0..<3).map(XLSXWorkbook.columnName) == ["A", "B", "C"])
        #expect(XLSXWorkbook.columnName(25) == "Z" && XLSXWorkbook.columnName(26) == "AA" && XLSXWorkbook.columnName(701) == "ZZ")
    }

    @Test func sheetFreezesItsHeaderFiltersItsRowsAndSizesColumnsForChinese() {
        let begin = XLSXWorkbook.beginSheet(Self.section)
        #expect(begin.contains("<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>"))
        // "申请人 Applicant" is 6 + 10 display columns wide, plus 3 for the filter button.
        #expect(begin.contains("<col min=\"1\" max=\"1\" width=\"19\" customWidth=\"1\"/>"))
        #expect(begin.contains("<row r=\"1\"><c r=\"A1\" s=\"1\" t=\"inlineStr\"><is><t>申请人 Applicant</t></is></c>"))
        #expect(XLSXWorkbook.endSheet(Self.section, rowCount: 575) == "</sheetData><autoFilter ref=\"A1:C576\"/></worksheet>")
        #expect(ReportText.displayWidth("申请人 Applicant") == 16)
    }

    @Test func fixedPartsNameEverySheetAndTheFilterRange() {
        let meta = ReportMeta(title: "进度报告", header: [ReportField(label: "单位", value: "上海浦江")], summary: [ReportField(label: "案件", value: "575")], sections: [Self.section])
        let parts = Dictionary(uniqueKeysWithValues: XLSXWorkbook.fixedParts(meta, rowCounts: [575]).map { ($0.path, $0.xml) })
        #expect(Set(parts.keys) == ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/worksheets/sheet1.xml"])
        #expect(parts["[Content_Types].xml"]?.contains("/xl/worksheets/sheet2.xml") == true)
        let workbook = parts["xl/workbook.xml"] ?? ""
        #expect(workbook.contains("<sheet name=\"概要 Summary\" sheetId=\"1\" r:id=\"rId1\"/><sheet name=\"案件 Cases\" sheetId=\"2\" r:id=\"rId2\"/>"))
        #expect(workbook.contains("localSheetId=\"1\" hidden=\"1\">'案件 Cases'!$A$1:$C$576</definedName>"))
        // The summary's counts are numbers.
        #expect(parts["xl/worksheets/sheet1.xml"]?.contains("<c r=\"B4\"><v>575</v></c>") == true)
        #expect(XLSXWorkbook.sheetName(ReportSection(id: "x", title: "a/b:c[d]*?e\\" + String(repeating: "长", count: 40), columns: [])).count == 31)
    }

    @Test func xmlLeavesOutWhatXMLCannotHold() {
        #expect(XLSXWorkbook.xml("a\u{1}b\u{8}c\td\ne\"") == "abc\td\ne&quot;")
    }

    @Test func printedCellsOfNamesAndIDsDoNotWrapAndDetailsRunIn() {
        let table = ReportRenderer.render(ReportMeta(title: "t", sections: [Self.section]), sectionRows: [[["张伟", "3", "2026-12-01"]]], format: .html)
        #expect(table.contains("<th scope=\"col\" class=\"nw\">申请人 Applicant</th><th scope=\"col\">天数 Days</th>"))
        #expect(table.contains("<tr><td class=\"nw\">张伟</td><td class=\"n\">3</td><td>2026-12-01</td></tr>"))
        #expect(table.contains("overflow-wrap: break-word") && !table.contains("overflow-wrap: anywhere"))
        let details = ReportSection(id: "d", title: "附录", columns: [
            ReportColumn(key: "case", chineseName: "案件", englishName: "Case"),
            ReportColumn(key: "missing", chineseName: "缺少材料", englishName: "Missing"),
            ReportColumn(key: "originals", chineseName: "原件", englishName: "Originals"),
        ], layout: .details)
        let appendix = ReportRenderer.render(ReportMeta(title: "t", sections: [details]), sectionRows: [[["1. 张伟", "身份证原件", ""]]], format: .html)
        #expect(appendix.contains("<div class=\"entries\">\n<div class=\"entry\"><span class=\"h\">1. 张伟</span> <b>缺少材料</b> 身份证原件</div>\n</div>\n</section>"))
    }
}
