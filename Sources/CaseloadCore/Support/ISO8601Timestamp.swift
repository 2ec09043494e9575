import Foundation

extension Date {
    /// `2026-11-27T10:04:05Z`: UTC, whole seconds (rounded down), exactly what
    /// `formatted(.iso8601)` writes, without Foundation's formatter machinery, which cost
    /// several microseconds per timestamp on the list and report paths (three per case).
    /// Proleptic Gregorian: before 1582 Foundation switches to the Julian calendar and differs.
    public var iso8601Timestamp: String {
        let seconds = Int64(timeIntervalSince1970.rounded(.down))
        let (days, secondOfDay) = seconds.quotientAndRemainder(dividingBy: 86_400)
        let (day, second) = secondOfDay < 0 ? (days - 1, secondOfDay + 86_400) : (days, secondOfDay)
        let (year, month, dayOfMonth) = Self.civil(fromDays: day)
        var out = [UInt8]()
        out.reserveCapacity(20)
        func put(_ value: Int64, digits: Int) {
            var divisor: Int64 = 1
            for _ in 1..<digits { divisor *= 10 }
            var v = value
            while divisor > 0 {
                out.append(UInt8(ascii: "0") + UInt8(v / divisor))
                v %= divisor
                divisor /= 10
            }
        }
        put(year, digits: 4)
        out.append(UInt8(ascii: "-"))
        put(month, digits: 2)
        out.append(UInt8(ascii: "-"))
        put(dayOfMonth, digits: 2)
        out.append(UInt8(ascii: "T"))
        put(second / 3600, digits: 2)
        out.append(UInt8(ascii: ":"))
        put(second / 60 % 60, digits: 2)
        out.append(UInt8(ascii: ":"))
        put(second % 60, digits: 2)
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }

    /// Year, month and day of the proleptic Gregorian calendar for days since 1970-01-01
    /// (Howard Hinnant's `civil_from_days`).
    static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
