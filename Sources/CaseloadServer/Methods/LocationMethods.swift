import CaseloadCore
import CaseloadProtocol
import CaseloadStorage
import Foundation

/// The agency's own archive: a tree of storage locations with short codes for labels.
enum LocationMethods {
    static let locationSchema: Schema = .object([
        .required("id", .string(format: .uuid), "Location id"),
        .required("code", .string, "Short code, printable on a label"),
        .required("name", .string, "Name"),
        .required("kind", .string(enum: LocationKind.allCases.map(\.rawValue)), "office, cabinet, drawer or box"),
        .required("parent_code", .nullable(.string), "The location it is in"),
        .required("document_count", .integer(minimum: 0), "Documents stored directly here"),
    ])

    static func value(_ l: LocationRecord, parentCode: String?) -> JSONValue {
        [
            "id": .string(l.id.lowercasedString), "code": .string(l.code), "name": .string(l.name), "kind": .string(l.kind.rawValue),
            "parent_code": parentCode.map(JSONValue.string) ?? .null, "document_count": .int(Int64(l.documentCount)),
        ]
    }

    static func values(_ all: [LocationRecord]) -> [JSONValue] {
        let codes = Dictionary(uniqueKeysWithValues: all.map { ($0.id, $0.code) })
        return all.map { value($0, parentCode: $0.parentID.flatMap { codes[$0] }) }
    }

    struct AddParams: Decodable, Sendable {
        var code: String
        var name: String
        var kind: String
        var parent: String?
    }

    /// `location.delete`: the code alone.
    struct DeleteParams: Decodable, Sendable {
        var code: String
    }

    /// `location.show`: the code, and whose companies' documents.
    struct CodeParams: Decodable, Sendable {
        var code: String
        var consultantID: UUID?
        enum CodingKeys: String, CodingKey {
            case code
            case consultantID = "consultant_id"
        }
    }

    static var all: [RPCMethod] {
        [
            .define(
                "location.add", summary: "Adds a storage location under a parent (office › cabinet › drawer › box); codes are unique in the agency.",
                params: [
                    .required("code", .string(maxLength: 16, minLength: 1), "Short code: letters, digits, hyphens (upper-cased)"),
                    .required("name", .string(maxLength: 100, minLength: 1), "Name, e.g. 二号柜"),
                    .required("kind", .string(enum: LocationKind.allCases.map(\.rawValue)), "office, cabinet, drawer or box"),
                    .optional("parent", .string(maxLength: 16, minLength: 1), "The parent location's code (none for an office)"),
                ],
                result: locationSchema, errors: [.validationFailed, .conflict, .notFound], mutates: true, scope: .agency
            ) { (params: AddParams, context) -> JSONValue in
                let code = try LocationCode.parse(params.code)
                let kind = try LocationKind.parse(params.kind)
                let record = try await context.withAgency { tx in
                    var parentID: UUID?
                    if let parentCode = params.parent {
                        let parent = try await tx.locations.get(code: try LocationCode.parse(parentCode, field: "parent"))
                        guard parent.kind.canContain(kind) else {
                            throw ValidationError(
                                field: "kind", rule: "containment", message: "a \(parent.kind.rawValue) cannot hold a \(kind.rawValue)",
                                zh: "\(parent.kind.rawValue) 里不能放 \(kind.rawValue)")
                        }
                        parentID = parent.id
                    }
                    return try await tx.locations.add(code: code, name: params.name, kind: kind, parentID: parentID)
                }
                return value(record, parentCode: params.parent?.uppercased())
            },
            .define(
                "location.list", summary: "Every storage location of the agency, by code, with its parent and how many documents it holds.",
                result: .object([.required("locations", .array(locationSchema), "By code")]), scope: .agency
            ) { (_: NoParams, context) -> JSONValue in
                let all = try await context.withAgency { tx in
                    try await tx.locations.all()
                }
                return ["locations": .array(values(all))]
            },
            .define(
                "location.show", summary: "A location and every document in it or below it (recursively) that you may see.",
                params: [.required("code", .string(maxLength: 16, minLength: 1), "Location code"), .optional("consultant_id", .string(format: .uuid), "Only companies assigned to this user (consultants and viewers: always themselves)")],
                result: .object([
                    .required("location", locationSchema, "The location"),
                    .required("documents", .array(DocumentMethods.documentSchema), "Documents here and in every location below"),
                ]),
                errors: [.notFound]
            ) { (params: CodeParams, context) -> JSONValue in
                let (location, documents, all) = try await context.withAgency { tx in
                    let location = try await tx.locations.get(code: params.code.uppercased())
                    var filter = DocumentFilter()
                    filter.consultantID = params.consultantID
                    filter.locationIDs = try await tx.locations.subtree(location.id)
                    let documents = try await tx.documents.list(filter: filter, limit: 10_000)
                    return (location, documents, try await tx.locations.all())
                }
                let parentCode = location.parentID.flatMap { id in all.first { $0.id == id }?.code }
                return ["location": value(location, parentCode: parentCode), "documents": .array(documents.map(DocumentMethods.value))]
            },
            .define(
                "location.delete", summary: "Deletes an empty location; one holding documents or other locations is refused.",
                params: [.required("code", .string(maxLength: 16, minLength: 1), "Location code")],
                result: .boolean, errors: [.notFound, .conflict], mutates: true, scope: .agency
            ) { (params: DeleteParams, context) -> JSONValue in
                do {
                    try await context.withAgency { tx in
                        let location = try await tx.locations.get(code: params.code.uppercased())
                        try await tx.locations.delete(location.id)
                    }
                } catch StorageError.stillReferenced {
                    throw RPCError.conflict(
                        "Conflict: the location still holds documents or other locations; move them first",
                        zh: "冲突：这个位置还存放着材料或其他位置；请先移走",
                        issues: [("code", "not_empty", "holds documents or other locations", "还存放着材料或其他位置")])
                }
                return true
            },
        ]
    }
}
