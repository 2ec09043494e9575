/// A day in the proleptic Gregorian calendar, with no time of day and no time zone.
///
/// Deadlines in the points process ("3 working days after the permit is received", "not
/// before the date the system showed") are counted in whole civil days in Shanghai, so a
/// plain year-month-day value is the honest type: it cannot drift across midnight the way a
/// `Date` interpreted in the wrong zone can.
///
/// Years are limited to 1...9999 so that every value has exactly one `YYYY-MM-DD` spelling.
public struct CalendarDate: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// The smallest representable date, 0001-01-01.
    public static let minimum = CalendarDate(checkedYear: 1, month: 1, day: 1)
    /// The largest representable date, 9999-12-31.
    public static let maximum = CalendarDate(checkedYear: 9999, month: 12, day: 31)
    static let minimumDay = minimum.daysSinceEpoch
    static let maximumDay = maximum.daysSinceEpoch

    /// Every date a client may send: 1900-01-01 … 2100-12-31 (`acceptedRange`). Wide enough
    /// for any birth date or permit on file, and it keeps every count of days, working-day
    /// walk and deadline far from the representable ends. Fields may narrow it further.
    public static let acceptedRange = CalendarDate(checkedYear: 1900, month: 1, day: 1)...CalendarDate(checkedYear: 2100, month: 12, day: 31)

    /// The rule a client's date breaks, in words, for error messages.
    public static let acceptedDescription = "a real date (\(inputForms)) between 1900-01-01 and 2100-12-31"
    /// `acceptedDescription` in Chinese, to follow "须为".
    public static let acceptedDescriptionZh = "1900-01-01 至 2100-12-31 之间的真实日期（2026-09-30、2026/9/30 或 2026年9月30日）"

    /// A date a client sent, in any of the forms people write (`init(input:)`): nil unless it
    /// is a real date in `acceptedRange`.
    /// Every path that takes a date from outside (params, stage data, imports, calendars)
    /// reads it here, so no stored date is outside the range.
    public init?(accepting text: String) {
        guard let date = CalendarDate(input: text), Self.acceptedRange.contains(date) else { return nil }
        self = date
    }

    /// Creates a date, or returns nil if it does not exist (e.g. 2023-02-29, 2024-04-31)
    /// or its year is outside 1...9999.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              (1...CalendarDate.daysInMonth(year: year, month: month)).contains(day)
        else { return nil }
        self.init(checkedYear: year, month: month, day: day)
    }

    /// Parses exactly `YYYY-MM-DD` (ASCII digits, zero-padded, hyphens), nothing more:
    /// no surrounding spaces, no time part, no other separators.
    public init?(iso: String) {
        let bytes = Array(iso.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let year = Self.decimal(bytes[0..<4]),
              let month = Self.decimal(bytes[5..<7]),
              let day = Self.decimal(bytes[8..<10])
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// Days since 1970-01-01, from `daysSinceEpoch`, clamped to `minimum...maximum`.
    ///
    /// Total rather than trapping: a trap here is an outage for every agency, and the values
    /// reaching it can come from stored data. Dates a client sends are refused outside
    /// `acceptedRange` long before any arithmetic could get near either end.
    public init(daysSinceEpoch unclamped: Int) {
        let daysSinceEpoch = min(max(unclamped, Self.minimumDay), Self.maximumDay)
        // civil_from_days (Howard Hinnant, "chrono-Compatible Low-Level Date Algorithms"):
        // shifts to eras of 400 years starting 0000-03-01 so leap days fall at the era's end.
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097                                   // [0, 146096]
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365  // [0, 399]
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)             // [0, 365]
        let mp = (5 * doy + 2) / 153                                  // [0, 11], March = 0
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        self.init(checkedYear: year, month: month, day: day)
    }

    private init(checkedYear year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Days since 1970-01-01 (which is 0); negative before it.
    public var daysSinceEpoch: Int {
        // days_from_civil, the inverse of `init(daysSinceEpoch:)`.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date `days` later (earlier if negative), clamped to `minimum...maximum`.
    public func adding(days: Int) -> CalendarDate {
        let (sum, overflow) = daysSinceEpoch.addingReportingOverflow(days)
        return CalendarDate(daysSinceEpoch: overflow ? (days < 0 ? Int.min : Int.max) : sum)
    }

    /// Whole days from `self` to `other` (positive if `other` is later).
    public func days(to other: CalendarDate) -> Int {
        other.daysSinceEpoch - daysSinceEpoch
    }

    /// The day of the week.
    public var weekday: Weekday {
        // 1970-01-01 was a Thursday; with Monday = 0 that is offset 3.
        let index = ((daysSinceEpoch + 3) % 7 + 7) % 7
        return Weekday(rawValue: index + 1)!
    }

    /// `YYYY-MM-DD`.
    public var iso: String {
        // Ten ASCII bytes written in place: explanations format many dates, and this is
        // several times faster than concatenating padded pieces.
        String(unsafeUninitializedCapacity: 10) { buffer in
            let zero = UInt8(ascii: "0")
            buffer[0] = zero + UInt8(year / 1000)
            buffer[1] = zero + UInt8(year / 100 % 10)
            buffer[2] = zero + UInt8(year / 10 % 10)
            buffer[3] = zero + UInt8(year % 10)
            buffer[4] = UInt8(ascii: "-")
            buffer[5] = zero + UInt8(month / 10)
            buffer[6] = zero + UInt8(month % 10)
            buffer[7] = UInt8(ascii: "-")
            buffer[8] = zero + UInt8(day / 10)
            buffer[9] = zero + UInt8(day % 10)
            return 10
        }
    }

    public var description: String { iso }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// Whether `year` has a 29 February in the Gregorian calendar.
    public static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    /// 28...31 for a month 1...12 of `year`.
    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // MARK: Codable as the ISO string, because that is how dates travel in JSON-RPC and SQL.

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = CalendarDate(iso: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "Expected a real date as YYYY-MM-DD, got \"\(text)\"")
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(iso)
    }

    // MARK: Helpers

    private static func decimal(_ bytes: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }
}

/// A day of the week, numbered as in ISO 8601 (Monday = 1 ... Sunday = 7).
public enum Weekday: Int, CaseIterable, Hashable, Sendable, Codable {
    case monday = 1, tuesday, wednesday, thursday, friday, saturday, sunday

    /// Saturday or Sunday. Not the same as "not a working day": China moves working days
    /// around public holidays (调休), so working-day arithmetic needs a holiday calendar too.
    public var isWeekend: Bool { self == .saturday || self == .sunday }

    /// How a date's weekday is written after it: `周六 Sat`.
    public var label: String {
        ["周一 Mon", "周二 Tue", "周三 Wed", "周四 Thu", "周五 Fri", "周六 Sat", "周日 Sun"][rawValue - 1]
    }
}
