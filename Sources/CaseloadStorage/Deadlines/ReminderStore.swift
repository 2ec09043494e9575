import CaseloadCore
import Foundation
import PostgresNIO

/// "Due today" reminders (schema/009): one per deadline and day, whatever the number of
/// servers, because the row's key is the claim and its insert sends the event.
public struct ReminderStore: AgencyStore {
    public let tx: AgencyTransaction
    public init(tx: AgencyTransaction) { self.tx = tx }

    /// Claims today's reminder for every open date of today (a due date, or a window opening);
    /// returns how many were new.
    @discardableResult
    public func remindDue(on today: CalendarDate) async throws -> Int {
        let rows = try await connection.query(
            """
            INSERT INTO deadline_reminders (agency_id, deadline_id, day)
            SELECT agency_id, deadline_id, \(today) FROM deadlines
            WHERE agency_id = \(agency) AND state = 'open' AND kind <> 'expectation' AND due_date = \(today)
            ON CONFLICT DO NOTHING
            RETURNING deadline_id
            """, logger: logger)
        var count = 0
        for try await _ in rows.decode(UUID.self) { count += 1 }
        return count
    }

    /// Of `deadlines`, those the jobs reminded of on `day`.
    public func reminded(_ deadlines: [UUID], on day: CalendarDate) async throws -> Set<UUID> {
        guard !deadlines.isEmpty else { return [] }
        let rows = try await connection.query(
            "SELECT deadline_id FROM deadline_reminders WHERE agency_id = \(agency) AND day = \(day) AND deadline_id = ANY(\(deadlines))",
            logger: logger)
        var ids: Set<UUID> = []
        for try await id in rows.decode(UUID.self) { ids.insert(id) }
        return ids
    }

    /// Every agency's id, for jobs that visit them all (schema/009's one cross-agency listing).
    public static func agencies(on connection: PostgresConnection, logger: Logger) async throws -> [UUID] {
        var ids: [UUID] = []
        for try await id in try await connection.query("SELECT caseload_agency_ids()", logger: logger).decode(UUID.self) { ids.append(id) }
        return ids
    }

    /// The agency's first owner: whom the server's own jobs act for where a user must be named
    /// (a renewal case opened by the reminder job has them in its history).
    public func firstOwner() async throws -> UUID? {
        let rows = try await connection.query(
            "SELECT user_id FROM users WHERE agency_id = \(agency) AND role = 'owner' ORDER BY created_at, user_id LIMIT 1", logger: logger)
        for try await id in rows.decode(UUID.self) { return id }
        return nil
    }
}
