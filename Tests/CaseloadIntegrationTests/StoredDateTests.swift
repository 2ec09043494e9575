import CaseloadCore
import CaseloadStorage
import PostgresNIO
import Testing

/// Calendar dates as PostgreSQL `date`s, both ways, on a real server.
@Suite("CalendarDate binds and reads as a PostgreSQL date")
struct StoredDateTests {
    @Test("a bound date comes back the same, across the epochs and the ends of what CalendarDate holds")
    func roundTrip() async throws {
        let db = try await TestServer.shared().database
        let dates = [
            CalendarDate(year: 2026, month: 2, day: 28)!, CalendarDate(year: 2000, month: 1, day: 1)!, CalendarDate(year: 1970, month: 1, day: 1)!,
            CalendarDate(year: 1999, month: 12, day: 31)!, CalendarDate.minimum, CalendarDate.maximum,
        ]
        try await db.admin { connection in
            for date in dates {
                let row = try #require(try await connection.query("SELECT \(date), \(date)::text", logger: TestDatabase.logger).collect().first)
                let (back, text) = try row.decode((CalendarDate, String).self)
                #expect(back == date)
                #expect(text == date.iso)
            }
        }
    }

    @Test("a stored date CalendarDate cannot hold (PostgreSQL's infinity, a year before 1) and a non-date column are refused, not clamped")
    func refusals() async throws {
        let db = try await TestServer.shared().database
        try await db.admin { connection in
            for sql: PostgresQuery in ["SELECT 'infinity'::date", "SELECT '-infinity'::date", "SELECT '0044-03-15 BC'::date", "SELECT 'x'::text"] {
                let row = try #require(try await connection.query(sql, logger: TestDatabase.logger).collect().first)
                #expect(throws: (any Error).self, "\(sql.sql)") { _ = try row.decode(CalendarDate.self) }
            }
        }
    }
}
