import CaseloadCore
import CaseloadProtocol
import CaseloadStorage
import Foundation

/// Applicants (申请人): employees of client companies whose cases the agency files.
enum ApplicantMethods {
    /// The profile fields, as params and as result fields: one list for both.
    static let profileProperties: [Property] = [
        .optional("education_level", .nullable(.string(enum: EducationLevel.allCases.map(\.rawValue))), "Highest education: associate 大专, bachelor 本科, bachelor_degree 本科+学士, master 硕士, doctor 博士"),
        .optional("upgraded_from_associate", .nullable(.boolean), "专升本: the bachelor's degree followed an associate diploma (both diplomas are needed)"),
        .optional("skill_level", .nullable(.string(enum: SkillLevel.allCases.map(\.rawValue))), "Skill level or professional title (职业资格/职称)"),
        .optional("permit_number", .nullable(.string(maxLength: 40)), "Residence permit number (居住证号)"),
        .optional("permit_received_date", .nullable(.date(.permit)), "When the residence permit was received"),
        .optional("permit_expiry_date", .nullable(.date(.permit)), "When the residence permit expires (points expire with it)"),
        .optional("social_insurance_months", .nullable(.integer(minimum: 0, maximum: 1200)), "Full months of Shanghai social insurance"),
        .optional("insurance_months_last_12", .nullable(.integer(minimum: 0, maximum: 12)), "Of the last 12 months, those with Shanghai social insurance paid on time (back-payments excluded): eligibility needs 6"),
        .optional("contribution_base", .nullable(.string(enum: ContributionBaseMultiple.allCases.map(\.rawValue))), "Contribution base over recent years, as a multiple of the average wage"),
        .optional("shortage_major", .nullable(.boolean), "Studied a shortage major (紧缺急需专业)"),
        .optional("fresh_graduate", .nullable(.boolean), "Fresh full-time graduate (应届毕业生)"),
        .optional("spouse_hukou_years", .nullable(.integer(minimum: 0, maximum: 60)), "Years married to a spouse with Shanghai hukou"),
        .optional("remote_district_years", .nullable(.integer(minimum: 0, maximum: 60)), "Years working in a remote district (远郊)"),
        .optional("dispatched", .nullable(.boolean), "Employed through a dispatch agency (劳务派遣)"),
        .optional("co_resident_children", .nullable(.boolean), "Co-resident children (同住子女) are to be added to the permit: the personnel archive must be retrieved"),
        .optional("deductions", .nullable(.array(.string(enum: Deduction.allCases.map(\.rawValue)), maxItems: 3)), "Deductions that apply"),
    ]

    static let applicantSchema: Schema = .object(
        [
            .id(.applicant, "Applicant id"),
            .required("company_id", .string(format: .uuid), "Current employer"),
            .required("company_short_name", .string, "The employer's name as lists show it (without 上海 and the legal form)"),
            .required("name", .string, "Name"),
            .required("id_number", .string, "Resident ID number, masked (110***********002X)"),
            .required("birth_date", .string(format: .date), "From the ID number"),
            .required("gender", .string(enum: ["male", "female"]), "From the ID number"),
            .required("phone", .nullable(.string), "Mobile, masked (138****0001)"),
        ] + profileProperties.map { Property(name: $0.name, schema: $0.schema, required: true, description: $0.description) } + [
            .required("version", .integer(minimum: 1), "Version for optimistic concurrency"),
            .required("created_at", .string(format: .dateTime), "Created"),
            .required("updated_at", .string(format: .dateTime), "Last changed"),
        ])

    /// Applicants as the wire shows them, with their employers' names (one lookup for all).
    static func values(_ records: [ApplicantRecord], in tx: Transaction) async throws -> [JSONValue] {
        let names = try await tx.names.of(companies: Set(records.map(\.companyID)))
        return try records.map { try value($0, names: names) }
    }

    static func value(_ a: ApplicantRecord, in tx: Transaction) async throws -> JSONValue {
        try await values([a], in: tx).first ?? .null
    }

    static func value(_ a: ApplicantRecord, names: NameStore.Names) throws -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(a.id.lowercasedString),
            "company_id": .string(a.companyID.lowercasedString),
            "company_short_name": .string(names.companies[a.companyID].map(CompanyName.short) ?? ""),
            "name": .string(a.name),
            "id_number": .string(a.idNumberMasked),
            "birth_date": .string(a.birthDate.iso),
            "gender": .string(a.gender),
            "phone": a.phoneMasked.map(JSONValue.string) ?? .null,
            "version": .int(Int64(a.version)),
            "created_at": .string(a.createdAt.iso8601Timestamp),
            "updated_at": .string(a.updatedAt.iso8601Timestamp),
        ]
        let profile = try WireJSON.value(of: a.profile).objectValue ?? [:]
        for name in ApplicantProfile.fieldNames { object[name] = profile[name] ?? .null }
        return .object(object)
    }

    static func duplicateError(_ error: any Error) -> any Error {
        guard case StorageError.duplicate(let constraint) = error, constraint.contains("id_number") else { return error }
        return RPCError.conflict(
            "Conflict: this person is already an applicant of your agency; to record a new employer, update their company_id",
            zh: "冲突：此人已是你的机构的申请人；要登记新的雇主，请更新其 company_id",
            issues: [("id_number", "unique", "already an applicant", "已是申请人")])
    }

    /// `applicant.create`: the employer, the identity, and the profile fields given.
    struct CreateParams: Decodable, Sendable {
        var companyID: UUID
        var name: String
        var idNumber: String
        var phone: String?
        var profile: ProfilePatch

        enum CodingKeys: String, CodingKey {
            case name, phone
            case companyID = "company_id", idNumber = "id_number"
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            companyID = try c.decode(UUID.self, forKey: .companyID)
            name = try c.decode(String.self, forKey: .name)
            idNumber = try c.decode(String.self, forKey: .idNumber)
            phone = try c.decodeIfPresent(String.self, forKey: .phone)
            profile = try ProfilePatch(from: decoder)
        }
    }

    /// `applicant.update`: the applicant, the version read, and each field absent (kept),
    /// null (cleared, where the schema allows) or new.
    struct UpdateParams: Decodable, Sendable {
        var id: UUID
        var version: Int
        var companyID: UUID?
        var name: String?
        var phone: Patch<String>
        var profile: ProfilePatch

        enum CodingKeys: String, CodingKey {
            case id, version, name, phone
            case companyID = "company_id"
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = try c.decode(UUID.self, forKey: .id)
            version = try c.decode(Int.self, forKey: .version)
            companyID = try c.decodeIfPresent(UUID.self, forKey: .companyID)
            name = try c.decodeIfPresent(String.self, forKey: .name)
            phone = try c.decode(Patch<String>.self, forKey: .phone)
            profile = try ProfilePatch(from: decoder)
        }
    }

    struct ListParams: Decodable, Sendable {
        var limit: Int?
        var cursor: String?
        var companyID: UUID?
        var consultantID: UUID?
        var query: String?
        var idNumber: String?
        enum CodingKeys: String, CodingKey {
            case limit, cursor, query
            case companyID = "company_id", consultantID = "consultant_id", idNumber = "id_number"
        }
    }

    static var all: [RPCMethod] {
        [
            .define(
                "applicant.create",
                summary: "Adds an applicant under a client company. The ID number is checksum- and birth-date-validated, stored encrypted, and unique in the agency.",
                params: [
                    .required("company_id", .string(format: .uuid), "The employer (a client company)"),
                    .required("name", .string(maxLength: 100, minLength: 1), "Name as on the ID card"),
                    .required("id_number", .string(maxLength: 30, minLength: 1), "Resident ID number (居民身份证号码), 18 characters"),
                    .optional("phone", .nullable(.string(maxLength: 20)), "Mobile number: SMS notices go to the number on the form"),
                ] + profileProperties,
                result: applicantSchema,
                errors: [.validationFailed, .conflict, .notFound],
                mutates: true
            ) { (params: CreateParams, context) -> JSONValue in
                let identity = try ApplicantIdentity.validate(name: params.name, idNumber: params.idNumber, phone: params.phone, today: context.today)
                let profile = try params.profile.applied()
                let companyID = params.companyID
                do {
                    return try await context.withAgency { tx in
                        _ = try await tx.companies.get(companyID)
                        let created = try await tx.applicants.create(
                            identity, companyID: companyID, profile: profile, cipher: context.services.cipher)
                        try await DeadlineDerivation.deriveForApplicant(created, calendar: try await tx.calendar.calendar(), today: tx.today, reason: "applicant added", user: tx.principal.userID, in: tx.storage)
                        return try await value(created, in: tx)
                    }
                } catch {
                    throw duplicateError(error)
                }
            },
            .define(
                "applicant.get", summary: "One applicant by id (personal identifiers masked).",
                params: [.id(.applicant, "Applicant id")],
                result: applicantSchema, errors: [.notFound]
            ) { (params: IDParams, context) -> JSONValue in
                try await context.withAgency { tx in
                    try await value(try await tx.applicants.get(params.id), in: tx)
                }
            },
            .define(
                "applicant.reveal",
                summary: "An applicant's full ID number and phone, for filling in a government form. Every reveal is written to the audit log. Owners, managers and the company's consultants.",
                params: [.id(.applicant, "Applicant id")],
                result: .object([
                    .required("id_number", .string, "The full ID number"),
                    .required("phone", .nullable(.string), "The full mobile number"),
                ]),
                // Not read-only: every reveal writes an audit entry.
                errors: [.notFound], readOnly: false, roles: Role.writers
            ) { (params: IDParams, context) -> JSONValue in
                try await context.withAgency { tx in
                    let revealed = try await tx.applicants.reveal(params.id, cipher: context.services.cipher)
                    try await tx.audit.record(
                        action: "reveal", entity: "applicant", entityID: params.id.lowercasedString, method: "applicant.reveal", details: #"{"fields": ["id_number", "phone"]}"#, user: tx.principal.userID)
                    return ["id_number": .string(revealed.idNumber), "phone": revealed.phone.map(JSONValue.string) ?? .null] as JSONValue
                }
            },
            .define(
                "applicant.list",
                summary: "Applicants by name, a page at a time; filter by company, consultant, name, or an exact ID number (found by keyed hash, never by decrypting).",
                params: [
                    .optional("limit", .integer(minimum: 1, maximum: 500), "Page size (default 50)"),
                    .optional("cursor", .string(maxLength: 1000), "`next_cursor` of the previous page"),
                    .optional("company_id", .string(format: .uuid), "Only this company's applicants"),
                    .optional("consultant_id", .string(format: .uuid), "Only applicants of companies assigned to this user"),
                    .optional("query", .string(maxLength: 100, minLength: 1), "Only names containing this text"),
                    .optional("id_number", .string(maxLength: 30, minLength: 1), "Only the applicant with exactly this ID number"),
                ],
                result: .object([
                    .required("applicants", .array(applicantSchema), "This page"),
                    .required("next_cursor", .nullable(.string), "Cursor of the next page; null on the last page"),
                ]),
                errors: [.validationFailed]
            ) { (params: ListParams, context) -> JSONValue in
                let limit = params.limit ?? 50
                if let raw = params.idNumber {
                    let id = try ResidentIDNumber.parse(raw)
                    let found = try await context.withAgency { tx in
                        try await values(try await tx.applicants.find(idNumber: id, cipher: context.services.cipher).map { [$0] } ?? [], in: tx)
                    }
                    return ["applicants": .array(found), "next_cursor": .null]
                }
                let after = try context.openCursor(params.cursor, as: NameCursor.self)
                let filter = ApplicantFilter(companyID: params.companyID, consultantID: params.consultantID, nameContains: params.query)
                let (records, shown) = try await context.withAgency { tx in
                    let records = try await tx.applicants.list(filter: filter, after: after, limit: limit + 1)
                    return (records, try await values(Array(records.prefix(limit)), in: tx))
                }
                let page = records.prefix(limit)
                let next = records.count > limit ? try page.last.map { try context.sealCursor(NameCursor(name: $0.name, id: $0.id)) } : nil
                return ["applicants": .array(shown), "next_cursor": next.map(JSONValue.string) ?? .null]
            },
            .define(
                "applicant.update",
                summary: "Changes an applicant: absent fields stay, null clears. A new company_id records a transfer (the employment history is kept). The ID number cannot change.",
                params: [
                    .id(.applicant, "Applicant id"),
                    .required("version", .integer(minimum: 1), "The version you last read"),
                    .optional("company_id", .string(format: .uuid), "New employer (a transfer)"),
                    .optional("name", .string(maxLength: 100, minLength: 1), "Name"),
                    .optional("phone", .nullable(.string(maxLength: 20)), "Mobile number; null removes it"),
                ] + profileProperties,
                result: applicantSchema,
                errors: [.notFound, .validationFailed, .conflict],
                mutates: true
            ) { (params: UpdateParams, context) -> JSONValue in
                // nil: keep the stored number; .some(nil): remove it.
                let phone: MobileNumber?? = switch params.phone {
                case .absent: nil
                case .null: .some(nil)
                case .value(let raw): .some(try MobileNumber.parse(raw, field: "phone"))
                }
                return try await context.withAgency { tx in
                    let current = try await tx.applicants.get(params.id, forUpdate: true)
                    let companyID = params.companyID ?? current.companyID
                    if companyID != current.companyID {
                        _ = try await tx.companies.get(companyID)
                    }
                    let name = params.name.map { String($0.trimmingCharacters(in: .whitespaces)) } ?? current.name
                    let updated = try await tx.applicants.update(
                        current, name: name, phone: phone, companyID: companyID, profile: try params.profile.applied(over: current.profile),
                        expectedVersion: params.version, cipher: context.services.cipher)
                    if updated.profile.permitExpiryDate != current.profile.permitExpiryDate || updated.companyID != current.companyID {
                        try await DeadlineDerivation.deriveForApplicant(updated, calendar: try await tx.calendar.calendar(), today: tx.today, reason: "permit expiry changed", user: tx.principal.userID, in: tx.storage)
                    }
                    return try await value(updated, in: tx)
                }
            },
        ]
    }
}

struct IDParams: Decodable, Sendable {
    var id: UUID
}
