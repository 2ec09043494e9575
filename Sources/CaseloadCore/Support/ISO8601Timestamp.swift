import Foundation

extension Date {
    /// `2026-11-27T10:04:05Z`: UTC, whole seconds (rounded down), exactly what
    /// `formatted(.iso8601)` writes, without Foundation's formatter machinery, which cost
    /// several microseconds per timestamp on the list and report paths (three per case).
    /// Proleptic Gregorian: before 1582 Foundation switches to the Julian calendar and differs.
    public var iso8601Timestamp: String {
        let seconds = Int(timeIntervalSince1970.rounded(.down))
        var (days, second) = seconds.quotientAndRemainder(dividingBy: 86_400)
        if second < 0 { (days, second) = (days - 1, second + 86_400) }
        guard (CalendarDate.minimum.daysSinceEpoch...CalendarDate.maximum.daysSinceEpoch).contains(days) else { return formatted(.iso8601) }
        return CalendarDate(daysSinceEpoch: days).iso + "T" + Self.twoDigits(second / 3600) + ":" + Self.twoDigits(second / 60 % 60) + ":"
            + Self.twoDigits(second % 60) + "Z"
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0" + String(value) : String(value)
    }
}
