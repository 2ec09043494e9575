import CaseloadCore
import CaseloadProtocol
import CaseloadStorage
import Foundation

/// Work on many records in one call and one transaction: advance several cases to the same
/// stage, mark several dates done, receive a case's missing papers. Each item gets its own
/// result; an item refused by a rule is reported and left as it was while the others go
/// through; an item already as asked is reported so (calling again changes nothing). Ids the
/// caller may not touch, or that do not exist, refuse the whole call before anything changes.
enum BulkMethods {
    static let maximumItems = 200

    /// One item's outcome.
    static func itemSchema(results: [String], extra: [Property] = []) -> Schema {
        .object([
            .required("id", .string(format: .uuid), "The item"),
            .required("result", .string(enum: results), "What happened to it"),
            .required("errors", .array(.object([
                .required("field", .string, "The field"), .required("rule", .string, "The rule"), .required("message", .string, "Why"),
            ])), "Why it was refused (empty otherwise)"),
        ] + extra)
    }

    static func issues(_ error: ValidationError) -> JSONValue {
        .array(error.issues.map { ["field": .string($0.field), "rule": .string($0.rule), "message": .string($0.message)] })
    }

    static func id(_ u: UUID) -> JSONValue { .string(u.lowercasedString) }

    struct AdvanceParams: Decodable, Sendable {
        var ids: [UUID]
        var to: String
        var data: [String: JSONValue]?
    }

    struct DoneParams: Decodable, Sendable {
        var ids: [UUID]
        var reason: String?
    }

    struct ReceiveParams: Decodable, Sendable {
        var caseID: UUID
        var from: String
        var types: [String]?
        var location: String?
        enum CodingKeys: String, CodingKey {
            case from, types, location
            case caseID = "case_id"
        }
    }

    static var all: [RPCMethod] {
        [
            .define(
                "case.advance_many",
                summary: "Advances several cases to the same stage, with the same stage data, in one transaction: each is advanced, already there, or refused naming its rule (and left as it was).",
                params: [
                    Property(name: "ids", schema: .array(.string(format: .uuid), maxItems: maximumItems), required: true, description: "The cases (at most 200)", entity: .case),
                    .required("to", .string(maxLength: 50, minLength: 1), "Target stage id"),
                    .optional("data", .object([], additionalProperties: true), "The target stage's data, {field: value}, for every case"),
                ],
                result: .object([
                    .required("results", .array(itemSchema(results: ["advanced", "already_there", "refused"], extra: [
                        .required("stage", .string, "The case's stage after the call"),
                        .required("version", .integer(minimum: 1), "The case's version after the call"),
                    ])), "One per case, in the order given"),
                    .required("advanced", .integer(minimum: 0), "How many moved"),
                ]),
                errors: [.notFound, .validationFailed], mutates: true
            ) { (params: AdvanceParams, context) -> JSONValue in
                // A stage no kind has is a typo, refused once rather than on every case.
                if InputAliases.stageIDs(params.to).isEmpty { throw InputAliases.unknownStage(params.to, of: nil, field: "to") }
                let change = try CaseMethods.advancing(to: params.to, data: CaseMethods.rawData(params.data), override: nil)
                return try await context.withAgency { tx in
                    var results: [JSONValue] = []
                    var advanced = 0
                    for caseID in params.ids {
                        let current = try await tx.cases.get(caseID, forUpdate: true)
                        if current.state.stage == CaseKinds.kind(current.state.kind).flatMap({ InputAliases.stage(params.to, of: $0)?.id }) {
                            results.append(["id": id(caseID), "result": "already_there", "errors": [], "stage": .string(current.state.stage), "version": .int(Int64(current.version))])
                            continue
                        }
                        do {
                            let (saved, _) = try await CaseMethods.mutate(caseID, version: nil, action: "advance", in: tx, change)
                            advanced += 1
                            results.append(["id": id(caseID), "result": "advanced", "errors": [], "stage": .string(saved.state.stage), "version": .int(Int64(saved.version))])
                        } catch let refused as ValidationError {
                            results.append([
                                "id": id(caseID), "result": "refused", "errors": issues(refused), "stage": .string(current.state.stage),
                                "version": .int(Int64(current.version)),
                            ])
                        }
                    }
                    return ["results": .array(results), "advanced": .int(Int64(advanced))] as JSONValue
                }
            },
            .define(
                "deadline.done_many",
                summary: "Marks several dates done in one transaction: each is done, already done, or refused (a date its state cannot leave for done, e.g. cancelled).",
                params: [
                    Property(name: "ids", schema: .array(.string(format: .uuid), maxItems: maximumItems), required: true, description: "The dates (at most 200)", entity: .deadline),
                    .optional("reason", .string(maxLength: 1000), "A note, kept with each date"),
                ],
                result: .object([
                    .required("results", .array(itemSchema(results: ["done", "already_done", "refused"], extra: [
                        .required("version", .integer(minimum: 1), "The date's version after the call"),
                    ])), "One per date, in the order given"),
                    .required("done", .integer(minimum: 0), "How many were marked done"),
                ]),
                errors: [.notFound], mutates: true
            ) { (params: DoneParams, context) -> JSONValue in
                try await context.withAgency { tx in
                    var results: [JSONValue] = []
                    var done = 0
                    for deadlineID in params.ids {
                        let current = try await tx.deadlines.get(deadlineID, forUpdate: true)
                        if current.state == .done {
                            results.append(["id": id(deadlineID), "result": "already_done", "errors": [], "version": .int(Int64(current.version))])
                            continue
                        }
                        do throws(ValidationError) {
                            try DeadlineState.validateTransition(from: current.state, to: .done)
                        } catch {
                            results.append(["id": id(deadlineID), "result": "refused", "errors": issues(error), "version": .int(Int64(current.version))])
                            continue
                        }
                        try await tx.deadlines.setState(deadlineID, to: .done, from: current.state, reason: params.reason, user: tx.principal.userID)
                        done += 1
                        results.append(["id": id(deadlineID), "result": "done", "errors": [], "version": .int(Int64(current.version + 1))])
                    }
                    return ["results": .array(results), "done": .int(Int64(done))] as JSONValue
                }
            },
            .define(
                "document.receive_missing",
                summary: "Receives, in one transaction, the papers a case's checklist is missing (or those of `types`), each in the form the checklist requires: what is already held is reported and not received twice.",
                params: [
                    .required("case_id", .string(format: .uuid), "The case"),
                    .required("from", .string(maxLength: 100, minLength: 1), "Who handed them over"),
                    .optional("types", .array(.string(enum: DocumentCatalogue.all.map(\.id)), maxItems: 50), "Only these of the checklist's papers (default: every missing one)"),
                    .optional("location", .string(maxLength: 16), "Store them at this location code right away"),
                ],
                result: .object([
                    .required("results", .array(.object([
                        .required("document_type", .string, "The paper"),
                        .required("form", .string(enum: DocumentForm.allCases.map(\.rawValue)), "The form the checklist requires"),
                        .required("result", .string(enum: ["received", "already_held"]), "Received now, or held (or handed in) already"),
                        .required("document_id", .nullable(.string(format: .uuid)), "The paper received now"),
                    ])), "One per paper of the checklist asked for, in its order"),
                    .required("received", .integer(minimum: 0), "How many were received"),
                    .required("missing", .integer(minimum: 0), "What the checklist still misses after the call"),
                ]),
                errors: [.notFound, .validationFailed], mutates: true
            ) { (params: ReceiveParams, context) -> JSONValue in
                try await context.withAgency { tx in
                    let c = try await tx.cases.get(params.caseID)
                    let applicant = try await tx.applicants.get(c.applicantID)
                    let checklist = try await CaseMethods.checklist(for: c, applicant: applicant, in: tx)
                    let wanted = params.types.map(Set.init)
                    if let wanted {
                        let unknown = wanted.subtracting(checklist.items.map(\.documentType)).sorted()
                        guard unknown.isEmpty else {
                            throw ValidationError(field: "types", rule: "not_required", message: "the case's checklist does not ask for \(unknown.joined(separator: ", "))",
                                zh: "这个案件的材料清单不要求 \(unknown.joined(separator: "、"))")
                        }
                    }
                    var results: [JSONValue] = []
                    var received = 0
                    for item in checklist.items where wanted?.contains(item.documentType) ?? true {
                        var result: [String: JSONValue] = ["document_type": .string(item.documentType), "form": .string(item.form.rawValue)]
                        guard !item.supplied, let type = DocumentCatalogue.type(item.documentType) else {
                            results.append(.object(result.merging(["result": "already_held", "document_id": .null]) { a, _ in a }))
                            continue
                        }
                        let document = try await tx.documents.create(
                            type: type.id, form: item.form, description: nil, companyID: c.companyID,
                            applicantID: type.owner == .applicant ? c.applicantID : nil, caseID: c.id)
                        try await DocumentMethods.apply(.received(from: params.from), on: document, in: tx)
                        if let location = params.location {
                            try await DocumentMethods.apply(.stored(location: location), on: try await tx.documents.get(document.id), in: tx)
                        }
                        received += 1
                        result["result"] = "received"
                        result["document_id"] = id(document.id)
                        results.append(.object(result))
                    }
                    let after = try await CaseMethods.checklist(for: c, applicant: applicant, in: tx)
                    return ["results": .array(results), "received": .int(Int64(received)), "missing": .int(Int64(after.missing.count))] as JSONValue
                }
            },
        ]
    }
}
