/// Renders a report as text, in pieces, so that a report of any size can be streamed.
///
/// A whole report is the concatenation, in this order, of
///
///     begin(meta)
///     for each section i of meta.sections:
///         beginSection(section, index: i, sectionCount: meta.sections.count)
///         rows(chunk, section: section, firstRowIndex: rows of this section already rendered)  // zero or more times
///         endSection(section)
///     end(meta)
///
/// Nothing is remembered between calls: every piece depends only on its arguments, so the
/// server can render page by page with bounded memory, and splitting a section's rows into
/// chunks in any way produces exactly the same bytes as rendering them at once.
///
/// Rows are cell strings in column order. A row with fewer cells than the section has columns
/// is padded with empty cells; extra cells are dropped (JSON has no key for them).
///
/// The formats:
/// - `csv`: RFC 4180 (CRLF, quoted fields), UTF-8 with a byte-order mark so Excel shows Chinese.
///   Only tables: a `中文 English` header line per section; when there is more than one section,
///   each is preceded by a line with its title and separated from the previous by a blank line.
///   The header, summary and chart are not written. A cell starting with `=`, `+`, `-`, `@`,
///   tab or CR is prefixed with `'` so spreadsheets do not run it as a formula (OWASP); this
///   also applies to plain negative numbers such as `-5`, which become `'-5`.
/// - `json`: one compact document `{"title","header","summary","sections":[{"id","title",
///   "columns":[keys],"rows":[{key: value}]}]}`, followed by a newline. The chart is not
///   written. Cells are not neutralised.
/// - `md`: a `#` title, the header and summary as bullet lists, then per section a `##` title
///   and a pipe table. The chart is not written.
/// - `html`: a self-contained page printed on landscape A4, with an inline SVG bar chart of
///   `meta.chart`; no scripts, external fonts, images or links. A `details` section is one
///   paragraph per row in three newspaper columns instead of a table (an appendix).
/// - `xlsx`: each section is a worksheet's XML (`XLSXWorkbook`): `begin` and `end` are empty,
///   `beginSection` opens the sheet with its header row, `endSection` closes it (it needs the
///   section's `rowCount` for the autofilter). The other parts of the workbook, and the ZIP
///   container around them, are not text: `XLSXWorkbook.fixedParts` and the server's packaging.
public enum ReportRenderer {
    /// What comes before the first section.
    public static func begin(_ meta: ReportMeta, format: ReportFormat) -> String {
        switch format {
        case .csv: CSVReport.begin
        case .json: JSONReport.begin(meta)
        case .md: MarkdownReport.begin(meta)
        case .html: HTMLReport.begin(meta)
        case .xlsx: ""
        }
    }

    /// What comes before the rows of the section at `index` (0 for the first section).
    ///
    /// `sectionCount` is the number of sections in the report (`meta.sections.count`). Only CSV
    /// uses it: a report with a single section is written as a plain table, without a title
    /// line. When it is nil, CSV writes the title line as for several sections, because the
    /// first section cannot otherwise know whether others follow.
    public static func beginSection(
        _ section: ReportSection, index: Int, sectionCount: Int? = nil, format: ReportFormat
    ) -> String {
        switch format {
        case .csv: CSVReport.beginSection(section, index: index, titled: index > 0 || (sectionCount ?? 2) > 1)
        case .json: JSONReport.beginSection(section, index: index)
        case .md: MarkdownReport.beginSection(section, index: index)
        case .html: HTMLReport.beginSection(section)
        case .xlsx: XLSXWorkbook.beginSheet(section)
        }
    }

    /// A chunk of `section`'s rows. `firstRowIndex` is how many rows of this section were
    /// already rendered by earlier calls (JSON needs it to place commas).
    public static func rows(
        _ rows: [[String]], section: ReportSection, firstRowIndex: Int, format: ReportFormat
    ) -> String {
        if format == .xlsx { return XLSXWorkbook.rows(rows, section: section, firstRowIndex: firstRowIndex) }
        let count = section.columns.count
        var out = ""
        for (offset, cells) in rows.enumerated() {
            let cells = ReportText.normalized(cells, count: count)
            switch format {
            case .csv: out += CSVReport.row(cells)
            case .json: out += JSONReport.row(cells, section: section, index: firstRowIndex + offset)
            case .md: out += MarkdownReport.row(cells)
            case .html: out += HTMLReport.row(cells, section: section)
            case .xlsx: break  // written above, a row number per row
            }
        }
        return out
    }

    /// What comes after the last row of `section`. `rowCount` (xlsx only) is how many rows the
    /// section has in all.
    public static func endSection(_ section: ReportSection, rowCount: Int = 0, format: ReportFormat) -> String {
        switch format {
        case .xlsx: XLSXWorkbook.endSheet(section, rowCount: rowCount)
        case .csv: ""
        case .json: "]}"
        case .md: ""
        case .html: HTMLReport.endSection(section)
        }
    }

    /// What comes after the last section.
    public static func end(_ meta: ReportMeta, format: ReportFormat) -> String {
        switch format {
        case .csv: ""
        case .json: "]}\n"
        case .md: ""
        case .html: "</body>\n</html>\n"
        case .xlsx: ""
        }
    }

    /// The HTTP media type of a report in `format`.
    public static func mediaType(_ format: ReportFormat) -> String {
        switch format {
        case .csv: "text/csv; charset=utf-8"
        case .json: "application/json"  // RFC 8259: JSON is UTF-8 and has no charset parameter.
        case .md: "text/markdown; charset=utf-8"
        case .html: "text/html; charset=utf-8"
        case .xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        }
    }

    /// The whole report at once: `sectionRows[i]` are the rows of `meta.sections[i]` (missing
    /// entries mean no rows). Convenient for small reports and tests; large ones should be
    /// streamed with the functions above, which this calls.
    public static func render(_ meta: ReportMeta, sectionRows: [[[String]]], format: ReportFormat) -> String {
        var out = begin(meta, format: format)
        for (index, section) in meta.sections.enumerated() {
            out += beginSection(section, index: index, sectionCount: meta.sections.count, format: format)
            if index < sectionRows.count {
                out += rows(sectionRows[index], section: section, firstRowIndex: 0, format: format)
            }
            out += endSection(section, rowCount: index < sectionRows.count ? sectionRows[index].count : 0, format: format)
        }
        out += end(meta, format: format)
        return out
    }
}

// MARK: - CSV

private enum CSVReport {
    static let begin = "\u{FEFF}"

    static func beginSection(_ section: ReportSection, index: Int, titled: Bool) -> String {
        var out = index > 0 ? "\r\n" : ""
        if titled { out += ReportText.csvRecord([section.title]) }
        if !section.columns.isEmpty { out += ReportText.csvRecord(section.columns.map(\.displayName)) }
        return out
    }

    static func row(_ cells: [String]) -> String {
        // A record with no fields would be an empty line, which readers take for a blank line.
        cells.isEmpty ? "" : ReportText.csvRecord(cells)
    }
}

// MARK: - JSON

private enum JSONReport {
    static func begin(_ meta: ReportMeta) -> String {
        "{\"title\":" + ReportText.jsonString(meta.title)
            + ",\"header\":" + fields(meta.header)
            + ",\"summary\":" + fields(meta.summary)
            + ",\"sections\":["
    }

    private static func fields(_ fields: [ReportField]) -> String {
        "[" + fields.map {
            "{\"label\":" + ReportText.jsonString($0.label) + ",\"value\":" + ReportText.jsonString($0.value) + "}"
        }.joined(separator: ",") + "]"
    }

    static func beginSection(_ section: ReportSection, index: Int) -> String {
        (index > 0 ? "," : "")
            + "{\"id\":" + ReportText.jsonString(section.id)
            + ",\"title\":" + ReportText.jsonString(section.title)
            + ",\"columns\":[" + section.columns.map { ReportText.jsonString($0.key) }.joined(separator: ",")
            + "],\"rows\":["
    }

    static func row(_ cells: [String], section: ReportSection, index: Int) -> String {
        var out = index > 0 ? ",{" : "{"
        for (column, (spec, cell)) in zip(section.columns, cells).enumerated() {
            if column > 0 { out += "," }
            out += ReportText.jsonString(spec.key) + ":" + ReportText.jsonString(cell)
        }
        return out + "}"
    }
}

// MARK: - Markdown

private enum MarkdownReport {
    static func begin(_ meta: ReportMeta) -> String {
        var out = "# " + ReportText.markdownInline(meta.title) + "\n\n"
        // Different bullets keep the two lists apart: in CommonMark, two `-` lists separated
        // only by a blank line are one (loose) list.
        out += list(meta.header, bullet: "-")
        out += list(meta.summary, bullet: "*")
        return out
    }

    private static func list(_ fields: [ReportField], bullet: String) -> String {
        guard !fields.isEmpty else { return "" }
        var out = ""
        for field in fields {
            out += bullet + " **" + ReportText.markdownInline(field.label) + "**: "
                + ReportText.markdownInline(field.value) + "\n"
        }
        return out + "\n"
    }

    static func beginSection(_ section: ReportSection, index: Int) -> String {
        var out = (index > 0 ? "\n" : "") + "## " + ReportText.markdownInline(section.title) + "\n"
        // A pipe table needs at least one column.
        guard !section.columns.isEmpty else { return out }
        out += "\n" + line(section.columns.map { ReportText.markdownInline($0.displayName) })
        out += line(section.columns.map { _ in "---" })
        return out
    }

    static func row(_ cells: [String]) -> String {
        cells.isEmpty ? "" : line(cells.map(ReportText.markdownInline))
    }

    private static func line(_ escapedCells: [String]) -> String {
        "| " + escapedCells.joined(separator: " | ") + " |\n"
    }
}

// MARK: - HTML

private enum HTMLReport {
    /// Print-first styles: landscape A4, a compact table (about 30 one-line rows a page), names,
    /// ID numbers and dates never broken, page numbers in the margin. System fonts only,
    /// Chinese first; nothing is loaded from anywhere.
    ///
    /// Cells wrap only between words (`overflow-wrap: break-word`, which unlike `anywhere` does
    /// not let a column shrink to one character); a row is never split across pages, which is
    /// cheap now that rows are one or two lines.
    static let style = """
        @page { size: A4 landscape; margin: 10mm 10mm 12mm;
          @bottom-right { content: "第 " counter(page) " 页 / 共 " counter(pages) " 页"; font-size: 7pt; color: #555; } }
        html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        body { margin: 0; color: #111; font-size: 8pt; line-height: 1.3;
          font-family: "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC",
            "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif; }
        @media screen { body { max-width: 277mm; margin: 0 auto; padding: 10mm; } }
        h1 { font-size: 14pt; margin: 0 0 2mm; }
        h2 { font-size: 11pt; margin: 4mm 0 1.5mm; break-after: avoid; page-break-after: avoid; }
        dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.3mm 3mm; margin: 0 0 2mm; }
        dl.summary { grid-template-columns: repeat(3, max-content 1fr); padding: 1.5mm 2.5mm; background: #f3f5f8;
          border-left: 1mm solid #4a6fa5; }
        dt { font-weight: 600; }
        dd { margin: 0; white-space: pre-wrap; }
        svg.chart { display: block; width: 170mm; max-width: 100%; height: auto; margin: 0 0 2mm;
          break-inside: avoid; page-break-inside: avoid; }
        svg.chart text { font-family: inherit; font-size: 12px; fill: #111; }
        svg.chart rect { fill: #4a6fa5; }
        table { width: 100%; border-collapse: collapse; }
        thead { display: table-header-group; }
        tr { break-inside: avoid; page-break-inside: avoid; }
        th, td { border: 0.4pt solid #999; padding: 0.5mm 1.2mm; text-align: left; vertical-align: top;
          overflow-wrap: break-word; }
        th { background: #e8ebf0; font-weight: 600; }
        td { white-space: pre-wrap; }
        th.nw, td.nw { white-space: nowrap; }
        td.n { text-align: right; font-variant-numeric: tabular-nums; }
        tbody tr:nth-child(even) td { background: #f7f7f7; }
        .entries { columns: 3; column-gap: 5mm; font-size: 7pt; line-height: 1.25; }
        .entry { break-inside: avoid; page-break-inside: avoid; margin: 0 0 0.8mm; }
        .entry .h { font-weight: 600; }
        .entry b { font-weight: 600; color: #4a6fa5; }
        """

    static func begin(_ meta: ReportMeta) -> String {
        let title = ReportText.html(meta.title)
        var out = """
            <!DOCTYPE html>
            <html lang="zh-CN">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title)</title>
            <style>
            \(style)
            </style>
            </head>
            <body>
            <h1>\(title)</h1>

            """
        out += definitions(meta.header, className: "header")
        out += definitions(meta.summary, className: "summary")
        out += chart(meta.chart)
        return out
    }

    private static func definitions(_ fields: [ReportField], className: String) -> String {
        guard !fields.isEmpty else { return "" }
        var out = "<dl class=\"\(className)\">\n"
        for field in fields {
            out += "<dt>" + ReportText.html(field.label) + "</dt><dd>" + ReportText.html(field.value) + "</dd>\n"
        }
        return out + "</dl>\n"
    }

    // Chart geometry, in SVG user units: one line per bar, its label on the left (stage names
    // are up to about 40 characters), the bar after it, the value just after the bar.
    private static let labelWidth = 340
    private static let barMaxWidth = 480
    private static let chartWidth = labelWidth + barMaxWidth + 40
    private static let rowHeight = 18

    /// A horizontal bar chart, bars scaled to the largest value (negative values draw no bar).
    /// No `xmlns`: an `<svg>` inside HTML needs none, and it would be a URL.
    static func chart(_ bars: [ReportBar]) -> String {
        guard !bars.isEmpty else { return "" }
        let maximum = bars.map(\.value).max() ?? 0
        let height = bars.count * rowHeight
        var out = "<svg class=\"chart\" width=\"\(chartWidth)\" height=\"\(height)\" "
            + "viewBox=\"0 0 \(chartWidth) \(height)\" role=\"img\">\n"
        for (index, bar) in bars.enumerated() {
            let top = index * rowHeight
            let width = barWidth(bar.value, maximum: maximum)
            out += "<text x=\"0\" y=\"\(top + 13)\">" + ReportText.html(bar.label) + "</text>"
            out += "<rect x=\"\(labelWidth)\" y=\"\(top + 3)\" width=\"\(width)\" height=\"12\"/>"
            out += "<text x=\"\(labelWidth + width + 6)\" y=\"\(top + 13)\">\(bar.value)</text>\n"
        }
        return out + "</svg>\n"
    }

    /// Width in whole units, so output is identical on every platform; at least 1 for any
    /// positive value, so a small count is still visible.
    private static func barWidth(_ value: Int, maximum: Int) -> Int {
        guard value > 0, maximum > 0 else { return 0 }
        let scaled = (Double(value) / Double(maximum) * Double(barMaxWidth)).rounded()
        return max(1, min(barMaxWidth, Int(scaled)))
    }

    static func beginSection(_ section: ReportSection) -> String {
        let heading = "<section>\n<h2>" + ReportText.html(section.title) + "</h2>\n"
        switch section.layout {
        case .details:
            return heading + "<div class=\"entries\">\n"
        case .table:
            var out = heading + "<table>\n<thead><tr>"
            for column in section.columns {
                out += "<th scope=\"col\"" + cellClass(column, header: true) + ">" + ReportText.html(column.displayName) + "</th>"
            }
            return out + "</tr></thead>\n<tbody>\n"
        }
    }

    static func endSection(_ section: ReportSection) -> String {
        switch section.layout {
        case .details: "</div>\n</section>\n"
        case .table: "</tbody>\n</table>\n</section>\n"
        }
    }

    /// ` class="…"` for a column's cells, or nothing: numbers are right-aligned, and names, ID
    /// numbers and dates stay on one line. A header stays on one line only when its cells do
    /// and are short (a number's header would otherwise make its column wide).
    private static func cellClass(_ column: ReportColumn, header: Bool) -> String {
        var classes: [String] = []
        if column.nowrap && !(header && column.type == .integer) { classes.append("nw") }
        if column.type == .integer && !header { classes.append("n") }
        return classes.isEmpty ? "" : " class=\"" + classes.joined(separator: " ") + "\""
    }

    static func row(_ cells: [String], section: ReportSection) -> String {
        guard !cells.isEmpty else { return "" }
        switch section.layout {
        case .details:
            // Run in, one paragraph per row: a block per field would double the appendix.
            var out = "<div class=\"entry\"><span class=\"h\">" + ReportText.html(cells[0]) + "</span>"
            for (column, cell) in zip(section.columns, cells).dropFirst() where !cell.isEmpty {
                let label = column.chineseName.isEmpty ? column.englishName : column.chineseName
                out += " <b>" + ReportText.html(label) + "</b> " + ReportText.html(cell)
            }
            return out + "</div>\n"
        case .table:
            var out = "<tr>"
            for (column, cell) in zip(section.columns, cells) {
                out += "<td" + cellClass(column, header: false) + ">" + ReportText.html(cell) + "</td>"
            }
            return out + "</tr>\n"
        }
    }
}
