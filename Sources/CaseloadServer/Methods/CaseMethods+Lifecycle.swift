import CaseloadCore
import CaseloadProtocol
import CaseloadStorage
import Foundation
import PostgresNIO

extension CaseMethods {
    /// Opening a case, reading one, listing them.
    static var lifecycle: [RPCMethod] {
        [
            .define(
                "case.open",
                summary: "Opens a case of a kind for an applicant, at the kind's first stage, with that stage's data (the permit's received date is taken from the applicant when not given).",
                params: [
                    .required("applicant_id", .string(format: .uuid), "Whose case"),
                    .required("kind", .string(enum: CaseKinds.all.map(\.id)), "points_new 积分新办, points_renewal 积分续办, hukou_transfer 居转户, talent_introduction 人才引进"),
                    .optional("data", .object([], additionalProperties: true), "The first stage's data, {field: value}"),
                    .optional("allow_duplicate", .boolean, "Open it even though the applicant has an active case of this kind (refused otherwise, rule duplicate_case)"),
                ],
                result: caseSchema, errors: [.notFound, .validationFailed], mutates: true
            ) { (params: OpenParams, context) -> JSONValue in
                let kind = try kind(params.kind)
                let applicantID = params.applicantID
                let raw = try rawData(params.data)
                let record = try await context.withAgency { tx in
                    let applicant = try await tx.applicants.get(applicantID)
                    // A second active case of one kind is most often a mistake (a double click, a
                    // colleague's case not seen): it needs saying so.
                    if params.allowDuplicate != true, let existing = try await activeCases(of: kind.id, applicant: applicantID, in: tx.storage).first {
                        let shortID = existing.id.uuidString.prefix(8).lowercased()
                        let at = kind.stage(existing.state.stage)?.chineseName ?? existing.state.stage
                        throw ValidationError(
                            field: "kind", rule: "duplicate_case",
                            message: "\(applicant.name) already has an active \(kind.displayName) case (\(shortID), in \(at)): pass allow_duplicate to open another",
                            zh: "\(applicant.name)已有一个办理中的\(kind.chineseName)案件（\(shortID)，处于\(at)）：如确需再开一个，请传 allow_duplicate")
                    }
                    var raw = raw
                    let first = kind.stage(kind.initialStage)
                    if first?.field("permit_received_date") != nil, raw["permit_received_date"] == nil,
                        let received = applicant.profile.permitReceivedDate
                    {
                        raw["permit_received_date"] = .string(received.iso)
                    }
                    let data = try first?.parseData(raw) ?? [:]
                    let state = try CaseMachine.record(CaseMachine.open(kind: kind), kind: kind, data: data)
                    let due = try await allowedDays(kind: kind, stage: state.stage, in: tx)
                    let opened = try await tx.cases.open(
                        state, applicantID: applicantID, companyID: applicant.companyID, dueInDays: due, now: tx.now, user: tx.principal.userID, data: WireJSON.string(.object(data.mapValues(json))))
                    try await DeadlineDerivation.deriveForCase(opened, calendar: try await tx.calendar.calendar(), today: tx.today, reason: "case opened", user: tx.principal.userID, in: tx.storage)
                    return opened
                }
                return value(record, now: context.now)
            },
            .define(
                "case.get", summary: "One case: stage (Chinese and English), recorded data, next stages, days in stage, late flag.",
                params: [.id(.case, "Case id")], result: caseSchema, errors: [.notFound], roles: Role.everyone
            ) { (params: IDParams, context) -> JSONValue in
                let (record, out) = try await context.withAgency { tx in
                    let record = try await tx.cases.get(params.id)
                    // Only a closed or withdrawn case counts originals still out.
                    let out = record.state.status.isTerminal
                        ? try await tx.documents.originalsOut(case: record.id)
                        : 0
                    return (record, out)
                }
                return value(record, originalsOut: out, now: context.now)
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
                    .optional("stage", .string(maxLength: 50), "Only cases in this stage: its id or its Chinese or English name (an unknown one is refused)"),
                    .optional("status", .string(enum: CaseStatus.allCases.map(\.rawValue)), "Only this status"),
                    .optional("late", .boolean, "true: only active cases past the time allowed in their stage"),
                ],
                result: .object([
                    .required("cases", .array(caseSchema), "This page"),
                    .required("next_cursor", .nullable(.string), "Cursor of the next page; null on the last page"),
                ]), errors: [.validationFailed], roles: Role.everyone
            ) { (params: CaseListParams, context) -> JSONValue in
                let limit = params.limit ?? 50
                let after = try context.openCursor(params.cursor, as: CaseCursor.self)
                var filter = CaseFilter()
                filter.companyID = params.companyID
                filter.consultantID = params.consultantID
                filter.applicantID = params.applicantID
                filter.kind = params.kind
                filter.stage = try params.stage.map { stage throws(ValidationError) in try InputAliases.stageFilter(stage, kind: params.kind, field: "stage") }
                filter.status = params.status
                filter.lateAsOf = params.late == true ? context.now : nil
                let (records, out) = try await context.withAgency { tx in
                    let records = try await tx.cases.list(filter: filter, after: after, limit: limit + 1)
                    // Only the page's closed or withdrawn cases count originals still out.
                    let finished = records.prefix(limit).filter { $0.state.status.isTerminal }.map(\.id)
                    return (records, try await tx.documents.originalsOut(cases: finished))
                }
                let page = records.prefix(limit)
                let next = records.count > limit ? try page.last.map { try context.sealCursor(CaseCursor(openedAtMicros: $0.openedAtMicros, id: $0.id)) } : nil
                return ["cases": .array(page.map { value($0, originalsOut: out[$0.id] ?? 0, now: context.now) }), "next_cursor": next.map(JSONValue.string) ?? .null]
            },
        ]
    }
}
