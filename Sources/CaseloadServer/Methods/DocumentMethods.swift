import CaseloadCore
import CaseloadProtocol
import CaseloadStorage
import Foundation
import PostgresNIO

/// Documents held: every paper's current holder, derived from its append-only custody
/// ledger, so "where is this original right now, who has it, since when" always has an answer.
enum DocumentMethods {
    static let holderSchema: Schema = .nullable(.object([
        .required("kind", .string(enum: ["client", "agency", "talent_center", "city_verification_center", "returned"]), "Who holds it"),
        .required("location_code", .nullable(.string), "The agency's storage location, when the agency holds it"),
        .required("name", .string, "The holder in Chinese and English"),
    ]))

    static let documentSchema: Schema = .object([
        .id(.document, "Document id"),
        .required("company_id", .string(format: .uuid), "Whose company"),
        .required("applicant_id", .nullable(.string(format: .uuid)), "Whose paper, for an applicant's document"),
        .required("case_id", .nullable(.string(format: .uuid)), "The case it was received for"),
        .required("document_type", .string(enum: DocumentCatalogue.all.map(\.id)), "Catalogue type"),
        .required("type_name", .string, "Type in Chinese and English"),
        .required("form", .string(enum: DocumentForm.allCases.map(\.rawValue)), "original, copy or sealed_copy"),
        .required("description", .nullable(.string), "Free text"),
        .required("holder", holderSchema, "Current holder (null before it is received)"),
        .required("holder_since", .nullable(.string(format: .dateTime)), "Since when"),
        .required("created_at", .string(format: .dateTime), "Recorded"),
        .currentVersion("the document.* moves"),
    ])

    static func holderValue(_ h: Holder?) -> JSONValue {
        guard let h else { return .null }
        var location: JSONValue = .null
        if case .agency(let code?) = h { location = .string(code) }
        return ["kind": .string(h.kind), "location_code": location, "name": .string(h.displayName)]
    }

    static func value(_ d: DocumentRecord) -> JSONValue {
        func id(_ u: UUID?) -> JSONValue { u.map { .string($0.lowercasedString) } ?? .null }
        return [
            "id": id(d.id), "company_id": id(d.companyID), "applicant_id": id(d.applicantID), "case_id": id(d.caseID),
            "document_type": .string(d.documentType),
            "type_name": .string(DocumentCatalogue.type(d.documentType)?.displayName ?? d.documentType),
            "form": .string(d.form.rawValue),
            "description": d.description.map(JSONValue.string) ?? .null,
            "holder": holderValue(d.holder),
            "holder_since": d.holderSince.map { .string($0.iso8601Timestamp) } ?? .null,
            "created_at": .string(d.createdAt.iso8601Timestamp),
            "version": .int(Int64(d.version)),
        ]
    }

    /// Applies one custody event to a locked document and appends it to the ledger.
    static func move(_ context: RequestContext, _ params: some MoveParams, _ event: CustodyEvent) async throws -> JSONValue {
        try await move(context, params) { _ in event }
    }

    /// Applies the custody event `decide` picks for the document's current holder, under its
    /// lock, if the document is still at the version the client read.
    static func move(_ context: RequestContext, _ params: some MoveParams, _ decide: @Sendable @escaping (Holder?) -> CustodyEvent) async throws -> JSONValue {
        let id = params.id
        let record = try await context.withAgency { tx in
            let current = try await tx.documents.get(id, forUpdate: true)
            guard current.version == params.version else { throw StorageError.versionConflict(current: current.version) }
            try await apply(decide(current.holder), on: current, in: tx)
            return try await tx.documents.get(id)
        }
        return value(record)
    }

    static func apply(_ event: CustodyEvent, on document: DocumentRecord, in tx: Transaction)
        async throws
    {
        try await record(event, leaving: try CustodyMachine.apply(event, to: document.holder), on: document, in: tx)
    }

    /// Appends `event` to the document's ledger with the holder it leaves, resolving a storage
    /// location's code; an original's move to or from an authority settles the dates it ends.
    static func record(_ event: CustodyEvent, leaving holder: Holder, on document: DocumentRecord, in tx: Transaction) async throws {
        var locationID: UUID?
        if case .agency(let code?) = holder {
            do {
                locationID = try await tx.locations.get(code: code).id
            } catch StorageError.notFound {
                throw ValidationError(field: "location", rule: "unknown", message: "no storage location \(code): add it with location.add",
                zh: "没有 \(code) 这个存放位置：请先用 location.add 添加")
            }
        }
        try await tx.documents.append(event, holder: holder, locationID: locationID, to: document.id, user: tx.principal.userID)
        // An original coming back from the authorities may discharge a date (originals_collect).
        if document.form == .original, let applicant = document.applicantID, holder.isOutWithAuthority != document.holder?.isOutWithAuthority {
            try await DeadlineDerivation.deriveForApplicantCases(applicant, calendar: try await tx.calendar.calendar(), today: tx.today, reason: "custody: \(event.kind)", user: tx.principal.userID, in: tx.storage)
        }
    }

    /// What every custody move names: the document and the version read.
    protocol MoveParams: Decodable, Sendable {
        var id: UUID { get }
        var version: Int { get }
    }

    /// `document.move`.
    struct StoreParams: MoveParams {
        var id: UUID
        var version: Int
        var location: String
    }

    /// `document.handover`.
    struct HandoverParams: MoveParams {
        var id: UUID
        var version: Int
        var authority: String
        var receiptNumber: String?
        enum CodingKeys: String, CodingKey {
            case id, version, authority
            case receiptNumber = "receipt_number"
        }
    }

    /// `document.forward`.
    struct ForwardParams: MoveParams {
        var id: UUID
        var version: Int
        var to: String
    }

    /// `document.collect`.
    struct CollectParams: MoveParams {
        var id: UUID
        var version: Int
        var authority: String
    }

    /// `document.return`.
    /// `document.correct`.
    struct CorrectParams: MoveParams {
        var id: UUID
        var version: Int
        var reason: String
    }

    struct ReturnParams: MoveParams {
        var id: UUID
        var version: Int
        var to: String
        var signedBy: String
        enum CodingKeys: String, CodingKey {
            case id, version, to
            case signedBy = "signed_by"
        }
    }

    struct ListParams: Decodable, Sendable {
        var consultantID: UUID?
        var companyID: UUID?
        var applicantID: UUID?
        var caseID: UUID?
        var holder: String?
        var form: String?
        var outLongerThanDays: Int?
        var finishedCases: Bool?
        var limit: Int?
        enum CodingKeys: String, CodingKey {
            case holder, form, limit
            case companyID = "company_id", applicantID = "applicant_id", caseID = "case_id", consultantID = "consultant_id"
            case outLongerThanDays = "out_longer_than_days", finishedCases = "finished_cases"
        }
    }

    static let idParam: Property = .id(.document, "Document id")
    /// Every move names the document and the version the client read.
    static let moveParams: [Property] = [idParam, .expectedVersion()]
    static let authorityEnum: Schema = .string(enum: Authority.allCases.map(\.rawValue))

    static var all: [RPCMethod] {
        [
            .define(
                "document.receive",
                summary: "Records a paper the agency received from the client (the first custody event), optionally storing it at a location straight away.",
                params: [
                    .required("document_type", .string(enum: DocumentCatalogue.all.map(\.id)), "Catalogue type"),
                    .required("form", .string(enum: DocumentForm.allCases.map(\.rawValue)), "original, copy or sealed_copy (加盖公章)"),
                    .required("from", .string(maxLength: 100, minLength: 1), "Who handed it over"),
                    .optional("company_id", .string(format: .uuid), "For a company document (else taken from the applicant or case)"),
                    .optional("applicant_id", .string(format: .uuid), "For an applicant's document"),
                    .optional("case_id", .string(format: .uuid), "The case it is for"),
                    .optional("description", .string(maxLength: 500), "Free text (e.g. 本科毕业证书 复旦大学)"),
                    .optional("location", .string(maxLength: 16), "Store it at this location code right away"),
                ],
                result: documentSchema, errors: [.validationFailed, .notFound], mutates: true
            ) { (params: ReceiveParams, context) -> JSONValue in
                let type = try DocumentCatalogue.parse(params.documentType)
                let form = try DocumentForm.parse(params.form)
                let record = try await context.withAgency { tx in
                    var companyID = params.companyID
                    var applicantID = params.applicantID
                    if let caseID = params.caseID {
                        let c = try await tx.cases.get(caseID)
                        if let given = applicantID, given != c.applicantID {
                            throw ValidationError(field: "case_id", rule: "mismatch", message: "the case belongs to another applicant", zh: "这个案件属于另一位申请人")
                        }
                        applicantID = c.applicantID
                        companyID = c.companyID
                    } else if let applicantID {
                        companyID = try await tx.applicants.get(applicantID).companyID
                    }
                    guard let companyID else {
                        throw ValidationError(field: "company_id", rule: "required", message: "give company_id, applicant_id or case_id", zh: "请给出 company_id、applicant_id 或 case_id")
                    }
                    if type.owner == .applicant, applicantID == nil {
                        throw ValidationError(field: "applicant_id", rule: "required", message: "\(type.displayName) is an applicant's document: give applicant_id or case_id",
                zh: "\(type.chineseName)是申请人的材料：请给出 applicant_id 或 case_id")
                    }
                    _ = try await tx.companies.get(companyID)
                    let document = try await tx.documents.create(
                        type: type.id, form: form, description: params.description, companyID: companyID, applicantID: type.owner == .applicant ? applicantID : nil, caseID: params.caseID)
                    try await apply(.received(from: params.from), on: document, in: tx)
                    if let location = params.location {
                        let received = try await tx.documents.get(document.id)
                        try await apply(.stored(location: location), on: received, in: tx)
                    }
                    return try await tx.documents.get(document.id)
                }
                return value(record)
            },
            .define(
                "document.move", summary: "Stores a paper the agency holds at a location, or moves it to another.",
                params: moveParams + [.required("location", .string(maxLength: 16, minLength: 1), "Location code")],
                result: documentSchema, errors: [.validationFailed, .notFound, .conflict], mutates: true
            ) { (params: StoreParams, context) -> JSONValue in
                let code = try LocationCode.parse(params.location, field: "location")
                return try await move(context, params) { holder in
                    // Decided on the locked row: a paper with a place is moved, one without is stored.
                    if case .agency(let existing?) = holder, existing != code { return .moved(location: code) }
                    return .stored(location: code)
                }
            },
            .define(
                "document.handover", summary: "Hands a paper the agency holds to an authority (with the receipt number, 收件凭证).",
                params: moveParams + [
                    .required("authority", authorityEnum, "talent_center or city_verification_center"),
                    .optional("receipt_number", .string(maxLength: 100), "The receipt's number"),
                ],
                result: documentSchema, errors: [.validationFailed, .notFound, .conflict], mutates: true
            ) { (params: HandoverParams, context) -> JSONValue in
                let authority = try Authority.parse(params.authority)
                return try await move(context, params, .handedOver(authority: authority, receiptNumber: params.receiptNumber))
            },
            .define(
                "document.forward", summary: "Records one authority passing a paper to the other (diplomas to the city center for checking, and back).",
                params: moveParams + [.required("to", authorityEnum, "The authority that now has it")],
                result: documentSchema, errors: [.validationFailed, .notFound, .conflict], mutates: true
            ) { (params: ForwardParams, context) -> JSONValue in
                try await move(context, params, .forwarded(to: try Authority.parse(params.to, field: "to")))
            },
            .define(
                "document.collect", summary: "Collects a paper back from the authority that holds it (e.g. diplomas at notice printing).",
                params: moveParams + [.required("authority", authorityEnum, "Who it is collected from")],
                result: documentSchema, errors: [.validationFailed, .notFound, .conflict], mutates: true
            ) { (params: CollectParams, context) -> JSONValue in
                try await move(context, params, .collected(authority: try Authority.parse(params.authority)))
            },
            .define(
                "document.return", summary: "Returns a paper the agency holds to the client, signed for.",
                params: moveParams + [
                    .required("to", .string(maxLength: 100, minLength: 1), "Who received it"),
                    .required("signed_by", .string(maxLength: 100, minLength: 1), "Who signed for it"),
                ],
                result: documentSchema, errors: [.validationFailed, .notFound, .conflict], mutates: true
            ) { (params: ReturnParams, context) -> JSONValue in
                try await move(context, params, .returned(to: params.to, signedBy: params.signedBy))
            },
            .define(
                "document.correct",
                summary: "Reverses a paper's latest custody move recorded by mistake, with the reason: a compensating entry (更正) puts the paper back where it was; the ledger keeps both. Not a correction itself, nor the first receipt.",
                params: moveParams + [.required("reason", .string(maxLength: 500, minLength: 1), "Why the move was a mistake")],
                result: documentSchema, errors: [.validationFailed, .notFound, .conflict], mutates: true
            ) { (params: CorrectParams, context) -> JSONValue in
                let record = try await context.withAgency { tx in
                    let current = try await tx.documents.get(params.id, forUpdate: true)
                    guard current.version == params.version else { throw StorageError.versionConflict(current: current.version) }
                    let ledger = try await tx.documents.trail(params.id).map(\.event)
                    let (event, before) = try CustodyMachine.correcting(ledger, reason: params.reason)
                    guard let before else {
                        throw ValidationError(field: "event", rule: "custody", message: "the first receipt cannot be corrected: record the paper's return instead",
                zh: "第一次收取不能更正：请改为记录退还材料")
                    }
                    try await Self.record(event, leaving: before, on: current, in: tx)
                    return try await tx.documents.get(params.id)
                }
                return value(record)
            },
            .define(
                "document.where", summary: "Where a paper is now, since when, and its full custody trail.",
                params: [idParam],
                result: .object([
                    .required("document", documentSchema, "The document and its current holder"),
                    .required("trail", .array(.any), "Every movement, oldest first: seq, at, user_name, event, holder"),
                ]),
                errors: [.notFound]
            ) { (params: IDParams, context) -> JSONValue in
                let (document, trail) = try await context.withAgency { tx in
                    (
                        try await tx.documents.get(params.id),
                        try await tx.documents.trail(params.id)
                    )
                }
                return [
                    "document": value(document),
                    "trail": .array(
                        try trail.map { e in
                            [
                                "seq": .int(Int64(e.seq)), "at": .string(e.at.iso8601Timestamp), "user_name": .string(e.userName),
                                "event": try WireJSON.value(of: e.event), "holder": holderValue(e.holder),
                            ]
                        }),
                ]
            },
            .define(
                "document.list",
                summary: "Documents by company, applicant, case, holder or form; originals out with authorities for more than N days; originals still out on closed or withdrawn cases.",
                params: [
                    .optional("company_id", .string(format: .uuid), "Only this company's"),
                    .optional("applicant_id", .string(format: .uuid), "Only this applicant's"),
                    .optional("case_id", .string(format: .uuid), "Only this case's"),
                    .optional("consultant_id", .string(format: .uuid), "Only companies assigned to this user (consultants and viewers: always themselves)"),
                    .optional("holder", .string(enum: ["client", "agency", "talent_center", "city_verification_center", "returned"]), "Only those with this holder"),
                    .optional("form", .string(enum: DocumentForm.allCases.map(\.rawValue)), "Only this form (original: the ones that matter most)"),
                    .optional("out_longer_than_days", .integer(minimum: 0, maximum: 3650), "Only those with an authority for longer than this"),
                    .optional("finished_cases", .boolean, "true: only originals still out (or not returned) on closed or withdrawn cases"),
                    .optional("limit", .integer(minimum: 1, maximum: 1000), "How many (default 200)"),
                ],
                result: .object([.required("documents", .array(documentSchema), "Oldest first")])
            ) { (params: ListParams, context) -> JSONValue in
                var filter = DocumentFilter()
                filter.companyID = params.companyID
                filter.applicantID = params.applicantID
                filter.caseID = params.caseID
                filter.consultantID = params.consultantID
                filter.holderKind = params.holder
                filter.form = params.form
                filter.outWithAuthorityBefore = params.outLongerThanDays.map { context.now.addingTimeInterval(-Double($0) * 86_400) }
                filter.stillOutOnFinishedCases = params.finishedCases ?? false
                let records = try await context.withAgency { tx in
                    try await tx.documents.list(filter: filter, limit: params.limit ?? 200)
                }
                return ["documents": .array(records.map(value))]
            },
        ]
    }

    struct ReceiveParams: Decodable, Sendable {
        var documentType: String
        var form: String
        var from: String
        var companyID: UUID?
        var applicantID: UUID?
        var caseID: UUID?
        var description: String?
        var location: String?
        enum CodingKeys: String, CodingKey {
            case form, from, description, location
            case documentType = "document_type", companyID = "company_id", applicantID = "applicant_id", caseID = "case_id"
        }
    }
}
