import CaseloadCore
import CaseloadProtocol
import CaseloadStorage
import Foundation
import PostgresNIO

/// How a case reads on the wire: its result schema and value.
extension CaseMethods {
    static let caseSchema: Schema = .object([
        .id(.case, "Case id"),
        .required("applicant", .object([
            .id(.applicant, "Applicant id"),
            .required("name", .string, "Name"),
            .required("id_number", .string, "ID number, masked"),
        ]), "Whose case"),
        .required("company_id", .string(format: .uuid), "The employer filing it"),
        .required("company_short_name", .string, "The employer's name as lists show it (without 上海 and the legal form)"),
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
            "id": .string(c.id.lowercasedString),
            "applicant": [
                "id": .string(c.applicantID.lowercasedString), "name": .string(c.applicantName), "id_number": .string(c.applicantIDMasked),
            ],
            "company_id": .string(c.companyID.lowercasedString),
            "company_short_name": .string(CompanyName.short(c.companyName)),
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
}
