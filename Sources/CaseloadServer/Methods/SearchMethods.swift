import CaseloadCore
import CaseloadProtocol
import CaseloadStorage
import Foundation

/// Finding applicants, their cases and companies by what a consultant types: 张伟, zhangwei, zw.
enum SearchMethods {
    static let itemSchema: Schema = .object([
        .required("kind", .string(enum: ["applicant", "case", "company"]), "What was found"),
        .required("id", .string(format: .uuid), "Its id (an applicant, case or company id)"),
        .required("applicant_id", .nullable(.string(format: .uuid)), "The applicant, for an applicant or a case"),
        .required("applicant_name", .nullable(.string), "The applicant's name"),
        .required("id_number_masked", .nullable(.string), "The applicant's ID number, masked"),
        .required("company_id", .string(format: .uuid), "The company (the employer, for an applicant or a case)"),
        .required("company_name", .string, "Its registered name"),
        .required("company_short_name", .string, "Its name as lists show it"),
        .required("case_kind", .nullable(.string), "A case's kind"),
        .required("case_kind_name_zh", .nullable(.string), "That kind in Chinese"),
        .required("case_stage", .nullable(.string), "A case's stage"),
        .required("case_stage_name_zh", .nullable(.string), "That stage in Chinese"),
        .required("case_stage_name_en", .nullable(.string), "That stage in English"),
    ])

    struct FindParams: Decodable, Sendable {
        var q: String
        var limit: Int?
        var companyID: UUID?
        var consultantID: UUID?
        enum CodingKeys: String, CodingKey {
            case q, limit
            case companyID = "company_id", consultantID = "consultant_id"
        }
    }

    static func item(
        _ kind: String, id: UUID, applicant: FoundApplicant?, companyID: UUID, companyName: String, caseKind: String? = nil, stage: String? = nil
    ) -> JSONValue {
        func text(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
        let caseKindEntry = caseKind.flatMap(CaseKinds.kind)
        let stageEntry = stage.flatMap { caseKindEntry?.stage($0) }
        return [
            "kind": .string(kind), "id": .string(id.lowercasedString),
            "applicant_id": text(applicant?.id.lowercasedString), "applicant_name": text(applicant?.name),
            "id_number_masked": text(applicant?.idNumberMasked),
            "company_id": .string(companyID.lowercasedString), "company_name": .string(companyName),
            "company_short_name": .string(CompanyName.short(companyName)),
            "case_kind": text(caseKind), "case_kind_name_zh": text(caseKindEntry?.chineseName ?? caseKind),
            "case_stage": text(stage), "case_stage_name_zh": text(stageEntry?.chineseName ?? stage),
            "case_stage_name_en": text(stageEntry?.englishName ?? stage),
        ]
    }

    static var all: [RPCMethod] {
        [
            .define(
                "search.find",
                summary: "Finds applicants (and their active cases) and companies by name: part of the Chinese name (张伟), or the start of its pinyin (zhangwei, zhang) or initials (zw). Only your caseload: a consultant's assigned companies, a client company's HR user their own company.",
                params: [
                    .required("q", .string(maxLength: 50, minLength: 1), "What to look for: Chinese characters match anywhere in a name, Latin letters the start of its pinyin or initials"),
                    .optional("limit", .integer(minimum: 1, maximum: 100), "At most this many applicants and this many companies (default 20)"),
                    // Forced by the dispatcher for the roles that see only some companies (a client's own, a consultant's assigned).
                    .optional("company_id", .string(format: .uuid), "Only this company's (a client company's HR user: always their own)"),
                    .optional("consultant_id", .string(format: .uuid), "Only companies assigned to this user (consultants and viewers: always themselves)"),
                ],
                result: .object([
                    .required("items", .array(itemSchema), "Applicants, each followed by their active cases, then companies; exact names first"),
                ]),
                errors: [.validationFailed], roles: Role.everyone
            ) { (params: FindParams, context) -> JSONValue in
                // The schema refuses a blank q (invalid_params), so what is left after trimming is never empty.
                let q = params.q.trimmingCharacters(in: .whitespacesAndNewlines)
                let limit = params.limit ?? 20
                let (applicants, cases, companies) = try await context.withAgency { tx in
                    let scope = SearchScope(companyID: params.companyID, consultantID: params.consultantID)
                    let applicants = try await tx.search.applicants(matching: q, in: scope, limit: limit)
                    let cases = try await tx.search.activeCases(of: applicants.map(\.id))
                    return (applicants, cases, try await tx.search.companies(matching: q, in: scope, limit: limit))
                }
                let casesOf = Dictionary(grouping: cases, by: \.applicantID)
                var items: [JSONValue] = []
                for a in applicants {
                    items.append(item("applicant", id: a.id, applicant: a, companyID: a.companyID, companyName: a.companyName))
                    for c in casesOf[a.id] ?? [] {
                        items.append(item("case", id: c.id, applicant: a, companyID: a.companyID, companyName: a.companyName, caseKind: c.kind, stage: c.stage))
                    }
                }
                for c in companies {
                    items.append(item("company", id: c.id, applicant: nil, companyID: c.id, companyName: c.name))
                }
                return ["items": .array(items)]
            },
        ]
    }
}
