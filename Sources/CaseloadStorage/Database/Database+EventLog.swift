import Foundation
import PostgresNIO

extension Database {
    /// One watch event as a Citus trigger wrote it (schema/029's `event_log`): the payload is
    /// the NOTIFY payload a single PostgreSQL sends, ids only.
    public struct LoggedEvent: Sendable, Hashable {
        public var agency: UUID
        public var id: Int64
        public var writtenAt: Date
        public var payload: String

        public init(agency: UUID, id: Int64, writtenAt: Date, payload: String) {
            self.agency = agency
            self.id = id
            self.writtenAt = writtenAt
            self.payload = payload
        }
    }

    /// Every agency's events written after `since` (the database's clock), oldest first.
    public func loggedEvents(since: Date) async throws -> [LoggedEvent] {
        try await withConnection { connection in
            let rows = try await connection.query(
                "SELECT agency_id, event_id, written_at, payload FROM caseload_events_since(\(since))", logger: logger)
            var events: [LoggedEvent] = []
            for try await (agency, id, at, payload) in rows.decode((UUID, Int64, Date, String).self) {
                events.append(LoggedEvent(agency: agency, id: id, writtenAt: at, payload: payload))
            }
            return events
        }
    }

    /// Drops logged events older than ten minutes; how many.
    @discardableResult
    public func pruneLoggedEvents() async throws -> Int64 {
        try await withConnection { connection in
            for try await n in try await connection.query("SELECT caseload_events_prune()", logger: logger).decode(Int64.self) { return n }
            return 0
        }
    }

    /// The database's clock now: where a poller starts, so the servers' clocks do not matter.
    public func databaseNow() async throws -> Date {
        try await withConnection { connection in
            for try await now in try await connection.query("SELECT clock_timestamp()", logger: logger).decode(Date.self) { return now }
            throw StorageError.unavailable
        }
    }
}
