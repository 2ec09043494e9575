import Foundation

/// Calendar arithmetic on protocol dates (`YYYY-MM-DD`), proleptic Gregorian, no time zones:
/// days since 1970-01-01, weekdays, and today in Shanghai (UTC+8 all year, as the server counts).
enum CivilDay {
    /// Days since 1970-01-01 of a real date written `YYYY-MM-DD`; nil for anything else.
    static func number(_ iso: String) -> Int? {
        let parts = iso.split(separator: "-", omittingEmptySubsequences: false)
        guard iso.count == 10, parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]), (1...12).contains(m), d >= 1, d <= daysIn(month: m, year: y)
        else { return nil }
        // Howard Hinnant's days_from_civil.
        let year = m <= 2 ? y - 1 : y
        let era = (year >= 0 ? year : year - 399) / 400
        let yoe = year - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// `周六 Sat` for 2026-10-10; nil when `iso` is not a date.
    static func weekday(_ iso: String) -> String? {
        guard let n = number(iso) else { return nil }
        let index = ((n + 3) % 7 + 7) % 7  // 1970-01-01 was a Thursday; 0 = Monday
        return ["周一 Mon", "周二 Tue", "周三 Wed", "周四 Thu", "周五 Fri", "周六 Sat", "周日 Sun"][index]
    }

    /// Today's day number in Shanghai.
    static func today(_ now: Date = Date()) -> Int {
        Int(((now.timeIntervalSince1970 + 8 * 3600) / 86400).rounded(.down))
    }
}
