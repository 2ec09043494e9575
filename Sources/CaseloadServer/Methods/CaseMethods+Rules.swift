import CaseloadCore
import CaseloadProtocol
import CaseloadStorage
import Foundation
import PostgresNIO

extension CaseMethods {
    /// The rules' data a case is measured by: time allowed per stage, and its document checklist.
    static var rules: [RPCMethod] {
        [
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
                let limits = try await context.withAgency { tx in
                    try await tx.stageTimes.all()
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
                    throw ValidationError(
                        field: "stage", rule: "enum", message: "\(kind.displayName) has no open stage \"\(params.stage)\"",
                        zh: "\(kind.chineseName)没有“\(params.stage)”这个进行中的阶段")
                }
                try await context.withAgency { tx in
                    try await tx.stageTimes.set(kind: kind.id, stage: stage.id, days: params.days)
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
                let result = try await context.withAgency { tx in
                    let c = try await tx.cases.get(params.id)
                    let applicant = try await tx.applicants.get(c.applicantID)
                    return try await checklist(for: c, applicant: applicant, in: tx)
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
        ]
    }
}
