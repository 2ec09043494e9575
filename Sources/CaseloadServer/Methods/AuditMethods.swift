import CaseloadCore
import CaseloadProtocol
import CaseloadStorage
import Foundation

/// Reading the audit log: every change, who made it, through which method, before and after.
enum AuditMethods {
    /// The entity kinds the audit log files entries under (schema/008's triggers).
    static let entities = ["company", "user", "applicant", "case", "document", "deadline", "location", "calendar", "settings",
                           "points_rules", "stage_time", "import"]

    struct ListParams: Decodable, Sendable {
        var entity: String?
        var entityID: String?
        var userID: UUID?
        var since: String?
        var until: String?
        var cursor: String?
        var limit: Int?
        enum CodingKeys: String, CodingKey {
            case entity, since, until, cursor, limit
            case entityID = "entity_id", userID = "user_id"
        }
    }

    /// The last entry's place in the listing order (time, then id).
    typealias AuditCursor = AuditStore.Position

    static let entrySchema: Schema = .object([
        .required("id", .integer(), "The entry's id, unique; entries are listed by time, then id (on a sharded deployment ids are not in time order)"),
        .required("at", .string(format: .dateTime), "When"),
        .required("user_id", .nullable(.string(format: .uuid)), "Who; null for the server's own jobs and operator commands"),
        .required("method", .string, "Through which method (`system` for jobs, `admin` commands)"),
        .required("entity", .string(enum: entities), "What kind of thing"),
        .required("entity_id", .string, "Which one"),
        .required("table", .string, "The table the row is in (empty for a reveal)"),
        .required("action", .string(enum: ["insert", "update", "delete", "reveal"]), "What happened"),
        .required("before", .nullable(.object([], additionalProperties: true)), "Changed fields before (personal identifiers only masked)"),
        .required("after", .nullable(.object([], additionalProperties: true)), "Changed fields after"),
    ])

    static func value(_ e: AuditStore.Entry) throws -> JSONValue {
        func json(_ text: String?) throws -> JSONValue {
            guard let text else { return .null }
            return try WireJSON.decode(JSONValue.self, from: Data(text.utf8))
        }
        return [
            "id": .int(e.id), "at": .string(e.at.iso8601Timestamp),
            "user_id": e.userID.map { .string($0.lowercasedString) } ?? .null,
            "method": .string(e.method), "entity": .string(e.entity), "entity_id": .string(e.entityID), "table": .string(e.table),
            "action": .string(e.action), "before": try json(e.before), "after": try json(e.after),
        ]
    }

    static var all: [RPCMethod] {
        [
            .define(
                "audit.list",
                summary: "The audit log, oldest first, a page at a time: by entity, user and time range. Owner or manager only.",
                params: [
                    .optional("entity", .string(enum: entities), "Only this kind of thing"),
                    .optional("entity_id", .string(maxLength: 100, minLength: 1), "Only this one (with `entity`)"),
                    .optional("user_id", .string(format: .uuid), "Only changes by this user"),
                    .optional("since", .string(format: .dateTime), "From this time on"),
                    .optional("until", .string(format: .dateTime), "Before this time"),
                    .optional("cursor", .string(maxLength: 200), "Where the previous page ended (`next_cursor`)"),
                    .optional("limit", .integer(minimum: 1, maximum: 1000), "Page size (default 200)"),
                ],
                result: .object([
                    .required("entries", .array(entrySchema), "This page"),
                    .required("next_cursor", .nullable(.string), "Cursor of the next page; null on the last page"),
                ]),
                errors: [.validationFailed], roles: Role.managers, scope: .agency
            ) { (params: ListParams, context) -> JSONValue in
                if params.entityID != nil, params.entity == nil {
                    throw ValidationError(field: "entity_id", rule: "needs_entity", message: "give `entity` with `entity_id`", zh: "给出 entity_id 时须同时给出 entity")
                }
                var filter = AuditStore.Filter()
                filter.entity = params.entity
                filter.entityID = params.entityID?.lowercased()
                filter.userID = params.userID
                filter.since = params.since.flatMap(ISO8601DateFormatter().date(from:))
                filter.until = params.until.flatMap(ISO8601DateFormatter().date(from:))
                filter.after = try context.openCursor(params.cursor, as: AuditCursor.self)
                let limit = params.limit ?? 200
                let entries = try await context.withAgency { tx in
                    try await tx.audit.list(filter, limit: limit + 1)
                }
                let page = entries.prefix(limit)
                let next = entries.count > limit ? try page.last.map { try context.sealCursor($0.position) } : nil
                return ["entries": .array(try page.map(value)), "next_cursor": next.map(JSONValue.string) ?? .null]
            }
        ]
    }
}
