import CaseloadCore
import CaseloadProtocol
import CaseloadStorage
import Foundation

/// The points estimate (积分估算): an estimate against the 120 standard, never a decision.
enum PointsMethods {
    struct EstimateParams: Decodable, Sendable {
        var id: UUID
        var asOf: CalendarDate?
        enum CodingKeys: String, CodingKey {
            case id
            case asOf = "as_of"
        }
    }

    static let estimateSchema: Schema = .object([
        .required("rules_version", .string, "Which rules version estimated it"),
        .required("items", .array(.object([
            .required("id", .string, "Indicator"),
            .required("chinese_name", .string, "Indicator in Chinese"),
            .required("english_name", .string, "Indicator in English"),
            .required("points", .integer(), "Points (negative for deductions)"),
            .required("explanation", .string, "How the points were counted"),
        ], additionalProperties: true)), "Per indicator"),
        .required("total", .integer(), "Sum of the items"),
        .required("standard", .integer(), "The standard score (120)"),
        .required("score_meets_standard", .boolean, "total ≥ standard (the score alone)"),
        .required("eligibility", .object([
            .required("eligible", .boolean, "Every check met (a check with nothing recorded is not)"),
            .required("checks", .array(.object([
                .required("id", .string, "social_insurance_last_12 or valid_permit"),
                .required("chinese_name", .string, "The check in Chinese"),
                .required("english_name", .string, "The check in English"),
                .required("met", .nullable(.boolean), "Met, not met, or null when not recorded"),
                .required("explanation", .string, "Why"),
            ])), "The checks apart from the score"),
        ]), "Whether the applicant may apply at all: Shanghai social insurance in at least 6 of the last 12 months (back-payments excluded) and a valid residence permit"),
        .required("meets_standard", .boolean, "Eligible and the score reaches the standard: never true for an ineligible applicant"),
        .required("is_estimate", .boolean, "Always true: the city decides"),
    ], additionalProperties: true)

    static var all: [RPCMethod] {
        [
            .define(
                "applicant.estimate",
                summary: "Estimates an applicant's points per indicator against the standard, with the agency's rules in force on `as_of` (default today).",
                params: [
                    .id(.applicant, "Applicant id"),
                    .optional("as_of", .string(format: .date), "Estimate as of this date (age and rules version)"),
                ],
                result: estimateSchema, errors: [.notFound, .validationFailed]
            ) { (params: EstimateParams, context) -> JSONValue in
                let date = params.asOf ?? context.today
                let estimate = try await context.withAgency { tx in
                    let applicant = try await tx.applicants.get(params.id)
                    if date < applicant.birthDate {
                        throw ValidationError(field: "as_of", rule: "range", message: "must not be before the applicant's birth date (\(applicant.birthDate.iso))",
                    zh: "不能早于申请人的出生日期（\(applicant.birthDate.iso)）")
                    }
                    let rules = try await tx.pointsRules.current(asOf: date)
                    return PointsEstimator.estimate(PointsProfile(birthDate: applicant.birthDate, profile: applicant.profile), asOf: date, rules: rules)
                }
                return try WireJSON.value(of: estimate)
            },
            .define(
                "points.rules.list", summary: "Every points rules version: the built-in one from the brief, then the agency's own.",
                result: .object([.required("versions", .array(.any), "Rules versions, each as `points.rules.add` takes them")]), scope: .agency
            ) { (_: NoParams, context) -> JSONValue in
                let versions = try await context.withAgency { tx in
                    try await tx.pointsRules.all()
                }
                return ["versions": .array(try versions.map { try WireJSON.value(of: $0) })]
            },
            .define(
                "points.rules.add",
                summary: "Adds the agency's own points rules version, effective from its date (start from one `points.rules.list` returns). Owner only.",
                params: [.required("rules", .object([], additionalProperties: true), "A full rules version with a new `version` name")],
                result: .object([.required("version", .string, "The version added")]),
                errors: [.validationFailed, .conflict, .forbidden], mutates: true, roles: Role.owners, scope: .agency
            ) { (params: AddRulesParams, context) -> JSONValue in
                let rules: PointsRules
                do {
                    // Read apart from the params, so a version that is not one gets its own message.
                    rules = try WireJSON.convert(params.rules, to: PointsRules.self)
                } catch {
                    throw ValidationError(field: "rules", rule: "format", message: "not a points rules version: start from one that points.rules.list returns",
                    zh: "不是积分规则版本：请以 points.rules.list 返回的某个版本为基础")
                }
                try rules.validate()
                try await context.withAgency { tx in
                    try await tx.pointsRules.add(rules)
                }
                return ["version": .string(rules.version)]
            },
        ]
    }

    /// `points.rules.add`: one whole rules version, read as `PointsRules` by the handler.
    struct AddRulesParams: Decodable, Sendable {
        var rules: JSONValue
    }
}
