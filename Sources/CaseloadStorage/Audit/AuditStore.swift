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
        /// Entries after this id (the previous page's last).
        public var after: Int64?
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

    /// Entries oldest first, a page at a time.
    public func list(_ filter: Filter, limit: Int) async throws -> [Entry] {
        let rows = try await connection.query(
            """
            SELECT audit_id, at, user_id, method, entity, entity_id, table_name, action, before::text, after::text
            FROM audit_log
            WHERE agency_id = \(agency)
              AND (\(filter.entity)::text IS NULL OR entity = \(filter.entity))
              AND (\(filter.entityID)::text IS NULL OR entity_id = \(filter.entityID))
              AND (\(filter.userID)::uuid IS NULL OR user_id = \(filter.userID))
              AND (\(filter.since)::timestamptz IS NULL OR at >= \(filter.since))
              AND (\(filter.until)::timestamptz IS NULL OR at < \(filter.until))
              AND audit_id > \(filter.after ?? 0)
            ORDER BY audit_id
            LIMIT \(limit)
            """, logger: logger)
        var entries: [Entry] = []
        for try await r in rows.decode((Int64, Date, UUID?, String, String, String, String, String, String?, String?).self) {
            entries.append(Entry(id: r.0, at: r.1, userID: r.2, method: r.3, entity: r.4, entityID: r.5, table: r.6, action: r.7, before: r.8, after: r.9))
        }
        return entries
    }
}
