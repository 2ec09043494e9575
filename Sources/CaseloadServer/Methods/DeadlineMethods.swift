import CaseloadCore
import CaseloadProtocol
import CaseloadStorage
import Foundation

/// Deadlines counted in Chinese working days, each with the reasoning behind its date.
enum DeadlineMethods {
    static let deadlineSchema: Schema = .object([
        .id(.deadline, "Deadline id"),
        .required("rule", .nullable(.string), "The rule it was derived from; null when set by hand"),
        .required("title", .string, "What is due, in Chinese and English"),
        .required("title_zh", .string, "What is due, in Chinese (the rule's name; a title set by hand as typed)"),
        .required("title_en", .string, "What is due, in English (the rule's name; a title set by hand as typed)"),
        .required("case_id", .nullable(.string(format: .uuid)), "The case, for a case deadline"),
        .required("applicant_id", .string(format: .uuid), "Whose"),
        .required("company_id", .string(format: .uuid), "The employer"),
        .required("applicant_name", .string, "Whose, by name"),
        .required("company_short_name", .string, "The employer's name as lists show it"),
        .required("case_kind", .nullable(.string(enum: CaseKinds.all.map(\.id))), "The case's kind, for a case deadline"),
        .required("case_stage", .nullable(.string), "The stage the case is in now"),
        .required("case_stage_name_zh", .nullable(.string), "That stage in Chinese"),
        .required("case_stage_name_en", .nullable(.string), "That stage in English"),
        .required("base_date", .nullable(.string(format: .date)), "The event it counts from"),
        .required("due_date", .string(format: .date), "When it is due"),
        .required("provisional", .boolean, "Counted into a year the calendar does not know yet: fix when the notice comes out"),
        .required("kind", .string(enum: DeadlineKind.allCases.map(\.rawValue)), "due (a latest date, missed once it passes), window (an earliest date: waiting, then open; never missed) or expectation (expected by; never missed)"),
        .required("is_expectation", .boolean, "kind is expectation (kept for older clients)"),
        .required("explanation", .string, "How the date was counted: the days skipped and counted"),
        .required("state", .string(enum: DeadlineState.allCases.map(\.rawValue)), "waiting (a window not yet open), open, missed (a due date passed), done or waived (by hand), satisfied (its event happened) or cancelled (its case ended)"),
        .required("reason", .nullable(.string), "Why it was waived, satisfied or cancelled, or a note"),
        .required("overdue", .boolean, "A due date still pending after its day (windows and expectations never are)"),
        .required("working_days_left", .integer(), "Working days from today to the date (negative once past)"),
        .required("working_days_provisional", .boolean, "working_days_left counts into a year whose holiday notice is not in the calendar yet"),
        .currentVersion("deadline.done and deadline.waive"),
    ])

    /// Deadlines as the wire shows them, with the names a line needs (one lookup for all).
    static func values(_ records: [DeadlineRecord], today: CalendarDate, calendar: ChineseCalendar, in tx: Transaction) async throws -> [JSONValue] {
        let names = try await tx.names.of(
            applicants: Set(records.map(\.applicantID)), companies: Set(records.map(\.companyID)), cases: Set(records.compactMap(\.caseID)))
        return records.map { value($0, today: today, calendar: calendar, names: names) }
    }

    static func value(_ d: DeadlineRecord, today: CalendarDate, calendar: ChineseCalendar, in tx: Transaction) async throws -> JSONValue {
        try await values([d], today: today, calendar: calendar, in: tx).first ?? .null
    }

    static func value(_ d: DeadlineRecord, today: CalendarDate, calendar: ChineseCalendar, names: NameStore.Names) -> JSONValue {
        func id(_ u: UUID?) -> JSONValue { u.map { .string($0.lowercasedString) } ?? .null }
        func text(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
        let caseName = d.caseID.flatMap { names.cases[$0] }
        let stage = caseName?.stageEntry
        let title = DeadlineTitle(rule: d.ruleID, stored: d.title)
        let overdue = d.kind.canBeMissed && (d.state == .open || d.state == .missed) && d.dueDate < today
        let (from, to) = d.dueDate >= today ? (today, d.dueDate) : (d.dueDate, today)
        let left = calendar.workingDaysLeft(to: d.dueDate, from: today)
        return [
            "id": id(d.id), "rule": d.ruleID.map(JSONValue.string) ?? .null, "title": .string(d.title),
            "title_zh": .string(title.chinese), "title_en": .string(title.english), "case_id": id(d.caseID),
            "applicant_id": id(d.applicantID), "company_id": id(d.companyID),
            "applicant_name": .string(names.applicants[d.applicantID] ?? ""),
            "company_short_name": .string(names.companies[d.companyID].map(CompanyName.short) ?? ""),
            "case_kind": text(caseName?.kind), "case_stage": text(caseName?.stage),
            "case_stage_name_zh": text(stage?.chineseName ?? caseName?.stage), "case_stage_name_en": text(stage?.englishName ?? caseName?.stage),
            "base_date": d.baseDate.map { .string($0.iso) } ?? .null, "due_date": .string(d.dueDate.iso),
            "provisional": .bool(d.provisional), "kind": .string(d.kind.rawValue), "is_expectation": .bool(d.kind == .expectation),
            "explanation": .string(d.explanation), "state": .string(d.state.rawValue), "reason": d.reason.map(JSONValue.string) ?? .null,
            "overdue": .bool(overdue), "working_days_left": .int(Int64(left)),
            "working_days_provisional": .bool(calendar.countsIntoUnknownYear(from: from, to: to)),
            "version": .int(Int64(d.version)),
        ]
    }

    struct ListParams: Decodable, Sendable {
        var upcomingWorkingDays: Int?
        var overdue: Bool?
        var state: String?
        var companyID: UUID?
        var consultantID: UUID?
        var caseID: UUID?
        var applicantID: UUID?
        var rule: String?
        var provisional: Bool?
        var includeMissed: Bool?
        var limit: Int?
        enum CodingKeys: String, CodingKey {
            case overdue, state, rule, provisional, limit
            case includeMissed = "include_missed"
            case upcomingWorkingDays = "upcoming_working_days", companyID = "company_id", consultantID = "consultant_id"
            case caseID = "case_id", applicantID = "applicant_id"
        }
    }

    /// `deadline.done`: a note is optional.
    struct DoneParams: Decodable, Sendable {
        var id: UUID
        var version: Int
        var reason: String?
    }

    /// `deadline.waive`: why is required.
    struct WaiveParams: Decodable, Sendable {
        var id: UUID
        var version: Int
        var reason: String
    }

    struct AddParams: Decodable, Sendable {
        var caseID: UUID?
        var applicantID: UUID?
        var title: String
        var dueDate: CalendarDate
        var note: String?
        enum CodingKeys: String, CodingKey {
            case title, note
            case caseID = "case_id", applicantID = "applicant_id", dueDate = "due_date"
        }
    }

    struct ExpiringParams: Decodable, Sendable {
        var days: Int?
        var consultantID: UUID?
        enum CodingKeys: String, CodingKey {
            case days
            case consultantID = "consultant_id"
        }
    }

    /// Moves a deadline to a new state along its machine.
    static func change(_ id: UUID, version: Int, reason: String?, to state: DeadlineState, context: RequestContext) async throws -> JSONValue {
        let today = context.today
        return try await context.withAgency { tx in
            let current = try await tx.deadlines.get(id, forUpdate: true)
            guard current.version == version else { throw StorageError.versionConflict(current: current.version) }
            try DeadlineState.validateTransition(from: current.state, to: state)
            if current.state != state {
                try await tx.deadlines.setState(id, to: state, from: current.state, reason: reason, user: tx.principal.userID)
            }
            let calendar = try await tx.calendar.calendar()
            return try await value(try await tx.deadlines.get(id), today: today, calendar: calendar, in: tx)
        }
    }

    static var all: [RPCMethod] {
        [
            .define(
                "deadline.list",
                summary: "Deadlines sorted by date: upcoming within N working days, overdue, by company, consultant, case, applicant or rule (a client company's HR user: their company's). The clock is applied first: due dates past their day are marked missed, windows whose day came open.",
                params: [
                    .optional("upcoming_working_days", .integer(minimum: 0, maximum: 1000), "Only pending dates (waiting, open) within this many working days from today; missed ones only with include_missed"),
                    .optional("include_missed", .boolean, "With upcoming_working_days: also the missed due dates (default false)"),
                    .optional("overdue", .boolean, "Only due dates still pending after their day (never windows or expectations)"),
                    .optional("state", .string(enum: DeadlineState.allCases.map(\.rawValue)), "Only this state"),
                    .optional("company_id", .string(format: .uuid), "Only this company's"),
                    .optional("consultant_id", .string(format: .uuid), "Only companies assigned to this user"),
                    .optional("case_id", .string(format: .uuid), "Only this case's"),
                    .optional("applicant_id", .string(format: .uuid), "Only this applicant's"),
                    .optional("rule", .string(maxLength: 50), "Only deadlines of this rule: its id or its Chinese or English name (an unknown one is refused)"),
                    .optional("provisional", .boolean, "true: only dates counted into a year the calendar does not know"),
                    .optional("limit", .integer(minimum: 1, maximum: 1000), "How many (default 200)"),
                ],
                result: .object([.required("deadlines", .array(deadlineSchema), "By due date")]), errors: [.validationFailed],
                // Not read-only: a writer's listing first sweeps (marks missed, opens renewals).
                // A client company's HR user sees their own company's dates: what they must act on.
                readOnly: false, roles: Role.everyone
            ) { (params: ListParams, context) -> JSONValue in
                let today = context.today
                return try await context.withAgency { tx in
                    if Role.writers.contains(tx.principal.role) {
                        try await DeadlineSweep.run(now: tx.now, user: tx.principal.userID, in: tx.storage)
                    }
                    let calendar = try await tx.calendar.calendar()
                    var filter = DeadlineFilter()
                    filter.companyID = params.companyID
                    filter.consultantID = params.consultantID
                    filter.caseID = params.caseID
                    filter.applicantID = params.applicantID
                    // An unknown rule is refused (with a "did you mean"), not an empty list.
                    filter.ruleID = try params.rule.map { rule throws(ValidationError) in
                        try InputAliases.parse(rule, among: DeadlineRules.defaults.map(\.id), field: "rule")
                    }
                    filter.provisionalOnly = params.provisional ?? false
                    if let state = params.state { filter.states = [state] }
                    if params.overdue == true {
                        filter.overdueOn = today
                    }
                    if let days = params.upcomingWorkingDays {
                        filter.states = ["waiting", "open"] + (params.includeMissed == true ? ["missed"] : [])
                        filter.dueOnOrBefore = calendar.adding(workingDays: days, to: today).date
                    }
                    let records = try await tx.deadlines.list(filter: filter, limit: params.limit ?? 200)
                    return ["deadlines": .array(try await values(records, today: today, calendar: calendar, in: tx))]
                }
            },
            .define(
                "deadline.explain", summary: "One deadline: its rule, base date, the days it skipped and counted, and every change of its date.",
                params: [.id(.deadline, "Deadline id")],
                result: .object([
                    .required("deadline", deadlineSchema, "The deadline"),
                    .required("history", .array(.any), "Every change: seq, at, action, old_due, new_due, reason"),
                ]),
                errors: [.notFound], roles: Role.everyone
            ) { (params: IDParams, context) -> JSONValue in
                let today = context.today
                return try await context.withAgency { tx in
                    let d = try await tx.deadlines.get(params.id)
                    let history = try await tx.deadlines.history(params.id)
                    let calendar = try await tx.calendar.calendar()
                    return [
                        "deadline": try await value(d, today: today, calendar: calendar, in: tx),
                        "history": .array(history.map { h in
                            [
                                "seq": .int(Int64(h.seq)), "at": .string(h.at.iso8601Timestamp), "action": .string(h.action),
                                "old_due": h.oldDue.map { .string($0.iso) } ?? .null, "new_due": h.newDue.map { .string($0.iso) } ?? .null,
                                "reason": h.reason.map(JSONValue.string) ?? .null,
                            ]
                        }),
                    ]
                }
            },
            .define(
                "deadline.done", summary: "Marks a deadline done.",
                params: [.id(.deadline, "Deadline id"), .expectedVersion(), .optional("reason", .string(maxLength: 1000), "A note")],
                result: deadlineSchema, errors: [.notFound, .validationFailed, .conflict], mutates: true
            ) { (params: DoneParams, context) -> JSONValue in
                try await change(params.id, version: params.version, reason: params.reason, to: .done, context: context)
            },
            .define(
                "deadline.waive", summary: "Waives a deadline, with the reason.",
                params: [
                    .id(.deadline, "Deadline id"), .expectedVersion(),
                    .required("reason", .string(maxLength: 1000, minLength: 1), "Why it no longer applies"),
                ],
                result: deadlineSchema, errors: [.notFound, .validationFailed, .conflict], mutates: true
            ) { (params: WaiveParams, context) -> JSONValue in
                try await change(params.id, version: params.version, reason: params.reason, to: .waived, context: context)
            },
            .define(
                "deadline.add",
                summary: "Sets a deadline by hand on a case or an applicant (e.g. a returned case's resubmission date).",
                params: [
                    .optional("case_id", .string(format: .uuid), "The case"),
                    .optional("applicant_id", .string(format: .uuid), "The applicant (when not for a case)"),
                    .required("title", .string(maxLength: 200, minLength: 1), "What is due"),
                    .required("due_date", .string(format: .date), "When"),
                    .optional("note", .string(maxLength: 1000), "Why this date"),
                ],
                result: deadlineSchema, errors: [.notFound, .validationFailed], mutates: true
            ) { (params: AddParams, context) -> JSONValue in
                let today = context.today
                return try await context.withAgency { tx in
                    let (caseID, applicantID, companyID): (UUID?, UUID, UUID)
                    if let id = params.caseID {
                        let c = try await tx.cases.get(id)
                        (caseID, applicantID, companyID) = (c.id, c.applicantID, c.companyID)
                    } else if let id = params.applicantID {
                        let a = try await tx.applicants.get(id)
                        (caseID, applicantID, companyID) = (nil, a.id, a.companyID)
                    } else {
                        throw ValidationError(field: "case_id", rule: "required", message: "give case_id or applicant_id", zh: "请给出 case_id 或 applicant_id")
                    }
                    let d = try await tx.deadlines.addManual(
                        title: params.title, due: params.dueDate, explanation: "set by \(tx.principal.userName)" + (params.note.map { ": \($0)" } ?? ""), caseID: caseID, applicantID: applicantID, companyID: companyID, user: tx.principal.userID)
                    return try await value(d, today: today, calendar: try await tx.calendar.calendar(), in: tx)
                }
            },
            .define(
                "applicant.expiring", summary: "Applicants whose residence permit (and so their points) expires within N days, soonest first.",
                params: [
                    .optional("days", .integer(minimum: 0, maximum: 3650), "Within this many days (default 30)"),
                    .optional("consultant_id", .string(format: .uuid), "Only companies assigned to this user (consultants and viewers: always themselves)"),
                ],
                result: .object([.required("applicants", .array(ApplicantMethods.applicantSchema), "Soonest expiry first")])
            ) { (params: ExpiringParams, context) -> JSONValue in
                let today = context.today
                let applicants = try await context.withAgency { tx in
                    try await ApplicantMethods.values(
                        try await tx.applicants.expiring(from: today, until: today.adding(days: params.days ?? 30), consultant: params.consultantID), in: tx)
                }
                return ["applicants": .array(applicants)]
            },
        ]
    }
}
