import CaseloadCore
import CaseloadProtocol
import CaseloadStorage
import Foundation

/// The message a consultant sends for a case's next step (caseload notice), and the agency's
/// own texts for it.
enum NoticeMethods {
    struct NoticeParams: Decodable, Sendable {
        var id: UUID
        var audience: String?
    }

    struct TemplateKey: Decodable, Sendable {
        var caseKind: String
        var step: String
        var audience: String
        enum CodingKeys: String, CodingKey {
            case step, audience
            case caseKind = "case_kind"
        }
    }

    struct SetParams: Decodable, Sendable {
        var caseKind: String
        var step: String
        var audience: String
        var body: String
        enum CodingKeys: String, CodingKey {
            case step, audience, body
            case caseKind = "case_kind"
        }
    }

    struct ListParams: Decodable, Sendable {
        var caseKind: String?
        enum CodingKeys: String, CodingKey { case caseKind = "case_kind" }
    }

    static let templateSchema: Schema = .object([
        .required("case_kind", .string, "The case kind"),
        .required("step", .string, "The stage the case moves to next"),
        .required("step_name_zh", .string, "That stage in Chinese"),
        .required("audience", .string(enum: NoticeAudience.allCases.map(\.rawValue)), "applicant or hr"),
        .required("body", .string, "The text, with {placeholders}"),
        .required("source", .string(enum: ["builtin", "agency"]), "builtin (the default) or agency (the agency's own)"),
    ])

    static let keyParams: [Property] = [
        .required("case_kind", .string(enum: CaseKinds.all.map(\.id)), "The case kind"),
        .required("step", .string(maxLength: 50, minLength: 1), "The stage the case moves to next (a stage of the kind)"),
        .required("audience", .string(enum: NoticeAudience.allCases.map(\.rawValue)), "applicant or hr"),
    ]

    /// The kind and the step a template is for, checked against the kind's table.
    static func key(kind: String, step: String, audience: String) throws -> (CaseKind, Stage, NoticeAudience) {
        let kind = try CaseMethods.kind(kind)
        let audience = try NoticeAudience.parse(audience)
        // A step is a stage some transition leads to: the initial stage is never "next".
        let steps = kind.stages.filter { s in kind.transitions.contains { $0.to == s.id } }
        guard let stage = steps.first(where: { $0.id == step }) else {
            throw ValidationError(
                field: "step", rule: "enum",
                message: "\(kind.id) has no step \(step)\(Suggestion.hint(for: step, among: steps.map(\.id))): use one of \(steps.map(\.id).joined(separator: ", "))",
                zh: "\(kind.chineseName)（\(kind.id)）没有 \(step) 这一步\(Suggestion.hintZh(for: step, among: steps.map(\.id)))：请用 \(steps.map(\.id).joined(separator: "、")) 之一")
        }
        return (kind, stage, audience)
    }

    static func template(kind: CaseKind, step: Stage, audience: NoticeAudience, stored: String?) -> JSONValue {
        [
            "case_kind": .string(kind.id), "step": .string(step.id), "step_name_zh": .string(step.chineseName),
            "audience": .string(audience.rawValue),
            "body": .string(stored ?? NoticeTemplates.builtin(kind: kind.id, step: step.id, audience: audience)),
            "source": .string(stored == nil ? "builtin" : "agency"),
        ]
    }

    /// The notice for a case's next step to `audience`, and whether the agency's text was used.
    static func notice(caseID: UUID, audience: NoticeAudience, in tx: Transaction) async throws -> JSONValue {
        let c = try await tx.cases.get(caseID)
        let kind = try CaseMethods.kind(c.state.kind)
        // The step ahead: the first move the kind's table lists from here (its main path).
        guard c.state.status == .active, let next = kind.transitions(from: c.state.stage).first?.to, let step = kind.stage(next) else {
            throw ValidationError(
                field: "id", rule: "no_next_step",
                message: "the case is \(c.state.status.rawValue) at \(kind.stage(c.state.stage)?.displayName ?? c.state.stage): it has no next step to announce",
                zh: "案件目前为\(c.state.status.chineseName)（\(c.state.status.rawValue)），处于\(kind.stage(c.state.stage)?.chineseName ?? c.state.stage)：没有可以通知的下一步")
        }
        let company = try await tx.companies.get(c.companyID)
        let applicant = try await tx.applicants.get(c.applicantID)
        // Registering the employer needs the company's own papers (Checklists.employerActivation);
        // every other step, what the case's checklist lacks by then.
        let missing: [ChecklistItem]
        if step.id == "employer_ready" {
            let held = try await tx.documents.held(applicant: applicant.id, company: c.companyID)
            missing = ChecklistResult.evaluate(entries: Checklists.employerActivation, kind: kind.id, profile: applicant.profile, documents: held).missing
        } else {
            missing = try await CaseMethods.checklist(for: c, applicant: applicant, in: tx).missing(forEntering: step.id, of: kind)
        }
        // The applicant brings their own papers; the HR officer sees everything the step lacks.
        let documents = missing.filter { item in
            audience == .hr || DocumentCatalogue.type(item.documentType)?.owner != .company
        }
        var filter = DeadlineFilter()
        filter.caseID = c.id
        filter.states = ["waiting", "open", "missed"]
        let pending = try await tx.deadlines.list(filter: filter, limit: 100)
        let from = pending.filter { $0.kind == .window }.map(\.dueDate).min()
        let by = pending.filter { $0.kind == .due }.map(\.dueDate).min() ?? c.stageDueAt.map { CalendarDate(shanghai: $0) }
        let facts = CaseNotice(
            applicantName: applicant.name, companyName: company.name, hrName: company.hrName,
            district: company.district.flatMap(ShanghaiDistrict.init(rawValue:)), caseKindName: kind.chineseName, step: step,
            documents: documents, fromDate: from, byDate: by)
        let stored = try await tx.noticeTemplates.get(kind: kind.id, step: step.id, audience: audience)
        let body = stored?.body ?? NoticeTemplates.builtin(kind: kind.id, step: step.id, audience: audience)
        let calendar = try await tx.calendar.calendar()
        let text = NoticeTemplate.render(body, values: facts.values(today: tx.today, calendar: calendar))
        return [
            "text": .string(text), "audience": .string(audience.rawValue), "step": .string(step.id),
            "step_name_zh": .string(step.chineseName), "template_source": .string(stored == nil ? "builtin" : "agency"),
        ]
    }

    static var all: [RPCMethod] {
        [
            .define(
                "case.notice",
                summary: "The message to send for a case's next step, in Chinese, ready to paste into WeChat or mail: what to bring (originals or sealed copies), where (the company's district talent center), from and by which date, in working days. The agency's own template when it has one, else the built-in one.",
                params: [
                    .id(.case, "Case id"),
                    .optional("audience", .string(enum: NoticeAudience.allCases.map(\.rawValue)), "applicant (default) or hr, the employer's HR officer"),
                ],
                result: .object([
                    .required("text", .string, "The message"),
                    .required("audience", .string(enum: NoticeAudience.allCases.map(\.rawValue)), "Whom it is for"),
                    .required("step", .string, "The stage the case moves to next"),
                    .required("step_name_zh", .string, "That stage in Chinese"),
                    .required("template_source", .string(enum: ["builtin", "agency"]), "Whose text: builtin or the agency's own"),
                ]),
                errors: [.notFound, .validationFailed]
            ) { (params: NoticeParams, context) -> JSONValue in
                let audience = try params.audience.map { try NoticeAudience.parse($0) } ?? .applicant
                return try await context.withAgency { tx in try await notice(caseID: params.id, audience: audience, in: tx) }
            },
            .define(
                "notice.list_templates",
                summary: "Every notice template of a case kind (or of all kinds): the agency's own where it stored one, else the built-in text.",
                params: [.optional("case_kind", .string(enum: CaseKinds.all.map(\.id)), "Only this kind")],
                result: .object([
                    .required("templates", .array(templateSchema), "By kind, step (table order) and audience"),
                    .required("placeholders", .array(.any), "Every placeholder a body may use: name, meaning"),
                ]),
                scope: .agency
            ) { (params: ListParams, context) -> JSONValue in
                let kinds = try params.caseKind.map { [try CaseMethods.kind($0)] } ?? CaseKinds.all
                let stored = try await context.withAgency { tx in try await tx.noticeTemplates.list(kind: params.caseKind) }
                var templates: [JSONValue] = []
                for kind in kinds {
                    for step in kind.stages where kind.transitions.contains(where: { $0.to == step.id }) {
                        for audience in NoticeAudience.allCases {
                            let own = stored.first { $0.caseKind == kind.id && $0.step == step.id && $0.audience == audience }
                            templates.append(template(kind: kind, step: step, audience: audience, stored: own?.body))
                        }
                    }
                }
                return [
                    "templates": .array(templates),
                    "placeholders": .array(NoticeTemplate.placeholders.map { p -> JSONValue in ["name": .string(p.name), "meaning": .string(p.meaning)] }),
                ]
            },
            .define(
                "notice.set_template",
                summary: "Stores the agency's own notice text for a case kind, step and audience. The body is checked: 1–2000 characters, only known {placeholders} (see notice.list_templates).",
                params: keyParams + [.required("body", .string(maxLength: NoticeTemplate.maxLength, minLength: 1), "The text, with {placeholders}")],
                result: templateSchema, errors: [.validationFailed], mutates: true, roles: Role.managers, scope: .agency
            ) { (params: SetParams, context) -> JSONValue in
                let (kind, step, audience) = try key(kind: params.caseKind, step: params.step, audience: params.audience)
                try NoticeTemplate.validate(params.body)
                try await context.withAgency { tx in
                    try await tx.noticeTemplates.set(kind: kind.id, step: step.id, audience: audience, body: params.body, user: tx.principal.userID)
                }
                return template(kind: kind, step: step, audience: audience, stored: params.body)
            },
            .define(
                "notice.reset_template",
                summary: "Removes the agency's own notice text for a case kind, step and audience: the built-in one applies again.",
                params: keyParams,
                result: templateSchema, errors: [.validationFailed], mutates: true, roles: Role.managers, scope: .agency
            ) { (params: TemplateKey, context) -> JSONValue in
                let (kind, step, audience) = try key(kind: params.caseKind, step: params.step, audience: params.audience)
                _ = try await context.withAgency { tx in try await tx.noticeTemplates.reset(kind: kind.id, step: step.id, audience: audience) }
                return template(kind: kind, step: step, audience: audience, stored: nil)
            },
        ]
    }
}
