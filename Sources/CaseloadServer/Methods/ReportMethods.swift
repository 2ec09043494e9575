import CaseloadCore
import CaseloadProtocol
import CaseloadStorage
import Foundation
import PostgresNIO

/// Progress reports, built page by page so any size of export runs in bounded memory: each
/// call renders one page of cases and hands back a cursor; the client appends the chunks.
enum ReportMethods {
    static let pageSize = 500
    /// How many companies' papers a printed report's cursor remembers having listed (about 45
    /// bytes each: well within the cursor's 20,000 characters).
    static let describedLimit = 64

    /// Where a paged report stands between calls (opaque to clients).
    struct ReportCursor: Codable {
        var meta: ReportMeta
        var after: CaseCursor?
        var rowsDone: Int
        var rowsTotal: Int
        /// Printed reports list the cases twice: the table, then the appendix.
        var inAppendix = false
        /// Cases the appendix pass has gone through (for their numbers).
        var appendixSeen = 0
        /// The companies (and case kinds) whose own missing papers the appendix has listed:
        /// once each, not per case. At most `describedLimit`, the latest, so the cursor stays
        /// small however many companies a caseload has (one listed longer ago is listed again).
        var companiesDescribed: [String] = []
        /// The workbook's container so far (xlsx only).
        var zip: ZipStream?
    }

    static let reportResult: Schema = .object([
        .required("content", .string, "The next chunk of the file; append chunks in order (xlsx: decode each chunk from base64 first, see `encoding`)"),
        .required("encoding", .string(enum: ["utf-8", "base64"]), "How `content` holds the chunk: `utf-8` text (csv, json, md, html), or `base64` of the chunk's bytes (xlsx, which is binary); each chunk is whole base64, decoded on its own"),
        .required("next_cursor", .nullable(.string), "Pass back as `cursor` for the next chunk; null when the file is complete"),
        .required("rows_done", .integer(minimum: 0), "Rows written so far"),
        .required("rows_total", .integer(minimum: 0), "Rows in the whole report"),
        .required("media_type", .string, "The file's media type"),
    ])

    static let filterParams: [Property] = [
        .required("format", .string(enum: ReportFormat.allCases.map(\.rawValue)), "csv (UTF-8 with BOM, for Excel), json, md, html (printable on landscape A4, self-contained) or xlsx (a workbook: summary and cases sheets, typed cells; chunks in base64)"),
        .optional("cursor", .string(maxLength: 20_000), "`next_cursor` of the previous call"),
        .optional("kind", .string(enum: CaseKinds.all.map(\.id)), "Only this case kind"),
        .optional("stage", .string(maxLength: 50), "Only this stage: its id or its Chinese or English name (an unknown one is refused)"),
        .optional("status", .string(enum: CaseStatus.allCases.map(\.rawValue)), "Only this status"),
        .optional("late", .boolean, "Only late cases"),
        .optional("page_size", .integer(minimum: 1, maximum: 500), "Cases per chunk (default 500)"),
    ]

    /// What the case reports share (`filterParams`): the format, the page, and which cases.
    /// Decoded from the same params object as the report's own subject (`CompanyParams`,
    /// `CaseloadParams`).
    struct CaseQuery: Decodable, Sendable {
        var format: ReportFormat
        var cursor: String?
        var kind: String?
        var stage: String?
        var status: String?
        var late: Bool?
        var pageSize: Int?
        enum CodingKeys: String, CodingKey {
            case format, cursor, kind, stage, status, late
            case pageSize = "page_size"
        }

        /// The cases asked for, of one company or of a consultant's companies; `late` means
        /// late at `now`, the business clock's.
        func filter(company: UUID?, consultant: UUID?, asOf now: Date) throws(ValidationError) -> CaseFilter {
            var f = CaseFilter()
            f.companyID = company
            f.consultantID = consultant
            f.kind = kind
            f.stage = try stage.map { stage throws(ValidationError) in try InputAliases.stageFilter(stage, kind: kind, field: "stage") }
            f.status = status
            f.lateAsOf = late == true ? now : nil
            return f
        }
    }

    /// `report.company`: one company's cases.
    struct CompanyParams: Decodable, Sendable {
        var company: UUID
        var query: CaseQuery
        enum CodingKeys: String, CodingKey { case company = "company_id" }
        init(from decoder: any Decoder) throws {
            company = try decoder.container(keyedBy: CodingKeys.self).decode(UUID.self, forKey: .company)
            query = try CaseQuery(from: decoder)
        }
    }

    /// `report.caseload`: a consultant's cases (the caller's when `consultant` is absent).
    struct CaseloadParams: Decodable, Sendable {
        var consultant: UUID?
        var query: CaseQuery
        enum CodingKeys: String, CodingKey { case consultant = "consultant_id" }
        init(from decoder: any Decoder) throws {
            consultant = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(UUID.self, forKey: .consultant)
            query = try CaseQuery(from: decoder)
        }
    }

    /// `report.agency`: one chunk.
    struct AgencyParams: Decodable, Sendable {
        var format: ReportFormat
        var cursor: String?
    }

    static func stageLabel(kind: String, stage: String) -> String {
        guard let k = CaseKinds.kind(kind), let s = k.stage(stage) else { return "\(kind)/\(stage)" }
        return "\(k.chineseName) · \(s.chineseName) \(s.englishName)"
    }

    /// The report's first page: header, summary and chart (from aggregates), then rows.
    static func meta(title: String, subject: [ReportField], filter: CaseFilter, in tx: Transaction)
        async throws -> (ReportMeta, Int)
    {
        let today = tx.today
        let counts = try await tx.reports.stageCounts(filter: filter, now: tx.now)
        let totals = try await tx.reports.totals(companyID: filter.companyID, consultantID: filter.consultantID, today: today)
        let agencyName = try await tx.reports.agencyName()
        let total = counts.reduce(0) { $0 + $1.count }
        let meta = ReportMeta(
            title: title,
            header: [ReportField(label: "机构 Agency", value: agencyName)] + subject + [ReportField(label: "截至 As of", value: today.iso)],
            summary: [
                ReportField(label: "案件 Cases", value: String(total)),
                ReportField(label: "逾期案件 Late cases", value: String(counts.reduce(0) { $0 + $1.late })),
                ReportField(label: "逾期期限 Overdue deadlines", value: String(totals.overdueDeadlines)),
                ReportField(label: "本机构保管原件 Originals held by the agency", value: String(totals.originalsAtAgency)),
                ReportField(label: "在政府部门的原件 Originals out with authorities", value: String(totals.originalsOut)),
            ] + counts.map { ReportField(label: stageLabel(kind: $0.kind, stage: $0.stage), value: String($0.count)) },
            chart: counts.map { ReportBar(label: stageLabel(kind: $0.kind, stage: $0.stage), value: $0.count) },
            sections: [])
        return (meta, total)
    }

    /// One page of cases as report lines, with their next deadline, missing documents and originals.
    static func lines(_ cases: [CaseRecord], in tx: Transaction) async throws -> [CaseReportLine] {
        let applicantIDs = Array(Set(cases.map(\.applicantID)))
        let companyIDs = Array(Set(cases.map(\.companyID)))
        let deadlines = try await tx.reports.nextDeadlines(cases: cases.map(\.id), ruleOrder: DeadlineDerivation.ruleOrder)
        let profiles = try await tx.reports.profiles(applicants: applicantIDs)
        let documents = try await tx.reports.documents(applicants: applicantIDs, companies: companyIDs)
        var companyNames: [UUID: String] = [:]
        for id in companyIDs { companyNames[id] = try await tx.companies.get(id).name }
        // Each case looks at its applicant's documents and its company's own: index them once
        // per page rather than scanning the page's documents for every case.
        let byApplicant = Dictionary(grouping: documents.compactMap { d in d.applicantID.map { ($0, d) } }, by: \.0).mapValues { $0.map(\.1) }
        let byCompany = Dictionary(grouping: documents.filter { $0.applicantID == nil }) { $0.companyID }
        let now = tx.now
        return cases.map { c in
            let kind = CaseKinds.kind(c.state.kind)
            let stage = kind?.stage(c.state.stage)
            let own = byApplicant[c.applicantID] ?? []
            let mine = own + (byCompany[c.companyID] ?? [])
            let checklist = ChecklistResult.evaluate(
                kind: c.state.kind, profile: profiles[c.applicantID] ?? ApplicantProfile(),
                documents: mine.map { HeldDocument(documentType: $0.type, form: $0.form, holder: $0.holder) })
            let originals = own.filter { $0.form == .original }
            // A case that has ended has nothing next: its status says why.
            let next = c.state.status.isTerminal ? nil : deadlines[c.id]
            return CaseReportLine(
                applicant: c.applicantName, idMasked: c.applicantIDMasked, companyID: c.companyID, company: companyNames[c.companyID] ?? "",
                kindID: c.state.kind, kind: kind?.chineseName ?? c.state.kind, stageChinese: stage?.chineseName ?? c.state.stage, stageEnglish: stage?.englishName ?? "",
                statusChinese: c.state.status.chineseName, status: c.state.status.rawValue,
                daysInStage: c.daysInStage(now: now), late: c.isLate(now: now),
                next: next.map { (due: $0.due, kind: $0.kind.chineseName, title: $0.title, explanation: $0.explanation) },
                missing: checklist.missing, originals: originals.compactMap(originalText),
                originalsAtAgency: originals.filter { if case .agency? = $0.holder { true } else { false } }.count)
        }
    }

    /// Where an original is, for the report: with the agency and where, or handed in and
    /// since when ("毕业证书 已递交 submitted (at 区人才服务中心 since 2026-11-02)"); nil when it
    /// is neither (not yet received, with the client, returned).
    static func originalText(_ d: ReportDocument) -> String? {
        let name = DocumentCatalogue.type(d.type)?.chineseName ?? d.type
        switch d.holder {
        case .agency?: return "\(name) @ \(d.holder.displayName)"
        case let holder? where holder.isOutWithAuthority:
            let since = d.holderSince.map { " since \(CalendarDate(shanghai: $0).iso)" } ?? ""
            return "\(name) 已递交 submitted (at \(holder.chineseName)\(since))"
        default: return nil
        }
    }

    /// Renders the next chunk of a case report: a page of cases. A printed (html) report then
    /// goes through the cases a second time for its appendix; an xlsx report is a ZIP written
    /// as it goes (`ZipStream`), its state in the cursor.
    static func chunk(_ params: CaseQuery, company: UUID?, consultant: UUID?, title: String, subject: @Sendable (Transaction) async throws -> [ReportField], context: RequestContext)
        async throws -> JSONValue
    {
        let filter = try params.filter(company: company, consultant: consultant, asOf: context.now)
        let format = params.format
        let layout = CaseReportLayout(format: format, companyScoped: company != nil)
        let section = layout.section
        let previous = try context.openCursor(params.cursor, as: ReportCursor.self)
        return try await context.withAgency { tx in
            var text = ""
            var state: ReportCursor
            if let previous {
                state = previous
            } else {
                var (meta, total) = try await meta(title: title, subject: try await subject(tx), filter: filter, in: tx)
                meta.sections = layout.hasAppendix ? [section, CaseReportLayout.appendixSection] : [section]
                state = ReportCursor(meta: meta, after: nil, rowsDone: 0, rowsTotal: total)
                text += ReportRenderer.begin(meta, format: format) + ReportRenderer.beginSection(section, index: 0, sectionCount: 1, format: format)
            }
            var bytes = Data()
            if format == .xlsx {
                if state.zip == nil {
                    var zip = ZipStream(date: tx.today)
                    bytes += try zip.beginEntry(XLSXWorkbook.sheetPath(2))
                    state.zip = zip
                }
            }
            let size = params.pageSize ?? pageSize
            let page = try await tx.cases.list(filter: filter, after: state.after, limit: size + 1)
            let current = Array(page.prefix(size))
            let lines = try await lines(current, in: tx)
            let more = page.count > size
            if state.inAppendix {
                var entries: [[String]] = []
                for (offset, line) in lines.enumerated() {
                    if !state.companiesDescribed.contains(CaseReportLayout.companyKey(line)), let company = CaseReportLayout.companyAppendixCells(line) {
                        entries.append(company)
                        state.companiesDescribed.append(CaseReportLayout.companyKey(line))
                        if state.companiesDescribed.count > describedLimit { state.companiesDescribed.removeFirst() }
                    }
                    if let entry = CaseReportLayout.appendixCells(line, number: state.appendixSeen + offset + 1) { entries.append(entry) }
                }
                text += ReportRenderer.rows(entries, section: CaseReportLayout.appendixSection, firstRowIndex: 0, format: format)
                state.appendixSeen += current.count
            } else {
                let rows = lines.enumerated().map { layout.cells($1, number: state.rowsDone + $0 + 1) }
                text += ReportRenderer.rows(rows, section: section, firstRowIndex: state.rowsDone, format: format)
                // The cursor is sealed, so its counts are this server's own (see CursorSealer).
                state.rowsDone += current.count
            }
            var finished = false
            if more, let last = current.last {
                state.after = CaseCursor(openedAtMicros: last.openedAtMicros, id: last.id)
            } else if layout.hasAppendix && !state.inAppendix {
                // The table is done: the appendix goes through the same cases again.
                text += ReportRenderer.endSection(section, rowCount: state.rowsDone, format: format)
                    + ReportRenderer.beginSection(CaseReportLayout.appendixSection, index: 1, sectionCount: 2, format: format)
                state.inAppendix = true
                state.after = nil
            } else {
                let last = state.inAppendix ? CaseReportLayout.appendixSection : section
                text += ReportRenderer.endSection(last, rowCount: state.rowsDone, format: format) + ReportRenderer.end(state.meta, format: format)
                finished = true
            }
            if var zip = state.zip {
                bytes += try zip.append(Data(text.utf8))
                if finished {
                    bytes += try zip.finishEntry()
                    for part in XLSXWorkbook.fixedParts(state.meta, rowCounts: [state.rowsDone]) {
                        bytes += try zip.add(part.path, Data(part.xml.utf8))
                    }
                    bytes += try zip.finish()
                }
                state.zip = zip
            }
            let next = finished ? nil : try context.sealCursor(state)
            var result = reply(format: format, text: text, bytes: bytes, rowsDone: state.rowsDone, rowsTotal: max(state.rowsTotal, state.rowsDone))
            result["next_cursor"] = next.map(JSONValue.string) ?? .null
            return .object(result)
        }
    }

    /// A chunk's result, but for its cursor: text as it is, or the bytes in base64.
    static func reply(format: ReportFormat, text: String, bytes: Data, rowsDone: Int, rowsTotal: Int) -> [String: JSONValue] {
        [
            "content": .string(format.isBinary ? bytes.base64EncodedString() : text),
            "encoding": .string(format.isBinary ? "base64" : "utf-8"),
            "rows_done": .int(Int64(rowsDone)), "rows_total": .int(Int64(rowsTotal)),
            "media_type": .string(ReportRenderer.mediaType(format)),
        ]
    }

    static var all: [RPCMethod] {
        [
            .define(
                "report.company",
                summary: "A client company's progress report: one row per case (masked ID, stage in Chinese and English, days in stage, late, next deadline and why, missing documents, originals and where), with a summary per stage. Paged: append `content` chunks until `next_cursor` is null. html is laid out for landscape A4: a compact table (missing documents as a count and short names), then an appendix with each case's details, so it pages through the cases twice. xlsx is binary: each chunk's `content` is base64 (`encoding`), decode each and append the bytes; the workbook has a summary sheet and a cases sheet (dates and counts as numbers, frozen header, autofilter).",
                params: [.required("company_id", .string(format: .uuid), "The company")] + filterParams,
                result: reportResult, errors: [.notFound, .validationFailed], roles: Role.everyone, heavy: true
            ) { (params: CompanyParams, context) -> JSONValue in
                let companyID = params.company
                return try await chunk(params.query, company: companyID, consultant: nil, title: "进度报告 Progress report", subject: { tx in
                    let company = try await tx.companies.get(companyID)
                    let consultants = try await tx.consultants.consultants(company: companyID)
                    return [
                        ReportField(label: "单位 Company", value: company.name),
                        ReportField(label: "顾问 Consultant", value: consultants.map(\.name).joined(separator: ", ")),
                    ]
                }, context: context)
            },
            .define(
                "report.caseload",
                summary: "A consultant's own caseload: the cases of every company assigned to them (default: the caller), as in the company report (html adds a company column; xlsx chunks are base64).",
                params: [.optional("consultant_id", .string(format: .uuid), "Whose caseload (default: yours)")] + filterParams,
                result: reportResult, errors: [.validationFailed], heavy: true
            ) { (params: CaseloadParams, context) -> JSONValue in
                let consultantID = try params.consultant ?? context.principal().userID
                return try await chunk(params.query, company: nil, consultant: consultantID, title: "个人案件报告 Caseload report", subject: { tx in
                    let users = try await tx.consultants.users()
                    return [ReportField(label: "顾问 Consultant", value: users.first { $0.id == consultantID }?.name ?? "")]
                }, context: context)
            },
            .define(
                "report.agency",
                summary: "The agency overview: per company and per consultant, open cases, late cases, overdue deadlines, originals held and out with authorities; one chunk (xlsx: base64, a sheet per table).",
                params: [.required("format", .string(enum: ReportFormat.allCases.map(\.rawValue)), "csv, json, md, html or xlsx"), .optional("cursor", .string(maxLength: 100), "Unused: the overview is one chunk (next_cursor is always null)")],
                result: reportResult, roles: Role.managers, heavy: true
            ) { (params: AgencyParams, context) -> JSONValue in
                let format = params.format
                let (text, bytes, rowCount) = try await context.withAgency { tx -> (String, Data, Int) in
                    let (meta0, _) = try await meta(title: "机构总览 Agency overview", subject: [], filter: CaseFilter(), in: tx)
                    let columns: [ReportColumn] = [
                        .init(key: "name", chineseName: "名称", englishName: "Name", width: 34),
                        .init(key: "open_cases", chineseName: "在办案件", englishName: "Open cases", type: .integer),
                        .init(key: "late", chineseName: "逾期案件", englishName: "Late cases", type: .integer),
                        .init(key: "overdue_deadlines", chineseName: "逾期期限", englishName: "Overdue deadlines", type: .integer),
                        .init(key: "originals_at_agency", chineseName: "保管原件", englishName: "Originals held", type: .integer),
                        .init(key: "originals_out", chineseName: "外送原件", englishName: "Originals out", type: .integer),
                    ]
                    let sections = [
                        ReportSection(id: "companies", title: "按单位 By company", columns: columns),
                        ReportSection(id: "consultants", title: "按顾问 By consultant", columns: columns),
                    ]
                    var meta = meta0
                    meta.sections = sections
                    var out = ReportRenderer.begin(meta, format: format)
                    var zip = ZipStream(date: tx.today)
                    var bytes = Data()
                    var counts: [Int] = []
                    for (index, section) in sections.enumerated() {
                        let rows = try await tx.reports.overview(byConsultant: index == 1, now: tx.now)
                        counts.append(rows.count)
                        var part = ReportRenderer.beginSection(section, index: index, sectionCount: sections.count, format: format)
                        part += ReportRenderer.rows(
                            rows.map { [$0.name, String($0.openCases), String($0.late), String($0.overdue), String($0.originalsAtAgency), String($0.originalsOut)] },
                            section: section, firstRowIndex: 0, format: format)
                        part += ReportRenderer.endSection(section, rowCount: rows.count, format: format)
                        // In a workbook each section is a sheet of its own (sheet 1 is the summary).
                        if format == .xlsx { bytes += try zip.add(XLSXWorkbook.sheetPath(index + 2), Data(part.utf8)) } else { out += part }
                    }
                    if format == .xlsx {
                        for part in XLSXWorkbook.fixedParts(meta, rowCounts: counts) { bytes += try zip.add(part.path, Data(part.xml.utf8)) }
                        bytes += try zip.finish()
                    }
                    return (out + ReportRenderer.end(meta, format: format), bytes, counts.reduce(0, +))
                }
                var result = reply(format: format, text: text, bytes: bytes, rowsDone: rowCount, rowsTotal: rowCount)
                result["next_cursor"] = .null
                return .object(result)
            },
        ]
    }
}
