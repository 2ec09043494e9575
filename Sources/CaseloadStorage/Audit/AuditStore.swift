import Foundation
import PostgresNIO

/// The append-only audit log (schema/008). Triggers write the changes; the server adds the
/// entries no row change records (a reveal of personal data).
public struct AuditStore: AgencyStore {
    public let tx: AgencyTransaction
    public init(tx: AgencyTransaction) { self.tx = tx }

    public struct Entry: Sendable {
        public var id: Int64
        public var at: Date
        /// Where the entry is in the listing order: its time in microseconds since the Unix
        /// epoch exactly as stored (a `Date` would round it), then its id.
        public var position: Position
        public var userID: UUID?
        public var method: String
        public var entity: String
        public var entityID: String
        public var table: String
        public var action: String
        /// JSON text of the fields before and after (nil where there is no such side).
        public var before: String?
        public var after: String?
    }

    public struct Filter: Sendable {
        public var entity: String?
        public var entityID: String?
        public var userID: UUID?
        public var since: Date?
        public var until: Date?
        /// Entries after this position (the previous page's last).
        public var after: Position?
        public init() {}
    }

    /// Appends an entry the triggers cannot see (a read that must be accounted for).
    public func record(action: String, entity: String, entityID: String, method: String, details: String, user: UUID) async throws {
        try await connection.query(
            """
            INSERT INTO audit_log (agency_id, user_id, method, entity, entity_id, table_name, action, after)
            VALUES (\(agency), \(user), \(method), \(entity), \(entityID), '', \(action), \(details)::jsonb)
            """, logger: logger)
    }

    /// A place in the listing order: time, then id. Not the id alone: on Citus each node
    /// hands out its own range of ids, so the entries a worker's triggers write and those
    /// written through the coordinator (``record``) are not in time order by id.
    public struct Position: Sendable, Hashable, Codable {
        public var microseconds: Int64
        public var id: Int64
        public init(microseconds: Int64, id: Int64) {
            self.microseconds = microseconds
            self.id = id
        }
    }

    /// Entries oldest first (by time, then id), a page at a time.
    public func list(_ filter: Filter, limit: Int) async throws -> [Entry] {
        let rows = try await connection.query(
            """
            SELECT audit_id, at, (extract(epoch FROM at) * 1000000)::int8, user_id, method, entity, entity_id, table_name, action, before::text, after::text
            FROM audit_log
            WHERE agency_id = \(agency)
              AND (\(filter.entity)::text IS NULL OR entity = \(filter.entity))
              AND (\(filter.entityID)::text IS NULL OR entity_id = \(filter.entityID))
              AND (\(filter.userID)::uuid IS NULL OR user_id = \(filter.userID))
              AND (\(filter.since)::timestamptz IS NULL OR at >= \(filter.since))
              AND (\(filter.until)::timestamptz IS NULL OR at < \(filter.until))
              AND (\(filter.after?.id)::int8 IS NULL
                   OR (at, audit_id) > (timestamptz 'epoch' + \(filter.after?.microseconds)::int8 * interval '1 microsecond', \(filter.after?.id)::int8))
            ORDER BY at, audit_id
            LIMIT \(limit)
            """, logger: logger)
        var entries: [Entry] = []
        for try await r in rows.decode((Int64, Date, Int64, UUID?, String, String, String, String, String, String?, String?).self) {
            entries.append(
                Entry(
                    id: r.0, at: r.1, position: Position(microseconds: r.2, id: r.0), userID: r.3, method: r.4, entity: r.5, entityID: r.6, table: r.7,
                    action: r.8, before: r.9, after: r.10))
        }
        return entries
    }
}
