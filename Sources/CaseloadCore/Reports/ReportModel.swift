// The data a report is rendered from. The server fills these from the database page by page;
// `ReportRenderer` turns them into text. Every string is shown verbatim: the renderer escapes.

/// An output format. The raw value is the usual file-name extension.
public enum ReportFormat: String, CaseIterable, Sendable, Codable {
    /// RFC 4180 CSV with a UTF-8 byte-order mark, for Excel and WPS.
    case csv
    /// One compact JSON document.
    case json
    /// CommonMark / GitHub-flavoured Markdown with pipe tables.
    case md
    /// One self-contained HTML file, laid out for landscape A4 printing.
    case html
    /// An Office Open XML workbook (a ZIP of XML parts): a summary sheet and a sheet of typed
    /// cells. `ReportRenderer` writes the cases sheet's XML; `XLSXWorkbook` the other parts.
    /// Binary: over the protocol its chunks travel base64-encoded.
    case xlsx

    /// Whether the file is binary (its chunks cannot be JSON text as they are).
    public var isBinary: Bool { self == .xlsx }
}

/// What a column's cells hold. Cells are always strings in the model; a typed column's cells
/// are written as numbers or dates where the format has them (xlsx), and an empty cell stays
/// empty. A cell that does not parse as its type is written as text, never dropped.
public enum ReportValueType: String, Sendable, Hashable, Codable {
    case text
    /// A whole number in decimal, e.g. "12" or "-3".
    case integer
    /// A calendar date, ISO 8601 `YYYY-MM-DD`.
    case date
}

/// One column of a section's table.
public struct ReportColumn: Sendable, Hashable, Codable {
    /// The JSON object key of this column's cells (should be unique within a section).
    public var key: String
    public var chineseName: String
    public var englishName: String
    /// What the cells hold (xlsx writes numbers and dates as such).
    public var type: ReportValueType
    /// The column's width in display columns (a CJK character is two), for formats that size
    /// columns before the rows arrive (xlsx); nil: as wide as its header.
    public var width: Int?
    /// Whether a printed cell must stay on one line: names, masked ID numbers, dates. A broken
    /// ID number cannot be read back.
    public var nowrap: Bool

    public init(
        key: String, chineseName: String, englishName: String, type: ReportValueType = .text, width: Int? = nil,
        nowrap: Bool = false
    ) {
        self.key = key
        self.chineseName = chineseName
        self.englishName = englishName
        self.type = type
        self.width = width
        self.nowrap = nowrap
    }

    /// The header shown in CSV, Markdown and HTML: "申请人 Applicant", or whichever name is
    /// not empty when only one is.
    public var displayName: String {
        ReportText.bilingual(chineseName, englishName)
    }
}

/// How HTML lays a section out.
public enum ReportSectionLayout: String, Sendable, Hashable, Codable {
    /// A table with a header row.
    case table
    /// One short paragraph per row, in newspaper columns: the first cell as its heading, then
    /// each non-empty cell after its column's Chinese name (an appendix of details too long
    /// for a table).
    case details
}

/// A table in the report; rows arrive for it in chunks.
public struct ReportSection: Sendable, Hashable, Codable {
    public var id: String
    public var title: String
    public var columns: [ReportColumn]
    /// HTML only; the other formats always write a table.
    public var layout: ReportSectionLayout

    public init(id: String, title: String, columns: [ReportColumn], layout: ReportSectionLayout = .table) {
        self.id = id
        self.title = title
        self.columns = columns
        self.layout = layout
    }
}

/// A labelled value in the report header or summary, e.g. 机构 Agency: …
public struct ReportField: Sendable, Hashable, Codable {
    public var label: String
    public var value: String

    public init(label: String, value: String) {
        self.label = label
        self.value = value
    }
}

/// One bar of the HTML chart, e.g. a stage and its number of cases.
public struct ReportBar: Sendable, Hashable, Codable {
    public var label: String
    public var value: Int

    public init(label: String, value: Int) {
        self.label = label
        self.value = value
    }
}

/// Everything about a report except its rows.
public struct ReportMeta: Sendable, Hashable, Codable {
    /// E.g. "进度报告 Progress report".
    public var title: String
    /// Ordered: 机构 Agency, 单位 Company, 顾问 Consultant, 截至 As of, …
    public var header: [ReportField]
    /// E.g. 案件总数 Cases: 12; 逾期 Late: 2; …
    public var summary: [ReportField]
    /// Cases per stage, drawn as a bar chart in HTML only.
    public var chart: [ReportBar]
    /// In order; rows arrive per section.
    public var sections: [ReportSection]

    public init(
        title: String, header: [ReportField] = [], summary: [ReportField] = [],
        chart: [ReportBar] = [], sections: [ReportSection] = []
    ) {
        self.title = title
        self.header = header
        self.summary = summary
        self.chart = chart
        self.sections = sections
    }
}
