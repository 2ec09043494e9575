import CaseloadCore
import CaseloadProtocol
import CaseloadStorage
import Foundation

/// Personnel archives (人事档案): where each applicant's archive is and how far its retrieval
/// has come. The "accepted" stage of a first application needs it verified.
enum ArchiveMethods {
    static let archiveSchema: Schema = .object([
        .required("applicant_id", .string(format: .uuid), "Whose archive"),
        .required("holder_type", .string(enum: ArchiveHolderType.allCases.map(\.rawValue)), "Kind of institution holding it"),
        .required("holder_name", .nullable(.string), "The institution's name"),
        .required("district", .nullable(.string), "Its district"),
        .required("status", .string(enum: ArchiveStatus.allCases.map(\.rawValue)), "unknown → located → retrieval_requested → at_talent_center → verified"),
        .required("status_name", .string, "Status in Chinese and English"),
        .required("history", .array(.any), "Every change: seq, at, user_name, from_status, to_status, holder_type, holder_name, district, note"),
        .currentVersion("archive.set (0 until it is first set)"),
    ])

    struct SetParams: Decodable, Sendable {
        var applicantID: UUID
        var version: Int
        var holderType: String?
        var holderName: String?
        var district: String?
        var status: String?
        var note: String?
        enum CodingKeys: String, CodingKey {
            case district, status, note, version
            case applicantID = "applicant_id", holderType = "holder_type", holderName = "holder_name"
        }
    }

    struct ShowParams: Decodable, Sendable {
        var applicantID: UUID
        enum CodingKeys: String, CodingKey { case applicantID = "applicant_id" }
    }

    static func show(_ applicant: UUID, context: RequestContext) async throws -> JSONValue {
        let (current, history) = try await context.withAgency { tx in
            _ = try await tx.applicants.get(applicant)
            return (
                try await tx.archives.get(applicant: applicant),
                try await tx.archives.history(applicant: applicant)
            )
        }
        func opt(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
        return [
            "applicant_id": .string(applicant.lowercasedString),
            "holder_type": .string(current.archive.holderType.rawValue),
            "holder_name": opt(current.archive.holderName),
            "district": opt(current.district),
            "status": .string(current.archive.status.rawValue),
            "status_name": .string("\(current.archive.status.chineseName) (\(current.archive.status.englishName))"),
            "version": .int(Int64(current.version)),
            "history": .array(
                history.map { e in
                    [
                        "seq": .int(Int64(e.seq)), "at": .string(e.at.iso8601Timestamp), "user_name": .string(e.userName),
                        "from_status": opt(e.fromStatus), "to_status": .string(e.toStatus), "holder_type": .string(e.holderType),
                        "holder_name": opt(e.holderName), "district": opt(e.district), "note": opt(e.note),
                    ]
                }),
        ]
    }

    static var all: [RPCMethod] {
        [
            .define(
                "archive.set",
                summary: "Records where an applicant's personnel archive is and moves its retrieval status forward; every change is kept with date and who.",
                params: [
                    .required("applicant_id", .string(format: .uuid), "Whose archive"),
                    .expectedVersion(minimum: 0, " (0 for an archive never set)"),
                    .optional("holder_type", .string(enum: ArchiveHolderType.allCases.map(\.rawValue)), "Kind of institution holding it"),
                    .optional("holder_name", .nullable(.string(maxLength: 200)), "The institution, e.g. 徐汇区人才服务中心"),
                    .optional("district", .nullable(.string(maxLength: 50)), "Its district or province"),
                    .optional("status", .string(enum: ArchiveStatus.allCases.map(\.rawValue)), "The new status (forward only)"),
                    .optional("note", .string(maxLength: 1000), "Why, or what was done"),
                ],
                result: archiveSchema, errors: [.validationFailed, .notFound, .conflict], mutates: true
            ) { (params: SetParams, context) -> JSONValue in
                try await context.withAgency { tx in
                    // Lock the applicant: the archive row may not exist yet, so there is nothing else to lock.
                    _ = try await tx.applicants.get(params.applicantID, forUpdate: true)
                    let current = try await tx.archives.get(applicant: params.applicantID, forUpdate: true)
                    guard current.version == params.version else { throw StorageError.versionConflict(current: current.version) }
                    var next = current.archive
                    if let type = params.holderType { next.holderType = try ArchiveHolderType.parse(type) }
                    if let name = params.holderName { next.holderName = name }
                    if let status = params.status { next = try next.moving(to: try ArchiveStatus.parse(status)) }
                    try next.validate()
                    try await tx.archives.set(
                        next, district: params.district ?? current.district, from: current.updatedAt == nil ? nil : current.archive.status, note: params.note, applicant: params.applicantID, user: tx.principal.userID)
                }
                return try await show(params.applicantID, context: context)
            },
            .define(
                "archive.show", summary: "An applicant's personnel archive: holder, status, and every change.",
                params: [.required("applicant_id", .string(format: .uuid), "Whose archive")],
                result: archiveSchema, errors: [.notFound]
            ) { (params: ShowParams, context) -> JSONValue in
                try await show(params.applicantID, context: context)
            },
        ]
    }
}
