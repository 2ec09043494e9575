import CaseloadCore
import Foundation
import PostgresNIO
import Synchronization

/// An agency's own calendar days and known years, layered over the built-in calendar.
public struct CalendarStore: AgencyStore {
    public let tx: AgencyTransaction
    public init(tx: AgencyTransaction) { self.tx = tx }

    /// The agency's own days (in date order) and the years it has imported, in one round trip.
    public func own() async throws -> (entries: [CalendarEntry], years: Set<Int>) {
        var entries: [CalendarEntry] = []
        var years: Set<Int> = []
        for row in try await connection.run(OwnStatement(bindings: .init(agency)), logger: logger) {
            let (day, kind, name, year) = try row.decode((String?, String?, String?, Int?).self)
            if let year { years.insert(year) }
            guard let day, let kind, let name, let date = CalendarDate(iso: day), let kind = DayKind(rawValue: kind) else { continue }
            entries.append(CalendarEntry(date: date, kind: kind, name: name))
        }
        return (entries, years)
    }

    /// The calendar the agency counts with: built-in days, then the agency's over them.
    ///
    /// Every case change counts with it, so the calendar built from the agency's days (an index
    /// over two years of days) is kept per agency and used again while the agency's own days
    /// and years are unchanged: they are still read each time, so an edit by any instance
    /// counts at once.
    public func calendar() async throws -> ChineseCalendar {
        let (entries, years) = try await own()
        return Self.calendars.calendar(agency: agency, own: entries, years: years)
    }

    private static let calendars = CalendarCache()

    /// The last calendar built for each agency, with what it was built from.
    private final class CalendarCache: Sendable {
        private let built = Mutex<[UUID: (own: [CalendarEntry], years: Set<Int>, calendar: ChineseCalendar)]>([:])

        func calendar(agency: UUID, own: [CalendarEntry], years: Set<Int>) -> ChineseCalendar {
            if let cached = built.withLock({ $0[agency] }), cached.own == own, cached.years == years { return cached.calendar }
            let calendar = ChineseCalendar(entries: BuiltinCalendar.entries + own, knownYears: BuiltinCalendar.knownYears.union(years))
            built.withLock { $0[agency] = (own, years, calendar) }
            return calendar
        }
    }

    /// The agency's own days (ordered) and known years, as rows of (day, kind, name, NULL) and
    /// (NULL, NULL, NULL, year).
    struct OwnStatement: PreparedQuery {
        static let sql = """
            SELECT day::text, kind, name, NULL::int FROM calendar_days WHERE agency_id = $1
            UNION ALL
            SELECT NULL, NULL, NULL, year FROM calendar_years WHERE agency_id = $1
            ORDER BY 1
            """
        static let bindingDataTypes: [PostgresDataType] = [.uuid]
        var bindings: PostgresBindings
    }

    /// Sets (or replaces) one day. (The time comes in with the row: see
    /// `SettingsStore.setAutoOpenRenewals`.)
    public func set(_ entry: CalendarEntry) async throws {
        try await connection.query(
            """
            INSERT INTO calendar_days (agency_id, day, kind, name, updated_at) VALUES (\(agency), \(entry.date), \(entry.kind.rawValue), \(entry.name), now())
            ON CONFLICT (agency_id, day) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name, updated_at = EXCLUDED.updated_at
            """, logger: logger)
    }

    /// Removes the agency's own entry for a day (the built-in one, if any, applies again).
    public func remove(_ date: CalendarDate) async throws {
        try await connection.query("DELETE FROM calendar_days WHERE agency_id = \(agency) AND day = \(date)", logger: logger)
    }

    public func markKnown(years: Set<Int>) async throws {
        for year in years.sorted() {
            try await connection.query(
                "INSERT INTO calendar_years (agency_id, year) VALUES (\(agency), \(year)) ON CONFLICT DO NOTHING", logger: logger)
        }
    }
}
