import CaseloadCore
import Foundation
import PostgresNIO

/// An agency's own calendar days and known years, layered over the built-in calendar.
public enum CalendarStore {
    public static func entries(agency: UUID, on connection: PostgresConnection, logger: Logger) async throws -> [CalendarEntry] {
        var entries: [CalendarEntry] = []
        for row in try await connection.run(EntriesStatement(bindings: .init(agency)), logger: logger) {
            let (day, kind, name) = try row.decode((String, String, String).self)
            guard let date = CalendarDate(iso: day), let kind = DayKind(rawValue: kind) else { continue }
            entries.append(CalendarEntry(date: date, kind: kind, name: name))
        }
        return entries
    }

    public static func knownYears(agency: UUID, on connection: PostgresConnection, logger: Logger) async throws -> Set<Int> {
        var years: Set<Int> = []
        for row in try await connection.run(KnownYearsStatement(bindings: .init(agency)), logger: logger) { years.insert(try row.decode(Int.self)) }
        return years
    }

    /// The calendar the agency counts with: built-in days, then the agency's over them.
    public static func calendar(agency: UUID, on connection: PostgresConnection, logger: Logger) async throws -> ChineseCalendar {
        let own = try await entries(agency: agency, on: connection, logger: logger)
        let years = try await knownYears(agency: agency, on: connection, logger: logger)
        return ChineseCalendar(entries: BuiltinCalendar.entries + own, knownYears: BuiltinCalendar.knownYears.union(years))
    }

    struct EntriesStatement: PreparedQuery {
        static let sql = "SELECT day::text, kind, name FROM calendar_days WHERE agency_id = $1 ORDER BY day"
        static let bindingDataTypes: [PostgresDataType] = [.uuid]
        var bindings: PostgresBindings
    }

    struct KnownYearsStatement: PreparedQuery {
        static let sql = "SELECT year FROM calendar_years WHERE agency_id = $1"
        static let bindingDataTypes: [PostgresDataType] = [.uuid]
        var bindings: PostgresBindings
    }

    /// Sets (or replaces) one day.
    public static func set(_ entry: CalendarEntry, agency: UUID, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            INSERT INTO calendar_days (agency_id, day, kind, name) VALUES (\(agency), \(entry.date.iso)::date, \(entry.kind.rawValue), \(entry.name))
            ON CONFLICT (agency_id, day) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name, updated_at = now()
            """, logger: logger)
    }

    /// Removes the agency's own entry for a day (the built-in one, if any, applies again).
    public static func remove(_ date: CalendarDate, agency: UUID, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("DELETE FROM calendar_days WHERE agency_id = \(agency) AND day = \(date.iso)::date", logger: logger)
    }

    public static func markKnown(years: Set<Int>, agency: UUID, on connection: PostgresConnection, logger: Logger) async throws {
        for year in years.sorted() {
            try await connection.query(
                "INSERT INTO calendar_years (agency_id, year) VALUES (\(agency), \(year)) ON CONFLICT DO NOTHING", logger: logger)
        }
    }
}
