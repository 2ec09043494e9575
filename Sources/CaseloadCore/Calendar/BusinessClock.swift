import Foundation

/// Where the business rules' "now" and "today" come from.
///
/// In production it is the system clock. Tests, and the server's debug-only `--today` hook,
/// pin it to another day, so date rules (overdue, windows opening, a permit's expiry) can be
/// tried without waiting for the calendar: the clock still runs, shifted by whole days, so
/// order and time of day stay real. Security times (token expiry, audit entries) never come
/// from here: PostgreSQL stamps them.
public struct BusinessClock: Sendable, Hashable {
    /// Whole days added to the system clock; 0 in production.
    public let offsetDays: Int

    /// The system clock.
    public static let system = BusinessClock(offsetDays: 0)

    private init(offsetDays: Int) { self.offsetDays = offsetDays }

    /// A clock whose today in Shanghai is `day` at the moment it is made.
    public init(today day: CalendarDate, now: Date = Date()) {
        self.init(offsetDays: day.daysSinceEpoch - CalendarDate(shanghai: now).daysSinceEpoch)
    }

    /// The business instant now.
    public var now: Date { Date().addingTimeInterval(Double(offsetDays) * 86_400) }

    /// The civil date in Shanghai now.
    public var today: CalendarDate { CalendarDate(shanghai: now) }
}
