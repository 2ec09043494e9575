// The XML parts of a report workbook (Office Open XML SpreadsheetML, ECMA-376), as text.
// Packaging them into the ZIP container is the server's (it streams the container in chunks);
// everything here is pure, like the rest of the renderer.
//
// The workbook holds a summary sheet (the report's header and summary fields) and one sheet per
// section. Strings are inline (`t="inlineStr"`), not in a shared-strings part, so a sheet can
// be written row by row without remembering anything: a chunk of rows depends only on its
// arguments, as in `ReportRenderer`.

/// The parts of an xlsx report, and the cases sheets' XML in pieces.
public enum XLSXWorkbook {
    /// The summary sheet's name.
    public static let summarySheetName = "概要 Summary"

    /// The part name of sheet `number` (1 is the summary; section `i` is sheet `i + 2`).
    public static func sheetPath(_ number: Int) -> String { "xl/worksheets/sheet\(number).xml" }

    /// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`.
    public static func sheetName(_ section: ReportSection) -> String {
        let cleaned = section.title.unicodeScalars.map { "[]:*?/\\".unicodeScalars.contains($0) ? " " : String($0) }.joined()
        return String(cleaned.prefix(31))
    }

    /// The parts other than the section sheets, each `(path, xml)`: content types, package and
    /// workbook relationships, the workbook (with each section's filter range, `rowCounts[i]`
    /// data rows in section `i`), styles, and the summary sheet.
    public static func fixedParts(_ meta: ReportMeta, rowCounts: [Int]) -> [(path: String, xml: String)] {
        let sheetCount = meta.sections.count + 1
        var types = declaration + "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
            + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
            + "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
            + "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
            + "<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>"
        for number in 1...sheetCount {
            types += "<Override PartName=\"/\(sheetPath(number))\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
        }
        types += "</Types>"

        let packageRels = declaration + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
            + "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>"
            + "</Relationships>"

        var workbookRels = declaration + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        for number in 1...sheetCount {
            workbookRels += "<Relationship Id=\"rId\(number)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet\(number).xml\"/>"
        }
        workbookRels += "<Relationship Id=\"rId\(sheetCount + 1)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>"
        workbookRels += "</Relationships>"

        let names = [summarySheetName] + meta.sections.map(sheetName)
        var workbook = declaration + "<workbook xmlns=\"\(mainNamespace)\" xmlns:r=\"\(relationshipNamespace)\"><sheets>"
        for (index, name) in names.enumerated() {
            workbook += "<sheet name=\"\(xml(name))\" sheetId=\"\(index + 1)\" r:id=\"rId\(index + 1)\"/>"
        }
        workbook += "</sheets><definedNames>"
        // Excel keeps an autofilter's range as this hidden name too; without it Excel still
        // opens the file but LibreOffice shows no filter buttons.
        for (index, section) in meta.sections.enumerated() where !section.columns.isEmpty {
            let rows = index < rowCounts.count ? rowCounts[index] : 0
            let quoted = "'" + xml(sheetName(section)).split(separator: "'", omittingEmptySubsequences: false).joined(separator: "''") + "'"
            workbook += "<definedName name=\"_xlnm._FilterDatabase\" localSheetId=\"\(index + 1)\" hidden=\"1\">"
                + quoted + "!" + absoluteRange(columns: section.columns.count, rows: rows + 1) + "</definedName>"
        }
        workbook += "</definedNames></workbook>"

        return [
            ("[Content_Types].xml", types), ("_rels/.rels", packageRels), ("xl/workbook.xml", workbook),
            ("xl/_rels/workbook.xml.rels", workbookRels), ("xl/styles.xml", styles), (sheetPath(1), summarySheet(meta)),
        ]
    }

    // MARK: Section sheets, in pieces

    /// A section's sheet up to and including its header row: the header frozen, column widths.
    public static func beginSheet(_ section: ReportSection) -> String {
        var out = declaration + "<worksheet xmlns=\"\(mainNamespace)\" xmlns:r=\"\(relationshipNamespace)\">"
            + "<sheetViews><sheetView workbookViewId=\"0\"><pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>"
            + "</sheetView></sheetViews><sheetFormatPr defaultRowHeight=\"15\"/>"
        if !section.columns.isEmpty {
            out += "<cols>"
            for (index, column) in section.columns.enumerated() {
                out += "<col min=\"\(index + 1)\" max=\"\(index + 1)\" width=\"\(columnWidth(column))\" customWidth=\"1\"/>"
            }
            out += "</cols>"
        }
        out += "<sheetData>"
        if !section.columns.isEmpty {
            out += "<row r=\"1\">"
            for (index, column) in section.columns.enumerated() {
                out += textCell(column.displayName, reference: reference(column: index, row: 1), style: Style.header)
            }
            out += "</row>"
        }
        return out
    }

    /// Data rows; `firstRowIndex` is how many data rows of this section came before (row 1 is
    /// the header). Cells of integer and date columns are numbers (dates with a date format);
    /// empty cells are left out.
    public static func rows(_ rows: [[String]], section: ReportSection, firstRowIndex: Int) -> String {
        var out = ""
        for (offset, cells) in rows.enumerated() {
            let row = firstRowIndex + offset + 2
            out += "<row r=\"\(row)\">"
            for (index, (column, cell)) in zip(section.columns, ReportText.normalized(cells, count: section.columns.count)).enumerated()
            where !cell.isEmpty {
                out += self.cell(cell, type: column.type, reference: reference(column: index, row: row))
            }
            out += "</row>"
        }
        return out
    }

    /// The end of a section's sheet that has `rowCount` data rows, with an autofilter over them.
    public static func endSheet(_ section: ReportSection, rowCount: Int) -> String {
        var out = "</sheetData>"
        if !section.columns.isEmpty {
            out += "<autoFilter ref=\"" + range(columns: section.columns.count, rows: rowCount + 1) + "\"/>"
        }
        return out + "</worksheet>"
    }

    // MARK: Cells

    /// A cell of `type` from its text: numbers and dates as such when the text parses, text
    /// otherwise (nothing is dropped).
    static func cell(_ text: String, type: ReportValueType, reference: String) -> String {
        switch type {
        case .integer:
            if let value = Int(text) { return "<c r=\"\(reference)\"><v>\(value)</v></c>" }
        case .date:
            if let serial = CalendarDate(iso: text).flatMap(serialNumber) {
                return "<c r=\"\(reference)\" s=\"\(Style.date)\"><v>\(serial)</v></c>"
            }
        case .text: break
        }
        return textCell(text, reference: reference, style: Style.wrapped)
    }

    static func textCell(_ text: String, reference: String, style: Int) -> String {
        let space = text.first?.isWhitespace == true || text.last?.isWhitespace == true ? " xml:space=\"preserve\"" : ""
        return "<c r=\"\(reference)\" s=\"\(style)\" t=\"inlineStr\"><is><t\(space)>" + xml(text) + "</t></is></c>"
    }

    /// A date's serial number in the 1900 date system (days since 1899-12-30), for dates from
    /// 1900-03-01 on; nil before, where Excel's phantom 1900-02-29 makes serials disagree.
    static func serialNumber(_ date: CalendarDate) -> Int? {
        guard let first = CalendarDate(year: 1900, month: 3, day: 1), date >= first else { return nil }
        return date.daysSinceEpoch + 25_569
    }

    /// "A", "B", … "Z", "AA", … for the 0-based column `index`.
    static func columnName(_ index: Int) -> String {
        var name = ""
        var n = index + 1
        while n > 0 {
            let remainder = (n - 1) % 26
            name = String(UnicodeScalar(UInt8(65 + remainder))) + name
            n = (n - 1) / 26
        }
        return name
    }

    static func reference(column: Int, row: Int) -> String { columnName(column) + String(row) }

    static func range(columns: Int, rows: Int) -> String {
        "A1:" + reference(column: max(columns, 1) - 1, row: max(rows, 1))
    }

    static func absoluteRange(columns: Int, rows: Int) -> String {
        "$A$1:$" + columnName(max(columns, 1) - 1) + "$" + String(max(rows, 1))
    }

    /// Width in Excel's units (widths of "0"): the column's own hint or its header, whichever is
    /// wider, in display columns (a CJK character is two, which is how wide Excel draws one),
    /// plus a margin for the filter button; long text columns stop at 60 and wrap.
    static func columnWidth(_ column: ReportColumn) -> Int {
        min(60, max(column.width ?? 0, ReportText.displayWidth(column.displayName)) + 3)
    }

    // MARK: Fixed parts

    private static let declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    private static let mainNamespace = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    private static let relationshipNamespace = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

    /// Indexes into `styles`' cellXfs.
    enum Style {
        static let header = 1
        static let date = 2
        static let wrapped = 3
    }

    static let styles = declaration + "<styleSheet xmlns=\"\(mainNamespace)\">"
        + "<numFmts count=\"1\"><numFmt numFmtId=\"164\" formatCode=\"yyyy-mm-dd\"/></numFmts>"
        + "<fonts count=\"2\"><font><sz val=\"11\"/><name val=\"DengXian\"/><family val=\"2\"/><charset val=\"134\"/></font>"
        + "<font><b/><sz val=\"11\"/><name val=\"DengXian\"/><family val=\"2\"/><charset val=\"134\"/></font></fonts>"
        + "<fills count=\"3\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill>"
        + "<fill><patternFill patternType=\"solid\"><fgColor rgb=\"FFE8EBF0\"/><bgColor indexed=\"64\"/></patternFill></fill></fills>"
        + "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"
        + "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>"
        + "<cellXfs count=\"4\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>"
        + "<xf numFmtId=\"0\" fontId=\"1\" fillId=\"2\" borderId=\"0\" xfId=\"0\" applyFont=\"1\" applyFill=\"1\"/>"
        + "<xf numFmtId=\"164\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>"
        + "<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyAlignment=\"1\"><alignment vertical=\"top\" wrapText=\"1\"/></xf>"
        + "</cellXfs><cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles></styleSheet>"

    /// The title, the header fields, then the summary fields (counts as numbers).
    static func summarySheet(_ meta: ReportMeta) -> String {
        let fields = meta.header + meta.summary
        let labelWidth = min(60, (fields.map { ReportText.displayWidth($0.label) }.max() ?? 10) + 2)
        let valueWidth = min(60, max(12, (fields.map { ReportText.displayWidth($0.value) }.max() ?? 10) + 2))
        var out = declaration + "<worksheet xmlns=\"\(mainNamespace)\" xmlns:r=\"\(relationshipNamespace)\">"
            + "<cols><col min=\"1\" max=\"1\" width=\"\(labelWidth)\" customWidth=\"1\"/><col min=\"2\" max=\"2\" width=\"\(valueWidth)\" customWidth=\"1\"/></cols>"
            + "<sheetData><row r=\"1\">" + textCell(meta.title, reference: "A1", style: Style.header) + "</row>"
        var row = 2
        for (index, field) in fields.enumerated() {
            // A blank row between the header fields and the summary.
            if index == meta.header.count { row += 1 }
            out += "<row r=\"\(row)\">" + textCell(field.label, reference: "A\(row)", style: Style.header)
                + (index < meta.header.count ? textCell(field.value, reference: "B\(row)", style: 0) : cell(field.value, type: .integer, reference: "B\(row)"))
                + "</row>"
            row += 1
        }
        return out + "</sheetData></worksheet>"
    }

    /// `text` for XML element content or a double-quoted attribute: `& < > "` escaped, and the
    /// characters XML 1.0 cannot hold at all (C0 controls but tab, LF, CR; U+FFFE, U+FFFF) left out.
    static func xml(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF: continue
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
