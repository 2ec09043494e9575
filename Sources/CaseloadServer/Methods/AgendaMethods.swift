import CaseloadCore
import CaseloadProtocol
import CaseloadStorage
import Foundation

/// A consultant's day (`caseload today`, `agenda --week`): for their caseload, what is overdue
/// or falls due, what may be done now, which cases are late in their stage and which originals
/// are out with an authority too long — grouped by company, by name, each line with the call
/// that acts on it.
enum AgendaMethods {
    static let itemSchema: Schema = .object([
        .required("kind", .string(enum: AgendaItemKind.allCases.map(\.rawValue)), "overdue, due, opens (may be done now), late_case or original_out"),
        .required("title", .string, "What: the date's title, the stage, the paper"),
        .required("title_zh", .string, "The same in Chinese"),
        .required("title_en", .string, "The same in English (a date's title set by hand: as typed)"),
        .required("date", .nullable(.string(format: .date)), "The due date, the day a window opens, or the day an original went out"),
        .required("days", .nullable(.integer()), "Working days left (negative: overdue), days in the stage, or days the original has been out"),
        .required("applicant_name", .nullable(.string), "Whose"),
        .required("case_id", .nullable(.string(format: .uuid)), "The case"),
        .required("case_kind", .nullable(.string(enum: CaseKinds.all.map(\.id))), "The case's kind"),
        .required("case_stage_name_zh", .nullable(.string), "The case's stage in Chinese"),
        .required("deadline_id", .nullable(.string(format: .uuid)), "The date, for date lines"),
        .required("document_id", .nullable(.string(format: .uuid)), "The paper, for original_out"),
        .required("reminded_today", .boolean, "The server's jobs sent today's reminder of this date"),
        .required("action", .object([
            .required("method", .string, "The method that acts on it"),
            .required("params", .object([], additionalProperties: true), "Its params (the version read, where it takes one)"),
        ]), "The call that acts on this line"),
    ])

    struct Params: Decodable, Sendable {
        var days: Int?
        var companyID: UUID?
        var consultantID: UUID?
        var originalsOutDays: Int?
        enum CodingKeys: String, CodingKey {
            case days
            case companyID = "company_id", consultantID = "consultant_id", originalsOutDays = "originals_out_days"
        }
    }

    /// Originals out with an authority longer than this are listed (they come back at the
    /// notice printing, weeks later; a month out is worth a call).
    static let defaultOriginalsOutDays = 30

    static var all: [RPCMethod] {
        [
            .define(
                "agenda.get",
                summary: "The day's work for a caseload (consultants: theirs; a client user: their company), grouped by company: due dates overdue or falling due within `days` working days, windows open or opening (the step may be taken now), cases late in their stage, originals out with an authority longer than `originals_out_days`. Each line names the people and carries the call that acts on it. The clock is applied first, as in deadline.list.",
                params: [
                    .optional("days", .integer(minimum: 0, maximum: 60), "Working days ahead (default 0: today; 5: the week)"),
                    .optional("company_id", .string(format: .uuid), "Only this company"),
                    .optional("consultant_id", .string(format: .uuid), "Only companies assigned to this user (consultants and viewers: always themselves)"),
                    .optional("originals_out_days", .integer(minimum: 0, maximum: 3650), "List originals out longer than this many days (default 30)"),
                ],
                result: .object([
                    .required("date", .string(format: .date), "Today"),
                    .required("until", .string(format: .date), "The last day it covers"),
                    .required("companies", .array(.object([
                        .required("company_id", .string(format: .uuid), "The company"),
                        .required("company_short_name", .string, "Its name as lists show it"),
                        .required("items", .array(itemSchema), "Its lines: by kind, then by date"),
                    ])), "Companies with something to do, the most urgent first"),
                    .required("counts", .object(
                        AgendaItemKind.allCases.map { .required($0.rawValue, .integer(minimum: 0), "Lines of kind \($0.rawValue)") }), "Lines per kind"),
                ]),
                errors: [.notFound],
                // Not read-only: a writer's agenda first sweeps (marks missed, opens windows).
                readOnly: false, roles: Role.everyone
            ) { (params: Params, context) -> JSONValue in
                try await context.withAgency { tx in try await agenda(params, in: tx) }
            },
        ]
    }

    /// One line before it is grouped.
    struct Item {
        var kind: AgendaItemKind
        var companyID: UUID
        var date: CalendarDate?
        var value: JSONValue
    }

    static func agenda(_ params: Params, in tx: Transaction) async throws -> JSONValue {
        let today = tx.today
        if Role.writers.contains(tx.principal.role) {
            try await DeadlineSweep.run(now: tx.now, user: tx.principal.userID, in: tx.storage)
        }
        let calendar = try await tx.calendar.calendar()
        let until = calendar.adding(workingDays: params.days ?? 0, to: today).date

        var deadlineFilter = DeadlineFilter()
        deadlineFilter.states = ["waiting", "open", "missed"]
        deadlineFilter.dueOnOrBefore = until
        deadlineFilter.companyID = params.companyID
        deadlineFilter.consultantID = params.consultantID
        let deadlines = try await tx.deadlines.list(filter: deadlineFilter, limit: 1000).filter { $0.kind != .expectation }

        var caseFilter = CaseFilter()
        caseFilter.companyID = params.companyID
        caseFilter.consultantID = params.consultantID
        caseFilter.lateAsOf = tx.now
        let late = try await tx.cases.lines(filter: caseFilter, limit: 500)

        var documentFilter = DocumentFilter()
        documentFilter.companyID = params.companyID
        documentFilter.consultantID = params.consultantID
        documentFilter.form = DocumentForm.original.rawValue
        documentFilter.outWithAuthorityBefore = tx.now.addingTimeInterval(-Double(params.originalsOutDays ?? defaultOriginalsOutDays) * 86_400)
        let out = try await tx.documents.list(filter: documentFilter, limit: 500)

        let reminded = try await tx.reminders.reminded(deadlines.map(\.id), on: today)
        let names = try await tx.names.of(
            applicants: Set(deadlines.map(\.applicantID) + out.compactMap(\.applicantID)),
            companies: Set(deadlines.map(\.companyID) + late.map(\.companyID) + out.map(\.companyID)),
            cases: Set(deadlines.compactMap(\.caseID) + out.compactMap(\.caseID)))

        func id(_ u: UUID?) -> JSONValue { u.map { .string($0.lowercasedString) } ?? .null }
        func text(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
        func line(
            _ kind: AgendaItemKind, title: (chinese: String, english: String), date: CalendarDate?, days: Int?, applicant: String?, caseID: UUID?, caseKind: String?,
            stage: String?, deadline: UUID? = nil, document: UUID? = nil, reminded: Bool = false, action: String, _ actionParams: JSONValue
        ) -> JSONValue {
            [
                "kind": .string(kind.rawValue), "title": .string(title.chinese == title.english ? title.chinese : "\(title.chinese) \(title.english)"),
                "title_zh": .string(title.chinese), "title_en": .string(title.english), "date": text(date?.iso), "days": days.map { .int(Int64($0)) } ?? .null,
                "applicant_name": text(applicant), "case_id": id(caseID), "case_kind": text(caseKind), "case_stage_name_zh": text(stage),
                "deadline_id": id(deadline), "document_id": id(document), "reminded_today": .bool(reminded),
                "action": ["method": .string(action), "params": actionParams],
            ]
        }

        var items: [Item] = []
        for d in deadlines {
            let kind: AgendaItemKind
            switch d.kind {
            case .due: kind = d.dueDate < today ? .overdue : .due
            case .window: kind = .opens
            case .expectation: continue
            }
            let left = calendar.workingDaysLeft(to: d.dueDate, from: today)
            let caseName = d.caseID.flatMap { names.cases[$0] }
            // A window is met by reaching a stage: the line's action is the case's next step toward it.
            let rule = d.ruleID.flatMap { rule in DeadlineRules.defaults.first { $0.id == rule } }
            let goal = rule?.dischargedBy.lazy.compactMap { discharge -> String? in
                if case .stageReached(let stage) = discharge { return stage }
                return nil
            }.first
            let step = caseName.flatMap { c in goal.flatMap { CaseKinds.kind(c.kind)?.nextStep(from: c.stage, toward: $0) } }
            let action: (String, JSONValue) =
                if kind == .opens, let caseID = d.caseID {
                    step.map { ("case.advance", ["id": id(caseID), "to": .string($0)]) } ?? ("case.get", ["id": id(caseID)])
                } else {
                    ("deadline.done", ["id": id(d.id), "version": .int(Int64(d.version))])
                }
            items.append(Item(
                kind: kind, companyID: d.companyID, date: d.dueDate,
                value: line(
                    kind, title: DeadlineTitle(rule: d.ruleID, stored: d.title).pair, date: d.dueDate, days: left, applicant: names.applicants[d.applicantID], caseID: d.caseID,
                    caseKind: caseName?.kind, stage: caseName?.stageEntry?.chineseName, deadline: d.id, reminded: reminded.contains(d.id), action: action.0, action.1)))
        }
        for c in late {
            let stage = CaseKinds.kind(c.kind)?.stage(c.stage)
            items.append(Item(
                kind: .lateCase, companyID: c.companyID, date: nil,
                value: line(
                    .lateCase, title: stage.map { ($0.chineseName, $0.englishName) } ?? (c.stage, c.stage), date: nil, days: c.daysInStage(now: tx.now),
                    applicant: c.applicantName, caseID: c.id, caseKind: c.kind, stage: stage?.chineseName, action: "case.get",
                    ["id": id(c.id)])))
        }
        for d in out {
            let type = DocumentCatalogue.type(d.documentType)
            let caseName = d.caseID.flatMap { names.cases[$0] }
            let since = d.holderSince.map(CalendarDate.init(shanghai:))
            items.append(Item(
                kind: .originalOut, companyID: d.companyID, date: since,
                value: line(
                    .originalOut, title: type.map { ($0.chineseName, $0.englishName) } ?? (d.documentType, d.documentType), date: since,
                    days: since.map { $0.days(to: today) }, applicant: d.applicantID.flatMap { names.applicants[$0] }, caseID: d.caseID,
                    caseKind: caseName?.kind, stage: caseName?.stageEntry?.chineseName, document: d.id, action: "document.collect",
                    ["id": id(d.id), "version": .int(Int64(d.version)), "authority": text(d.holder?.authority?.rawValue)])))
        }

        let byCompany = Dictionary(grouping: items, by: \.companyID)
        let groups = byCompany.map { company, lines in
            (company, lines.sorted { ($0.kind.order, $0.date ?? today) < ($1.kind.order, $1.date ?? today) })
        }.sorted { a, b in
            // The most urgent first: the company whose first line is of the earliest kind, then date.
            let (x, y) = (a.1[0], b.1[0])
            return (x.kind.order, x.date ?? today, a.0.uuidString) < (y.kind.order, y.date ?? today, b.0.uuidString)
        }
        var counts: [String: JSONValue] = [:]
        for kind in AgendaItemKind.allCases { counts[kind.rawValue] = .int(Int64(items.count { $0.kind == kind })) }
        return [
            "date": .string(today.iso), "until": .string(until.iso),
            "companies": .array(groups.map { company, lines in
                [
                    "company_id": id(company), "company_short_name": .string(names.companies[company].map(CompanyName.short) ?? ""),
                    "items": .array(lines.map(\.value)),
                ]
            }),
            "counts": .object(counts),
        ]
    }
}
