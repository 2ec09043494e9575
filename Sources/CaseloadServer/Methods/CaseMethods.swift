import CaseloadCore
import CaseloadProtocol
import CaseloadStorage
import Foundation
import PostgresNIO

/// Cases: one applicant's matter of one kind (积分新办, 积分续办, …) moving through its stages.
/// The stage tables and rules live in CaseloadCore; these methods fetch the facts, run the
/// machine, and store the new state with its history entry in one transaction.
enum CaseMethods {
    static let caseSchema: Schema = .object([
        .id(.case, "Case id"),
        .required("applicant", .object([
            .id(.applicant, "Applicant id"),
            .required("name", .string, "Name"),
            .required("id_number", .string, "ID number, masked"),
        ]), "Whose case"),
        .required("company_id", .string(format: .uuid), "The employer filing it"),
        .required("kind", .string(enum: CaseKinds.all.map(\.id)), "Case kind"),
        .required("kind_name", .string, "Kind in Chinese and English"),
        .required("stage", .string, "Current stage id"),
        .required("stage_name_zh", .string, "Current stage in Chinese"),
        .required("stage_name_en", .string, "Current stage in English"),
        .required("status", .string(enum: CaseStatus.allCases.map(\.rawValue)), "active, on_hold, withdrawn or closed"),
        .required("recorded", .any, "Data recorded per stage: {stage: {field: value}}; dates as YYYY-MM-DD"),
        .required("next_stages", .array(.string), "Stages this case may advance to from here"),
        .required("days_in_stage", .integer(minimum: 0), "Whole days since the case entered its stage"),
        .required("stage_due_at", .nullable(.string(format: .dateTime)), "When the time allowed in this stage runs out"),
        .required("late", .boolean, "Active and past the time allowed in its stage"),
        .required("version", .integer(minimum: 1), "Version for optimistic concurrency"),
        .required("opened_at", .string(format: .dateTime), "Opened"),
        .required("closed_at", .nullable(.string(format: .dateTime)), "Closed or withdrawn"),
        .required("originals_still_out", .integer(minimum: 0), "For a closed or withdrawn case: originals not yet returned to the client"),
    ])

    static func value(_ c: CaseRecord, originalsOut: Int = 0, now: Date) -> JSONValue {
        let kind = CaseKinds.kind(c.state.kind)
        let stage = kind?.stage(c.state.stage)
        var recorded: [String: JSONValue] = [:]
        for (stageID, fields) in c.state.recorded where !fields.isEmpty {
            recorded[stageID] = .object(fields.mapValues(json))
        }
        return [
            "id": .string(c.id.uuidString.lowercased()),
            "applicant": [
                "id": .string(c.applicantID.uuidString.lowercased()), "name": .string(c.applicantName), "id_number": .string(c.applicantIDMasked),
            ],
            "company_id": .string(c.companyID.uuidString.lowercased()),
            "kind": .string(c.state.kind),
            "kind_name": .string(kind?.displayName ?? c.state.kind),
            "stage": .string(c.state.stage),
            "stage_name_zh": .string(stage?.chineseName ?? c.state.stage),
            "stage_name_en": .string(stage?.englishName ?? c.state.stage),
            "status": .string(c.state.status.rawValue),
            "recorded": .object(recorded),
            "next_stages": .array(
                c.state.status == .active ? (kind?.transitions(from: c.state.stage).map { .string($0.to) } ?? []) : []),
            "days_in_stage": .int(Int64(c.daysInStage(now: now))),
            "stage_due_at": c.stageDueAt.map { .string($0.iso8601Timestamp) } ?? .null,
            "late": .bool(c.isLate(now: now)),
            "version": .int(Int64(c.version)),
            "opened_at": .string(c.openedAt.iso8601Timestamp),
            "closed_at": c.closedAt.map { .string($0.iso8601Timestamp) } ?? .null,
            "originals_still_out": .int(Int64(originalsOut)),
        ]
    }

    static func json(_ v: FieldValue) -> JSONValue {
        switch v {
        case .date(let d): .string(d.iso)
        case .text(let s): .string(s)
        case .bool(let b): .bool(b)
        case .integer(let i): .int(Int64(i))
        }
    }

    /// Request data (`{"field": value}`) as the machine's raw values; non-scalars are refused.
    static func rawData(_ value: JSONValue?) throws -> [String: RawFieldValue] {
        var raw: [String: RawFieldValue] = [:]
        var issues: [(String, String, String)] = []
        for (name, v) in value?.objectValue ?? [:] {
            switch v {
            case .string(let s): raw[name] = .string(s)
            case .bool(let b): raw[name] = .bool(b)
            case .int(let i): raw[name] = .int(Int(i))
            default: issues.append(("data.\(name)", "type", "must be a string, a boolean or an integer"))
            }
        }
        if !issues.isEmpty { throw RPCError.invalidParams(issues) }
        return raw
    }

    static func kind(_ id: String) throws -> CaseKind {
        guard let kind = CaseKinds.kind(id) else {
            throw ValidationError(field: "kind", rule: "enum", message: "no case kind \(id)")
        }
        return kind
    }

    /// The agency's time allowed in `stage`, else the kind's default.
    static func allowedDays(kind: CaseKind, stage: String, agency: UUID, on connection: PostgresConnection, context: RequestContext)
        async throws -> Int?
    {
        try await StageTimeStore.days(kind: kind.id, stage: stage, agency: agency, on: connection, logger: context.logger)
            ?? kind.stage(stage)?.allowedDays
    }

    /// What one change did, for the store and the history.
    struct Change {
        var state: CaseState
        var data: JSONValue = .object([:])
        var reason: String?
        var overrides: [String] = []
    }

    /// Locks the case, checks the caller's version, applies `change`, saves and appends the
    /// history entry: all in one transaction, acknowledged only after it committed.
    static func mutate(
        _ context: RequestContext, id: UUID, version: Int?, action: String,
        _ change: @Sendable (CaseRecord, CaseKind, Principal, PostgresConnection, ChineseCalendar) async throws -> Change
    ) async throws -> JSONValue {
        let record = try await context.withAgency { principal, connection in
            let current = try await CaseStore.get(id, agency: principal.agencyID, forUpdate: true, on: connection, logger: context.logger)
            if let version, current.version != version { throw StorageError.versionConflict(current: current.version) }
            let kind = try kind(current.state.kind)
            // Read once per change: the rules count with it and the deadlines are derived with it.
            let calendar = try await CalendarStore.calendar(agency: principal.agencyID, on: connection, logger: context.logger)
            let result = try await change(current, kind, principal, connection, calendar)
            let entered = result.state.stage != current.state.stage
            let due = entered ? try await allowedDays(kind: kind, stage: result.state.stage, agency: principal.agencyID, on: connection, context: context) : nil
            let saved = try await CaseStore.save(
                id, state: result.state, expectedVersion: current.version, enteredNewStage: entered, dueInDays: due, now: context.clock.now,
                agency: principal.agencyID, on: connection, logger: context.logger)
            try await CaseStore.appendHistory(
                caseID: id, action: action, from: current.state.stage, to: result.state.stage, data: WireJSON.string(result.data),
                reason: result.reason, overrides: result.overrides, agency: principal.agencyID, user: principal.userID, on: connection,
                logger: context.logger)
            try await DeadlineDerivation.deriveForCase(
                saved, calendar: calendar,
                today: context.today, reason: "case \(action): \(current.state.stage) → \(saved.state.stage)", agency: principal.agencyID, user: principal.userID,
                on: connection, logger: context.logger)
            let out = saved.state.status.isTerminal
                ? try await DocumentStore.originalsOut(case: id, agency: principal.agencyID, on: connection, logger: context.logger)
                : 0
            return (saved, out)
        }
        return value(record.0, originalsOut: record.1, now: context.clock.now)
    }

    static let idVersion: [Property] = [
        .id(.case, "Case id"),
        .required("version", .integer(minimum: 1), "The version you last read; a stale one gets a conflict carrying the current version"),
    ]

    struct ChangeParams: Decodable, Sendable {
        var id: UUID
        var version: Int
        var reason: String?
        var to: String?
    }

    static func requireOverridePermission(_ principal: Principal) throws {
        guard principal.role.seesAllCompanies else {
            throw RPCError(.forbidden, "Forbidden: overriding a rule needs the owner or manager role")
        }
    }

    static var all: [RPCMethod] {
        [
            .define(
                "case.open",
                summary: "Opens a case of a kind for an applicant, at the kind's first stage, with that stage's data (the permit's received date is taken from the applicant when not given).",
                params: [
                    .required("applicant_id", .string(format: .uuid), "Whose case"),
                    .required("kind", .string(enum: CaseKinds.all.map(\.id)), "points_new 积分新办, points_renewal 积分续办, hukou_transfer 居转户, talent_introduction 人才引进"),
                    .optional("data", .object([], additionalProperties: true), "The first stage's data, {field: value}"),
                ],
                result: caseSchema, errors: [.notFound, .validationFailed], mutates: true
            ) { (params: JSONValue, context) -> JSONValue in
                let kind = try kind(params["kind"]?.stringValue ?? "")
                let applicantID = try params.uuid("applicant_id")
                let raw = try rawData(params["data"])
                let record = try await context.withAgency { principal, connection in
                    let applicant = try await ApplicantStore.get(applicantID, agency: principal.agencyID, on: connection, logger: context.logger)
                    var raw = raw
                    let first = kind.stage(kind.initialStage)
                    if first?.field("permit_received_date") != nil, raw["permit_received_date"] == nil,
                        let received = applicant.profile.permitReceivedDate
                    {
                        raw["permit_received_date"] = .string(received.iso)
                    }
                    let data = try first?.parseData(raw) ?? [:]
                    let state = try CaseMachine.record(CaseMachine.open(kind: kind), kind: kind, data: data)
                    let due = try await allowedDays(kind: kind, stage: state.stage, agency: principal.agencyID, on: connection, context: context)
                    let opened = try await CaseStore.open(
                        state, applicantID: applicantID, companyID: applicant.companyID, dueInDays: due, now: context.clock.now, agency: principal.agencyID,
                        user: principal.userID, data: WireJSON.string(.object(data.mapValues(json))), on: connection, logger: context.logger)
                    try await DeadlineDerivation.deriveForCase(
                        opened, calendar: try await CalendarStore.calendar(agency: principal.agencyID, on: connection, logger: context.logger),
                        today: context.today, reason: "case opened", agency: principal.agencyID, user: principal.userID, on: connection, logger: context.logger)
                    return opened
                }
                return value(record, now: context.clock.now)
            },
            .define(
                "case.get", summary: "One case: stage (Chinese and English), recorded data, next stages, days in stage, late flag.",
                params: [.id(.case, "Case id")], result: caseSchema, errors: [.notFound], roles: Role.everyone
            ) { (params: IDParams, context) -> JSONValue in
                let (record, out) = try await context.withAgency { principal, connection in
                    let record = try await CaseStore.get(params.id, agency: principal.agencyID, on: connection, logger: context.logger)
                    // Only a closed or withdrawn case counts originals still out.
                    let out = record.state.status.isTerminal
                        ? try await DocumentStore.originalsOut(case: record.id, agency: principal.agencyID, on: connection, logger: context.logger)
                        : 0
                    return (record, out)
                }
                return value(record, originalsOut: out, now: context.clock.now)
            },
            .define(
                "case.list",
                summary: "Cases, oldest first, a page at a time, filtered by company, consultant, applicant, kind, stage, status or lateness.",
                params: [
                    .optional("limit", .integer(minimum: 1, maximum: 500), "Page size (default 50)"),
                    .optional("cursor", .string(maxLength: 1000), "`next_cursor` of the previous page"),
                    .optional("company_id", .string(format: .uuid), "Only this company's cases"),
                    .optional("consultant_id", .string(format: .uuid), "Only cases of companies assigned to this user"),
                    .optional("applicant_id", .string(format: .uuid), "Only this applicant's cases"),
                    .optional("kind", .string(enum: CaseKinds.all.map(\.id)), "Only this kind"),
                    .optional("stage", .string(maxLength: 50), "Only cases in this stage"),
                    .optional("status", .string(enum: CaseStatus.allCases.map(\.rawValue)), "Only this status"),
                    .optional("late", .boolean, "true: only active cases past the time allowed in their stage"),
                ],
                result: .object([
                    .required("cases", .array(caseSchema), "This page"),
                    .required("next_cursor", .nullable(.string), "Cursor of the next page; null on the last page"),
                ]), roles: Role.everyone
            ) { (params: CaseListParams, context) -> JSONValue in
                let limit = params.limit ?? 50
                let after = try context.openCursor(params.cursor, as: CaseCursor.self)
                var filter = CaseFilter()
                filter.companyID = params.companyID
                filter.consultantID = params.consultantID
                filter.applicantID = params.applicantID
                filter.kind = params.kind
                filter.stage = params.stage
                filter.status = params.status
                filter.lateAsOf = params.late == true ? context.clock.now : nil
                let (records, out) = try await context.withAgency { principal, connection in
                    let records = try await CaseStore.list(
                        agency: principal.agencyID, filter: filter, after: after, limit: limit + 1, on: connection, logger: context.logger)
                    // Only the page's closed or withdrawn cases count originals still out.
                    let finished = records.prefix(limit).filter { $0.state.status.isTerminal }.map(\.id)
                    return (records, try await DocumentStore.originalsOut(cases: finished, agency: principal.agencyID, on: connection, logger: context.logger))
                }
                let page = records.prefix(limit)
                let next = records.count > limit ? try page.last.map { try context.sealCursor(CaseCursor(openedAtMicros: $0.openedAtMicros, id: $0.id)) } : nil
                return ["cases": .array(page.map { value($0, originalsOut: out[$0.id] ?? 0, now: context.clock.now) }), "next_cursor": next.map(JSONValue.string) ?? .null]
            },
            .define(
                "case.advance",
                summary: "Moves a case to a next stage with that stage's data. Refused, naming the rule, when a prerequisite fails; owners and managers may override named rules with a reason, which is recorded.",
                params: idVersion + [
                    .required("to", .string(maxLength: 50, minLength: 1), "Target stage id (see next_stages)"),
                    .optional("data", .object([], additionalProperties: true), "The target stage's data, {field: value}"),
                    .optional("override", .object([
                        .required("rules", .array(.string(maxLength: 50), maxItems: 20), "Rule ids to override (from the refusal's data.errors[].rule)"),
                        .required("reason", .string(maxLength: 1000), "Why: stored in the history"),
                    ]), "Override failing rules"),
                ],
                result: caseSchema, errors: [.notFound, .validationFailed, .conflict, .forbidden], mutates: true
            ) { (params: JSONValue, context) -> JSONValue in
                let id = try params.uuid("id")
                let target = params["to"]?.stringValue ?? ""
                let raw = try rawData(params["data"])
                let override = params["override"].map { o in
                    Override(rules: o["rules"]?.arrayValue?.compactMap(\.stringValue) ?? [], reason: o["reason"]?.stringValue ?? "")
                }
                if override != nil { try requireOverridePermission(try context.principal()) }
                return try await mutate(context, id: id, version: Int(params["version"]?.intValue ?? 0), action: "advance") {
                    current, kind, principal, connection, calendar in
                    guard let targetStage = kind.stage(target) else {
                        throw ValidationError(field: "to", rule: "transition", message: "\(kind.displayName) has no stage \"\(target)\"")
                    }
                    let data = try targetStage.parseData(raw)
                    let facts = try await facts(for: current, agency: principal.agencyID, calendar: calendar, on: connection, context: context)
                    let advance = try CaseMachine.advance(current.state, kind: kind, to: target, data: data, facts: facts, override: override)
                    return Change(
                        state: advance.state, data: .object(data.mapValues(json)),
                        reason: advance.overridden.isEmpty ? nil : override?.reason, overrides: advance.overridden)
                }
            },
            .define(
                "case.record",
                summary: "Records data on the current stage without moving (e.g. archive verified, education checked while in verification).",
                params: idVersion + [.required("data", .object([], additionalProperties: true), "The current stage's data, {field: value}")],
                result: caseSchema, errors: [.notFound, .validationFailed, .conflict], mutates: true
            ) { (params: JSONValue, context) -> JSONValue in
                let id = try params.uuid("id")
                let raw = try rawData(params["data"])
                return try await mutate(context, id: id, version: Int(params["version"]?.intValue ?? 0), action: "record") { current, kind, _, _, _ in
                    let data = try kind.stage(current.state.stage)?.parseData(raw) ?? [:]
                    return Change(state: try CaseMachine.record(current.state, kind: kind, data: data), data: .object(data.mapValues(json)))
                }
            },
            .define(
                "case.return",
                summary: "Returns (退回) a case to an earlier stage, with the reason the authority gave.",
                params: idVersion + [
                    .required("to", .string(maxLength: 50, minLength: 1), "An earlier stage id"),
                    .required("reason", .string(maxLength: 1000), "Why it was returned"),
                ],
                result: caseSchema, errors: [.notFound, .validationFailed, .conflict], mutates: true
            ) { (params: ChangeParams, context) -> JSONValue in
                try await mutate(context, id: params.id, version: params.version, action: "return") { current, kind, _, _, _ in
                    Change(state: try CaseMachine.returnTo(current.state, kind: kind, stage: params.to ?? "", reason: params.reason ?? ""), reason: params.reason)
                }
            },
            .define(
                "case.withdraw", summary: "Withdraws a case (final).",
                params: idVersion + [.required("reason", .string(maxLength: 1000), "Why")],
                result: caseSchema, errors: [.notFound, .validationFailed, .conflict], mutates: true
            ) { (params: ChangeParams, context) -> JSONValue in
                try await mutate(context, id: params.id, version: params.version, action: "withdraw") { current, _, _, _, _ in
                    Change(state: try CaseMachine.withdraw(current.state, reason: params.reason ?? ""), reason: params.reason)
                }
            },
            .define(
                "case.hold", summary: "Puts a case on hold: it cannot advance until resumed.",
                params: idVersion + [.required("reason", .string(maxLength: 1000), "Why")],
                result: caseSchema, errors: [.notFound, .validationFailed, .conflict], mutates: true
            ) { (params: ChangeParams, context) -> JSONValue in
                try await mutate(context, id: params.id, version: params.version, action: "hold") { current, _, _, _, _ in
                    Change(state: try CaseMachine.hold(current.state, reason: params.reason ?? ""), reason: params.reason)
                }
            },
            .define(
                "case.resume", summary: "Resumes a case that was on hold.",
                params: idVersion, result: caseSchema, errors: [.notFound, .validationFailed, .conflict], mutates: true
            ) { (params: ChangeParams, context) -> JSONValue in
                try await mutate(context, id: params.id, version: params.version, action: "resume") { current, _, _, _, _ in
                    Change(state: try CaseMachine.resume(current.state))
                }
            },
            .define(
                "case.note", summary: "Adds a note to a case's history (no version needed: notes never conflict).",
                params: [.id(.case, "Case id"), .required("text", .string(maxLength: 4000, minLength: 1), "The note")],
                result: caseSchema, errors: [.notFound], mutates: true
            ) { (params: NoteParams, context) -> JSONValue in
                try await mutate(context, id: params.id, version: nil, action: "note") { current, _, _, _, _ in
                    Change(state: current.state, reason: params.text)
                }
            },
            .define(
                "case.time_allowed",
                summary: "Days allowed in each stage before a case counts as late: the kind's default and the agency's own, if set.",
                params: [.optional("kind", .string(enum: CaseKinds.all.map(\.id)), "Only this kind")],
                result: .object([.required("stages", .array(.object([
                    .required("kind", .string, "Case kind"),
                    .required("stage", .string, "Stage id"),
                    .required("default_days", .nullable(.integer()), "The kind's default"),
                    .required("agency_days", .nullable(.integer()), "The agency's own, if set"),
                ])), "Every stage")]), scope: .agency
            ) { (params: KindParams, context) -> JSONValue in
                let limits = try await context.withAgency { principal, connection in
                    try await StageTimeStore.all(agency: principal.agencyID, on: connection, logger: context.logger)
                }
                let kinds = CaseKinds.all.filter { params.kind == nil || $0.id == params.kind }
                return ["stages": .array(kinds.flatMap { kind in
                    kind.stages.filter { !$0.isTerminal }.map { stage -> JSONValue in
                        [
                            "kind": .string(kind.id), "stage": .string(stage.id),
                            "default_days": stage.allowedDays.map { .int(Int64($0)) } ?? .null,
                            "agency_days": limits["\(kind.id).\(stage.id)"].map { .int(Int64($0)) } ?? .null,
                        ]
                    }
                })]
            },
            .define(
                "case.time_allowed.set",
                summary: "Sets the agency's days allowed in a stage (null restores the default). Applies to cases entering the stage from now on. Owner only.",
                params: [
                    .required("kind", .string(enum: CaseKinds.all.map(\.id)), "Case kind"),
                    .required("stage", .string(maxLength: 50, minLength: 1), "Stage id"),
                    .required("days", .nullable(.integer(minimum: 1, maximum: 3650)), "Days allowed, or null for the default"),
                ],
                result: .object([.required("days", .nullable(.integer()), "Days now allowed (the default when null was given)")]),
                errors: [.validationFailed, .forbidden], mutates: true, roles: Role.owners, scope: .agency
            ) { (params: TimeAllowedParams, context) -> JSONValue in
                let kind = try kind(params.kind)
                guard let stage = kind.stage(params.stage), !stage.isTerminal else {
                    throw ValidationError(field: "stage", rule: "enum", message: "\(kind.displayName) has no open stage \"\(params.stage)\"")
                }
                try await context.withAgency { principal, connection in
                    try await StageTimeStore.set(kind: kind.id, stage: stage.id, days: params.days, agency: principal.agencyID, on: connection, logger: context.logger)
                }
                return ["days": (params.days ?? stage.allowedDays).map { .int(Int64($0)) } ?? .null]
            },
            .define(
                "case.checklist",
                summary: "The documents the case's kind requires for this applicant (conditions: 专升本, dispatched, title, co-resident children), which are held and in which form, and what is missing.",
                params: [.id(.case, "Case id")],
                result: .object([
                    .required("items", .array(.object([
                        .required("document_type", .string, "Catalogue type"),
                        .required("name", .string, "Type in Chinese and English"),
                        .required("form", .string(enum: DocumentForm.allCases.map(\.rawValue)), "Form required"),
                        .required("required_by", .string, "Stage by which it must be held"),
                        .required("present", .boolean, "Held (by the agency or the client) in a form that satisfies it"),
                        .required("submitted", .boolean, "Handed in already (with the talent center or the city verification center): delivered, not missing"),
                    ])), "Every required document"),
                    .required("missing", .integer(minimum: 0), "How many are neither held nor handed in"),
                    .required("complete", .boolean, "Nothing is missing"),
                ]),
                errors: [.notFound], roles: Role.everyone
            ) { (params: IDParams, context) -> JSONValue in
                let result = try await context.withAgency { principal, connection in
                    let c = try await CaseStore.get(params.id, agency: principal.agencyID, on: connection, logger: context.logger)
                    let applicant = try await ApplicantStore.get(c.applicantID, agency: principal.agencyID, on: connection, logger: context.logger)
                    return try await checklist(for: c, applicant: applicant, agency: principal.agencyID, on: connection, context: context)
                }
                return [
                    "items": .array(result.items.map { item in
                        [
                            "document_type": .string(item.documentType), "name": .string(item.displayName), "form": .string(item.form.rawValue),
                            "required_by": .string(item.requiredBy), "present": .bool(item.present), "submitted": .bool(item.submitted),
                        ]
                    }),
                    "missing": .int(Int64(result.missing.count)),
                    "complete": .bool(result.isComplete),
                ]
            },
            .define(
                "case.history", summary: "Everything that happened to a case, in order: who, when, from, to, data, reason, overrides.",
                params: [.id(.case, "Case id")],
                result: .object([.required("entries", .array(historySchema), "Oldest first")]), errors: [.notFound]
            ) { (params: IDParams, context) -> JSONValue in
                let entries = try await context.withAgency { principal, connection in
                    _ = try await CaseStore.get(params.id, agency: principal.agencyID, on: connection, logger: context.logger)
                    return try await CaseStore.history(params.id, agency: principal.agencyID, on: connection, logger: context.logger)
                }
                return ["entries": .array(entries.map(historyValue))]
            },
            .define(
                "case.overrides", summary: "Every rule override in the agency, newest first.",
                params: [.optional("limit", .integer(minimum: 1, maximum: 1000), "How many (default 100)")],
                result: .object([.required("entries", .array(historySchema), "Newest first")]), roles: Role.managers
            ) { (params: LimitParams, context) -> JSONValue in
                let entries = try await context.withAgency { principal, connection in
                    try await CaseStore.overrides(agency: principal.agencyID, limit: params.limit ?? 100, on: connection, logger: context.logger)
                }
                return ["entries": .array(entries.map(historyValue))]
            },
        ]
    }

    static let historySchema: Schema = .object([
        .required("case_id", .string(format: .uuid), "Case"),
        .required("seq", .integer(minimum: 1), "Order within the case"),
        .required("at", .string(format: .dateTime), "When"),
        .required("user_id", .string(format: .uuid), "Who"),
        .required("user_name", .string, "Who, by name"),
        .required("action", .string(enum: ["open", "advance", "record", "return", "withdraw", "hold", "resume", "note"]), "What"),
        .required("from_stage", .nullable(.string), "Stage before"),
        .required("to_stage", .nullable(.string), "Stage after"),
        .required("data", .any, "Data recorded"),
        .required("reason", .nullable(.string), "Reason or note"),
        .required("overrides", .array(.string), "Rules overridden"),
    ])

    static func historyValue(_ h: CaseHistoryEntry) -> JSONValue {
        [
            "case_id": .string(h.caseID.uuidString.lowercased()),
            "seq": .int(Int64(h.seq)),
            "at": .string(h.at.iso8601Timestamp),
            "user_id": .string(h.userID.uuidString.lowercased()),
            "user_name": .string(h.userName),
            "action": .string(h.action),
            "from_stage": h.fromStage.map(JSONValue.string) ?? .null,
            "to_stage": h.toStage.map(JSONValue.string) ?? .null,
            "data": (try? JSONDecoder().decode(JSONValue.self, from: Data(h.data.utf8))) ?? .null,
            "reason": h.reason.map(JSONValue.string) ?? .null,
            "overrides": .array(h.overrides.map(JSONValue.string)),
        ]
    }

    /// What the rules need to know beyond the case itself.
    static func facts(for current: CaseRecord, agency: UUID, calendar: ChineseCalendar, on connection: PostgresConnection, context: RequestContext)
        async throws -> CaseFacts
    {
        let company = try await CompanyStore.get(current.companyID, agency: agency, on: connection, logger: context.logger)
        let applicant = try await ApplicantStore.get(current.applicantID, agency: agency, on: connection, logger: context.logger)
        let today = context.today
        let rules = try await PointsRulesStore.current(asOf: today, agency: agency, on: connection, logger: context.logger)
        let estimate = PointsEstimator.estimate(PointsProfile(birthDate: applicant.birthDate, profile: applicant.profile), asOf: today, rules: rules)
        let archive = try await ArchiveStore.get(applicant: applicant.id, agency: agency, on: connection, logger: context.logger)
        return CaseFacts(
            today: today, companyStatus: TalentCenterStatus(rawValue: company.talentCenterStatus) ?? .unregistered,
            pointsTotal: estimate.total, calendar: calendar,
            checklist: try await checklist(for: current, applicant: applicant, agency: agency, on: connection, context: context),
            archiveStatus: archive.archive.status)
    }

    /// The case's document checklist: what its kind requires for this applicant, and what is held.
    static func checklist(for c: CaseRecord, applicant: ApplicantRecord, agency: UUID, on connection: PostgresConnection, context: RequestContext)
        async throws -> ChecklistResult
    {
        let held = try await DocumentStore.held(applicant: applicant.id, company: c.companyID, agency: agency, on: connection, logger: context.logger)
        return ChecklistResult.evaluate(kind: c.state.kind, profile: applicant.profile, documents: held)
    }

    struct CaseListParams: Decodable, Sendable {
        var limit: Int?
        var cursor: String?
        var companyID: UUID?
        var consultantID: UUID?
        var applicantID: UUID?
        var kind: String?
        var stage: String?
        var status: String?
        var late: Bool?
        enum CodingKeys: String, CodingKey {
            case limit, cursor, kind, stage, status, late
            case companyID = "company_id", consultantID = "consultant_id", applicantID = "applicant_id"
        }
    }

    struct NoteParams: Decodable, Sendable {
        var id: UUID
        var text: String
    }

    struct KindParams: Decodable, Sendable {
        var kind: String?
    }

    struct TimeAllowedParams: Decodable, Sendable {
        var kind: String
        var stage: String
        var days: Int?
    }

    struct LimitParams: Decodable, Sendable {
        var limit: Int?
    }
}
