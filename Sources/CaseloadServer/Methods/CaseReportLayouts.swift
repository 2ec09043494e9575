import CaseloadCore
import Foundation

/// One case as the case reports show it, before it is laid out for a format.
struct CaseReportLine: Sendable {
    var applicant: String
    var idMasked: String
    var companyID: UUID
    var company: String
    /// The case kind's id (`kind` is its Chinese name).
    var kindID: String
    var kind: String
    var stageChinese: String
    var stageEnglish: String
    var statusChinese: String
    var status: String
    var daysInStage: Int
    var late: Bool
    /// The next pending date; nil for an ended case.
    var next: (due: String, kind: String, title: String, explanation: String)?
    var missing: [ChecklistItem]
    /// The missing papers that are the applicant's own (the rest are the company's, the same
    /// for every case of the company and kind).
    var missingOwn: [ChecklistItem] { missing.filter { !Self.isCompanyLevel($0) } }
    var missingOfCompany: [ChecklistItem] { missing.filter(Self.isCompanyLevel) }

    static func isCompanyLevel(_ item: ChecklistItem) -> Bool {
        DocumentCatalogue.type(item.documentType)?.owner == .company
    }
    /// "毕业证书 @ 本机构 agency" or "… 已递交 submitted (at 区人才服务中心 since …)".
    var originals: [String]
    /// How many of `originals` are with the agency (the rest are out with an authority).
    var originalsAtAgency: Int
}

/// The columns of the case reports, one layout per kind of file: the text formats keep every
/// detail in a column; the workbook types its cells; the printed page is a compact table with
/// the long details in an appendix.
enum CaseReportLayout {
    /// CSV, JSON, Markdown: one text cell per fact.
    case table
    /// xlsx: dates and counts in cells of their own.
    case sheet
    /// HTML: one line per case where it can be; `withCompany` unless the report is of one company.
    case print(withCompany: Bool)

    init(format: ReportFormat, companyScoped: Bool) {
        switch format {
        case .csv, .json, .md: self = .table
        case .xlsx: self = .sheet
        case .html: self = .print(withCompany: !companyScoped)
        }
    }

    private static let applicant = ReportColumn(key: "applicant", chineseName: "申请人", englishName: "Applicant", width: 10, nowrap: true)
    private static let idNumber = ReportColumn(key: "id_number", chineseName: "身份证", englishName: "ID number", width: 20, nowrap: true)
    private static let company = ReportColumn(key: "company", chineseName: "单位", englishName: "Company", width: 34)
    private static let kind = ReportColumn(key: "kind", chineseName: "类型", englishName: "Kind", width: 10, nowrap: true)
    private static let days = ReportColumn(
        key: "days_in_stage", chineseName: "天数", englishName: "Days in stage", type: .integer, width: 8, nowrap: true)

    static let tableColumns: [ReportColumn] = [
        applicant, idNumber, company, kind,
        .init(key: "stage", chineseName: "阶段", englishName: "Stage"),
        .init(key: "status", chineseName: "状态", englishName: "Status"),
        days,
        .init(key: "late", chineseName: "逾期", englishName: "Late"),
        .init(key: "next_deadline", chineseName: "下一期限", englishName: "Next deadline"),
        .init(key: "deadline_explanation", chineseName: "期限说明", englishName: "How it was counted"),
        .init(key: "missing_documents", chineseName: "缺少材料", englishName: "Missing documents"),
        .init(key: "originals", chineseName: "原件", englishName: "Originals: held where, or submitted where and since when"),
    ]

    static let sheetColumns: [ReportColumn] = [
        applicant, idNumber, company, kind,
        .init(key: "stage", chineseName: "阶段", englishName: "Stage", width: 48),
        .init(key: "status", chineseName: "状态", englishName: "Status", width: 12),
        days,
        .init(key: "late", chineseName: "逾期", englishName: "Late", width: 8),
        .init(key: "next_deadline", chineseName: "下一期限", englishName: "Next deadline", type: .date, width: 12),
        .init(key: "next_deadline_title", chineseName: "期限事项", englishName: "Deadline", width: 60),
        .init(key: "deadline_explanation", chineseName: "期限说明", englishName: "How it was counted", width: 60),
        .init(key: "missing_count", chineseName: "缺少材料数", englishName: "Missing", type: .integer, width: 8),
        .init(key: "missing_documents", chineseName: "缺少材料", englishName: "Missing documents", width: 60),
        .init(key: "originals", chineseName: "原件", englishName: "Originals", width: 60),
    ]

    static func printColumns(withCompany: Bool) -> [ReportColumn] {
        [.init(key: "number", chineseName: "#", englishName: "", type: .integer, nowrap: true), applicant, idNumber]
            + (withCompany ? [company] : [])
            + [
                kind,
                .init(key: "stage", chineseName: "阶段", englishName: "Stage", nowrap: true),
                .init(key: "status", chineseName: "状态", englishName: "Status", nowrap: true),
                .init(key: "days_in_stage", chineseName: "天数", englishName: "Days", type: .integer, nowrap: true),
                .init(key: "late", chineseName: "逾期", englishName: "Late", nowrap: true),
                .init(key: "next_deadline", chineseName: "下一期限", englishName: "Next deadline"),
                .init(key: "missing", chineseName: "缺少材料（见附录）", englishName: "Missing (see appendix)"),
                .init(key: "originals", chineseName: "原件", englishName: "Originals"),
            ]
    }

    /// The printed report's appendix: per case, what the table abbreviates.
    static let appendixSection = ReportSection(
        id: "case_details", title: "附录：案件明细 Appendix: case details",
        columns: [
            .init(key: "case", chineseName: "案件", englishName: "Case"),
            .init(key: "missing_documents", chineseName: "缺少材料", englishName: "Missing"),
            .init(key: "originals", chineseName: "原件", englishName: "Originals"),
        ],
        layout: .details)

    /// The section the cases go in.
    var section: ReportSection {
        switch self {
        case .table: ReportSection(id: "cases", title: "案件 Cases", columns: Self.tableColumns)
        case .sheet: ReportSection(id: "cases", title: "案件 Cases", columns: Self.sheetColumns)
        case .print(let withCompany): ReportSection(id: "cases", title: "案件 Cases", columns: Self.printColumns(withCompany: withCompany))
        }
    }

    /// Whether cases are listed a second time, in an appendix, after the table.
    var hasAppendix: Bool {
        if case .print = self { return true }
        return false
    }

    /// A case's cells; `number` is its 1-based place in the report (the printed table's 序号).
    func cells(_ line: CaseReportLine, number: Int) -> [String] {
        let late = line.late ? "逾期 late" : ""
        switch self {
        case .table:
            return [
                line.applicant, line.idMasked, line.company, line.kind, "\(line.stageChinese) \(line.stageEnglish)",
                "\(line.statusChinese) \(line.status)", String(line.daysInStage), late,
                line.next.map { "\($0.due) \($0.kind) \($0.title)" } ?? "", line.next?.explanation ?? "",
                line.missing.map(\.displayName).joined(separator: "; "), line.originals.joined(separator: "; "),
            ]
        case .sheet:
            return [
                line.applicant, line.idMasked, line.company, line.kind, "\(line.stageChinese) \(line.stageEnglish)",
                "\(line.statusChinese) \(line.status)", String(line.daysInStage), late,
                line.next?.due ?? "", line.next.map { "\($0.kind) \($0.title)" } ?? "", line.next?.explanation ?? "",
                String(line.missing.count), line.missing.map(\.displayName).joined(separator: "; "), line.originals.joined(separator: "; "),
            ]
        case .print(let withCompany):
            return [String(number), line.applicant, line.idMasked] + (withCompany ? [line.company] : []) + [
                line.kind, line.stageChinese, line.statusChinese, String(line.daysInStage), line.late ? "逾期" : "",
                line.next.map { "\($0.due) \(Self.chinesePart($0.title))" } ?? "", Self.shortList(line), Self.originalsCount(line),
            ]
        }
    }

    /// The appendix entry of a case, or nil when the table said everything (none of the
    /// applicant's own papers missing, no originals). The company's papers are not repeated
    /// per case: see `companyAppendixCells`.
    static func appendixCells(_ line: CaseReportLine, number: Int) -> [String]? {
        let own = line.missingOwn
        guard !own.isEmpty || !line.originals.isEmpty else { return nil }
        return ["\(number). \(line.applicant) \(line.idMasked)", groupedList(own), line.originals.joined(separator: "; ")]
    }

    /// The appendix entry for the company's own missing papers, printed once per company and
    /// case kind (before its first case that needs them), or nil when none is missing.
    static func companyAppendixCells(_ line: CaseReportLine) -> [String]? {
        let missing = line.missingOfCompany
        guard !missing.isEmpty else { return nil }
        return ["单位材料 Company papers · \(line.company) · \(line.kind)", groupedList(missing), ""]
    }

    /// Where the company's papers for a case are described (one appendix entry per key).
    static func companyKey(_ line: CaseReportLine) -> String { "\(line.companyID.uuidString)/\(line.kindID)" }

    /// "居住证（原件、复印件）、毕业证书原件": each paper once, with its missing forms, in
    /// checklist order. Chinese only: the appendix is for the company's HR, and a case's list
    /// has to fit in a few lines for a large company's report to stay short.
    static func groupedList(_ items: [ChecklistItem]) -> String {
        var order: [String] = []
        var forms: [String: [ChecklistItem]] = [:]
        for item in items {
            if forms[item.documentType] == nil { order.append(item.documentType) }
            forms[item.documentType, default: []].append(item)
        }
        return order.compactMap { type in
            guard let group = forms[type], let first = group.first else { return nil }
            if group.count == 1 { return first.chineseName + first.form.chineseName }
            return first.chineseName + "（" + group.map(\.form.chineseName).joined(separator: "、") + "）"
        }.joined(separator: "、")
    }

    /// The Chinese half of a bilingual title ("可递交材料 Paper materials may be delivered" →
    /// "可递交材料"): the text before the first space that is followed by a Latin letter; the
    /// whole title when there is none.
    static func chinesePart(_ title: String) -> String {
        let scalars = Array(title.unicodeScalars)
        for index in scalars.indices.dropLast() where scalars[index] == " " {
            let next = scalars[index + 1]
            if (next >= "A" && next <= "Z") || (next >= "a" && next <= "z") {
                return String(String.UnicodeScalarView(scalars[..<index]))
            }
        }
        return title
    }

    /// How many of the short names a printed cell shows before "…".
    static let shortNames = 1

    /// "3：毕业证书原件、学位证书原件… +单位 5": the applicant's own missing papers, counted, the
    /// first short Chinese names; then how many of the company's papers are missing.
    static func shortList(_ line: CaseReportLine) -> String {
        let own = line.missingOwn
        var parts: [String] = []
        if !own.isEmpty {
            let names = own.prefix(shortNames).map { $0.chineseName + $0.form.chineseName }
            parts.append("\(own.count)：" + names.joined(separator: "、") + (own.count > shortNames ? "…" : ""))
        }
        let company = line.missingOfCompany.count
        if company > 0 { parts.append("+单位 \(company)") }
        return parts.joined(separator: " ")
    }

    /// "本所 2 · 外送 1": originals held by the agency, and handed in to an authority.
    static func originalsCount(_ line: CaseReportLine) -> String {
        let out = line.originals.count - line.originalsAtAgency
        var parts: [String] = []
        if line.originalsAtAgency > 0 { parts.append("本所 \(line.originalsAtAgency)") }
        if out > 0 { parts.append("外送 \(out)") }
        return parts.joined(separator: " · ")
    }
}
