import CaseloadCore
import CaseloadProtocol
import CaseloadStorage
import Foundation

/// Client companies (用人单位): the agency's customers, whose employees are the applicants.
enum CompanyMethods {
    static let fieldProperties: [Property] = [
        .optional("credit_code", .nullable(.string(maxLength: 40)), "Unified social credit code (统一社会信用代码), 18 characters; case and spaces are normalised"),
        .optional("credit_code_override", .nullable(.string(maxLength: 500)), "Reason to accept a credit code that fails its checksum (some early codes do); stored"),
        .optional("org_code", .nullable(.string(maxLength: 20)), "Organization code (组织机构代码), with or without the hyphen; the unit code (单位代码) of companies registered before the three-certificates merger"),
        .optional("org_code_override", .nullable(.string(maxLength: 500)), "Reason to accept an organization code that fails its checksum; stored"),
        .optional("district", .nullable(.string(maxLength: 20)), "Registration district: a code (`pudong`) or a Chinese name (`浦东新区`)"),
        .optional("hr_name", .nullable(.string(maxLength: 100)), "The company's HR contact (单位人事)"),
        .optional("hr_phone", .nullable(.string(maxLength: 20)), "The HR contact's mobile number (11 digits starting with 1)"),
        .optional("talent_center_status", .string(enum: TalentCenterStatus.allCases.map(\.rawValue)), "Registration with the district talent service center"),
    ]

    static let companySchema: Schema = .object([
        .id(.company, "Company id"),
        .required("name", .string, "Registered name"),
        .required("credit_code", .nullable(.string), "Normalised credit code"),
        .required("credit_code_override", .nullable(.string), "Why a failing credit-code checksum was accepted"),
        .required("org_code", .nullable(.string), "Organization code, written XXXXXXXX-X"),
        .required("org_code_override", .nullable(.string), "Why a failing organization-code checksum was accepted"),
        .required("district", .nullable(.string(enum: ShanghaiDistrict.allCases.map(\.rawValue))), "District code"),
        .required("district_name", .nullable(.string), "District name in Chinese"),
        .required("hr_name", .nullable(.string), "HR contact"),
        .required("hr_phone", .nullable(.string), "HR contact's mobile, masked (138****0001)"),
        .required("talent_center_status", .string(enum: TalentCenterStatus.allCases.map(\.rawValue)), "Talent-center registration status"),
        .required("version", .integer(minimum: 1), "Version for optimistic concurrency: pass it to company.update"),
        .required("created_at", .string(format: .dateTime), "Created"),
        .required("updated_at", .string(format: .dateTime), "Last changed"),
    ])

    static func value(_ c: CompanyRecord) -> JSONValue {
        func opt(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
        return [
            "id": .string(c.id.lowercasedString),
            "name": .string(c.name),
            "credit_code": opt(c.creditCode),
            "credit_code_override": opt(c.creditCodeOverride),
            "org_code": opt(c.orgCode),
            "org_code_override": opt(c.orgCodeOverride),
            "district": opt(c.district),
            "district_name": opt(c.district.flatMap(ShanghaiDistrict.init(rawValue:))?.chineseName),
            "hr_name": opt(c.hrName),
            "hr_phone": opt(c.hrPhoneMasked),
            "talent_center_status": .string(c.talentCenterStatus),
            "version": .int(Int64(c.version)),
            "created_at": .string(c.createdAt.iso8601Timestamp),
            "updated_at": .string(c.updatedAt.iso8601Timestamp),
        ]
    }

    /// Which field a unique-key violation is about.
    static let uniqueConstraintFields = [
        "companies_agency_id_credit_code_key": "credit_code",
        "companies_agency_id_org_code_key": "org_code",
    ]

    static func duplicateError(_ error: any Error) -> any Error {
        guard case StorageError.duplicate(let constraint) = error, let field = uniqueConstraintFields[constraint] else { return error }
        return RPCError.conflict(
            "Conflict: another company in your agency already has this \(field)", zh: "冲突：你的机构中已有另一家公司使用这个 \(field)",
            issues: [(field, "unique", "already used by another company", "已被另一家公司使用")])
    }

    static func input(from record: CompanyRecord) -> CompanyInput {
        CompanyInput(
            name: record.name, creditCode: record.creditCode, creditCodeOverride: record.creditCodeOverride, orgCode: record.orgCode,
            orgCodeOverride: record.orgCodeOverride, district: record.district, hrName: record.hrName, hrPhone: nil,
            talentCenterStatus: record.talentCenterStatus)
    }

    static var all: [RPCMethod] {
        [
            .define(
                "company.create",
                summary: "Adds a client company. Needs a name and a credit code or organization code; codes are checksum-validated.",
                params: [.required("name", .string(maxLength: 200, minLength: 1), "Registered name (单位名称)")] + fieldProperties,
                result: companySchema,
                errors: [.validationFailed, .conflict],
                mutates: true, roles: Role.managers
            ) { (params: CreateParams, context) -> JSONValue in
                let fields = try CompanyFields.validate(params.input)
                do {
                    let record = try await context.withAgency { tx in
                        try await tx.companies.create(fields, cipher: context.services.cipher)
                    }
                    return value(record)
                } catch {
                    throw duplicateError(error)
                }
            },
            .define(
                "company.get", summary: "One client company by id.",
                params: [.id(.company, "Company id")],
                result: companySchema, errors: [.notFound], roles: Role.everyone
            ) { (params: IDParams, context) -> JSONValue in
                let record = try await context.withAgency { tx in
                    try await tx.companies.get(params.id)
                }
                return value(record)
            },
            .define(
                "company.list",
                summary: "Client companies by name, a page at a time: pass `next_cursor` back as `cursor` for the next page.",
                params: [
                    .optional("limit", .integer(minimum: 1, maximum: 500), "Page size (default 50)"),
                    .optional("cursor", .string(maxLength: 1000), "Where the previous page ended (`next_cursor`)"),
                    .optional("district", .string(enum: ShanghaiDistrict.allCases.map(\.rawValue)), "Only this district"),
                    .optional("talent_center_status", .string(enum: TalentCenterStatus.allCases.map(\.rawValue)), "Only this status"),
                    .optional("query", .string(maxLength: 200, minLength: 1), "Only names containing this text"),
                    .optional("consultant_id", .string(format: .uuid), "Only companies assigned to this user (consultants and viewers: always themselves)"),
                ],
                result: .object([
                    .required("companies", .array(companySchema), "This page"),
                    .required("next_cursor", .nullable(.string), "Cursor of the next page; null on the last page"),
                ])
            ) { (params: ListParams, context) -> JSONValue in
                let limit = params.limit ?? 50
                let after = try context.openCursor(params.cursor, as: NameCursor.self)
                let filter = CompanyFilter(
                    district: params.district, talentCenterStatus: params.talentCenterStatus, nameContains: params.query, consultantID: params.consultantID)
                let records = try await context.withAgency { tx in
                    try await tx.companies.list(filter: filter, after: after, limit: limit + 1)
                }
                let page = records.prefix(limit)
                let next = records.count > limit ? try page.last.map { try context.sealCursor(NameCursor(name: $0.name, id: $0.id)) } : nil
                return ["companies": .array(page.map(value)), "next_cursor": next.map(JSONValue.string) ?? .null]
            },
            .define(
                "company.update",
                summary: "Changes a client company's fields: absent fields stay, null clears. Needs the version you read.",
                params: [
                    .id(.company, "Company id"),
                    .required("version", .integer(minimum: 1), "The version you last read; a stale one gets a conflict carrying the current version"),
                    .optional("name", .string(maxLength: 200, minLength: 1), "Registered name"),
                ] + fieldProperties,
                result: companySchema,
                errors: [.notFound, .validationFailed, .conflict],
                mutates: true
            ) { (params: UpdateParams, context) -> JSONValue in
                do {
                    let record = try await context.withAgency { tx in
                        let current = try await tx.companies.get(params.id, forUpdate: true)
                        guard current.version == params.version else { throw StorageError.versionConflict(current: current.version) }
                        let fields = try CompanyFields.validate(params.applied(over: input(from: current)))
                        if let from = TalentCenterStatus(rawValue: current.talentCenterStatus) {
                            try TalentCenterStatus.validateTransition(from: from, to: fields.talentCenterStatus)
                        }
                        return try await tx.companies.update(
                            params.id, expectedVersion: params.version, to: fields, phoneChanged: params.hrPhone.isPresent, cipher: context.services.cipher)
                    }
                    return value(record)
                } catch {
                    throw duplicateError(error)
                }
            },
        ]
    }

    /// `company.create`: a name and the fields given (absent and null both mean none).
    struct CreateParams: Decodable, Sendable {
        var name: String
        var creditCode, creditCodeOverride, orgCode, orgCodeOverride, district, hrName, hrPhone, talentCenterStatus: String?

        var input: CompanyInput {
            CompanyInput(
                name: name, creditCode: creditCode, creditCodeOverride: creditCodeOverride, orgCode: orgCode, orgCodeOverride: orgCodeOverride,
                district: district, hrName: hrName, hrPhone: hrPhone, talentCenterStatus: talentCenterStatus)
        }

        enum CodingKeys: String, CodingKey {
            case name, district
            case creditCode = "credit_code", creditCodeOverride = "credit_code_override", orgCode = "org_code", orgCodeOverride = "org_code_override"
            case hrName = "hr_name", hrPhone = "hr_phone", talentCenterStatus = "talent_center_status"
        }
    }

    /// `company.update`: the company, the version read, and each field absent (kept), null
    /// (cleared) or new.
    struct UpdateParams: Decodable, Sendable {
        var id: UUID
        var version: Int
        var name, creditCode, creditCodeOverride, orgCode, orgCodeOverride, district, hrName, hrPhone, talentCenterStatus: Patch<String>

        /// The company's fields with this change applied.
        func applied(over current: CompanyInput) -> CompanyInput {
            CompanyInput(
                name: name.applied(to: current.name), creditCode: creditCode.applied(to: current.creditCode),
                creditCodeOverride: creditCodeOverride.applied(to: current.creditCodeOverride), orgCode: orgCode.applied(to: current.orgCode),
                orgCodeOverride: orgCodeOverride.applied(to: current.orgCodeOverride), district: district.applied(to: current.district),
                hrName: hrName.applied(to: current.hrName), hrPhone: hrPhone.applied(to: current.hrPhone),
                talentCenterStatus: talentCenterStatus.applied(to: current.talentCenterStatus))
        }

        enum CodingKeys: String, CodingKey {
            case id, version, name, district
            case creditCode = "credit_code", creditCodeOverride = "credit_code_override", orgCode = "org_code", orgCodeOverride = "org_code_override"
            case hrName = "hr_name", hrPhone = "hr_phone", talentCenterStatus = "talent_center_status"
        }
    }

    struct ListParams: Decodable, Sendable {
        var consultantID: UUID?
        var limit: Int?
        var cursor: String?
        var district: String?
        var talentCenterStatus: String?
        var query: String?

        enum CodingKeys: String, CodingKey {
            case limit, cursor, district, query
            case talentCenterStatus = "talent_center_status", consultantID = "consultant_id"
        }
    }
}
