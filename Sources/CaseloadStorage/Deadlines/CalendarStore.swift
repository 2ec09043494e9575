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
        let read = try await ownWithFingerprint()
        return (read.entries, read.years)
    }

    /// `own()` and the fingerprint of what it read (`fingerprint(agencyAt:)`), from one snapshot.
    private func ownWithFingerprint() async throws -> (entries: [CalendarEntry], years: Set<Int>, fingerprint: String) {
        var entries: [CalendarEntry] = []
        var years: Set<Int> = []
        var fingerprint = ""
        for row in try await connection.run(OwnStatement(bindings: .init(agency)), logger: logger) {
            let (day, kind, name, year, print) = try row.decode((String?, String?, String?, Int?, String?).self)
            if let year { years.insert(year) }
            if let print { fingerprint = print }
            guard let day, let kind, let name, let date = CalendarDate(iso: day), let kind = DayKind(rawValue: kind) else { continue }
            entries.append(CalendarEntry(date: date, kind: kind, name: name))
        }
        return (entries, years, fingerprint)
    }

    /// The calendar the agency counts with: built-in days, then the agency's over them.
    ///
    /// Every case change counts with it, so the calendar built from the agency's days (an index
    /// over two years of days) is kept per agency and used again while the agency's own days
    /// and years are unchanged: they are still read each time, so an edit by any instance
    /// counts at once.
    public func calendar() async throws -> ChineseCalendar {
        let read = try await ownWithFingerprint()
        return Self.calendars.calendar(agency: agency, own: read.entries, years: read.years, fingerprint: read.fingerprint)
    }

    /// The calendar for an agency whose own days have `fingerprint`, read in the caller's own
    /// statement (`CaseStore.lock` reads it beside the case): no statement at all while the
    /// calendar kept for the agency has that fingerprint, so an edit by any instance still
    /// counts at once; else `calendar()`.
    public func calendar(fingerprint: String) async throws -> ChineseCalendar {
        if let kept = Self.calendars.calendar(agency: agency, fingerprint: fingerprint) { return kept }
        return try await calendar()
    }

    /// SQL for the fingerprint of an agency's own days and known years, the agency's id bound at
    /// `placeholder` ("$1"): every day's date, kind and name and every year, in order, hashed. Any
    /// edit changes it; reading it costs a scan of the agency's few dozen days, not a round trip.
    static func fingerprint(agencyAt placeholder: String) -> String {
        """
        md5(coalesce((SELECT array_agg((day, kind, name) ORDER BY day)::text FROM calendar_days WHERE agency_id = \(placeholder)), '') || '|' ||
            coalesce((SELECT array_agg(year ORDER BY year)::text FROM calendar_years WHERE agency_id = \(placeholder)), ''))
        """
    }

    private static let calendars = CalendarCache()

    /// The last calendar built for each agency, with what it was built from.
    private final class CalendarCache: Sendable {
        struct Built {
            var own: [CalendarEntry]
            var years: Set<Int>
            var fingerprint: String
            var calendar: ChineseCalendar
        }
        private let built = Mutex<[UUID: Built]>([:])

        /// The kept calendar if it was built from the days `fingerprint` names.
        func calendar(agency: UUID, fingerprint: String) -> ChineseCalendar? {
            built.withLock { $0[agency] }.flatMap { $0.fingerprint == fingerprint ? $0.calendar : nil }
        }

        /// The calendar of these days: the kept one if it was built from them, else a new one, kept.
        func calendar(agency: UUID, own: [CalendarEntry], years: Set<Int>, fingerprint: String) -> ChineseCalendar {
            if let cached = built.withLock({ $0[agency] }), cached.own == own, cached.years == years, cached.fingerprint == fingerprint {
                return cached.calendar
            }
            let calendar = ChineseCalendar(entries: BuiltinCalendar.entries + own, knownYears: BuiltinCalendar.knownYears.union(years))
            built.withLock { $0[agency] = Built(own: own, years: years, fingerprint: fingerprint, calendar: calendar) }
            return calendar
        }
    }

    /// The agency's own days (ordered), known years and their fingerprint, as rows of (day,
    /// kind, name, NULL, NULL), (NULL, NULL, NULL, year, NULL) and one (NULL, …, fingerprint).
    struct OwnStatement: PreparedQuery {
        static let sql = """
            SELECT day::text, kind, name, NULL::int, NULL::text FROM calendar_days WHERE agency_id = $1
            UNION ALL
            SELECT NULL, NULL, NULL, year, NULL FROM calendar_years WHERE agency_id = $1
            UNION ALL
            SELECT NULL, NULL, NULL, NULL, \(fingerprint(agencyAt: "$1"))
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
