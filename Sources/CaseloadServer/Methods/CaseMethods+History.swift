import CaseloadCore
import CaseloadProtocol
import CaseloadStorage
import Foundation
import PostgresNIO

extension CaseMethods {
    /// What happened to a case, and every override in the agency.
    static var history: [RPCMethod] {
        [
            .define(
                "case.history", summary: "Everything that happened to a case, in order: who, when, from, to, data, reason, overrides.",
                params: [.id(.case, "Case id")],
                result: .object([.required("entries", .array(historySchema), "Oldest first")]), errors: [.notFound]
            ) { (params: IDParams, context) -> JSONValue in
                let entries = try await context.withAgency { tx in
                    _ = try await tx.cases.get(params.id)
                    return try await tx.cases.history(params.id)
                }
                return ["entries": .array(entries.map(historyValue))]
            },
            .define(
                "case.overrides", summary: "Every rule override in the agency, newest first.",
                params: [.optional("limit", .integer(minimum: 1, maximum: 1000), "How many (default 100)")],
                result: .object([.required("entries", .array(historySchema), "Newest first")]), roles: Role.managers
            ) { (params: LimitParams, context) -> JSONValue in
                let entries = try await context.withAgency { tx in
                    try await tx.cases.overrides(limit: params.limit ?? 100)
                }
                return ["entries": .array(entries.map(historyValue))]
            },
        ]
    }

    static let historySchema: Schema = .object([
        .required("case_id", .string(format: .uuid), "Case"),
        .required("seq", .integer(minimum: 1), "Order within the case"),
        .required("at", .string(format: .dateTime), "When"),
        .required("user_id", .string(format: .uuid), "Who"),
        .required("user_name", .string, "Who, by name"),
        .required("action", .string(enum: ["open", "advance", "record", "return", "withdraw", "hold", "resume", "note"]), "What"),
        .required("from_stage", .nullable(.string), "Stage before"),
        .required("to_stage", .nullable(.string), "Stage after"),
        .required("data", .any, "Data recorded"),
        .required("reason", .nullable(.string), "Reason or note"),
        .required("overrides", .array(.string), "Rules overridden"),
    ])

    static func historyValue(_ h: CaseHistoryEntry) -> JSONValue {
        [
            "case_id": .string(h.caseID.lowercasedString),
            "seq": .int(Int64(h.seq)),
            "at": .string(h.at.iso8601Timestamp),
            "user_id": .string(h.userID.lowercasedString),
            "user_name": .string(h.userName),
            "action": .string(h.action),
            "from_stage": h.fromStage.map(JSONValue.string) ?? .null,
            "to_stage": h.toStage.map(JSONValue.string) ?? .null,
            "data": (try? JSONDecoder().decode(JSONValue.self, from: Data(h.data.utf8))) ?? .null,
            "reason": h.reason.map(JSONValue.string) ?? .null,
            "overrides": .array(h.overrides.map(JSONValue.string)),
        ]
    }
}
