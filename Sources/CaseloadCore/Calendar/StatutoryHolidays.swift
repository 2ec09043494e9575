import Foundation

/// The statutory public holidays (全国年节及纪念日放假办法, as amended in 2024, in force from
/// 2025) for any year: known before the State Council publishes the year's notice, which adds
/// the bridging days and the make-up workdays (调休) around them. A count into a year whose
/// notice is not in the calendar uses these, so Friday 2027-01-01 is not a working day, and is
/// still provisional.
///
/// | holiday | days | date |
/// |---|---|---|
/// | 元旦 New Year | 1 | 1 January |
/// | 春节 Spring Festival | 4 | 除夕 (the eve) and the first three days of the lunar year |
/// | 清明 Qingming | 1 | the day of the solar term (the sun at 15° ecliptic longitude) |
/// | 劳动节 Labour Day | 2 | 1–2 May |
/// | 端午 Dragon Boat | 1 | lunar 5/5 |
/// | 中秋 Mid-Autumn | 1 | lunar 8/15 |
/// | 国庆 National Day | 3 | 1–3 October |
///
/// Lunar dates come from the Chinese calendar of ICU (Foundation's `Calendar(.chinese)`, an
/// astronomical computation), the solar term from the Sun's apparent longitude (Meeus,
/// *Astronomical Algorithms*, ch. 25), both in Beijing time. Tested against every statutory
/// day of the 2025 and 2026 notices and against published dates of 春节 and 清明.
public enum StatutoryHolidays {
    /// The years it is computed for.
    public static let years = 1900...2100

    /// The statutory holidays of `year`, in date order (none outside `years`).
    public static func entries(year: Int) -> [CalendarEntry] {
        guard years.contains(year) else { return [] }
        var out: [CalendarEntry] = []
        func add(_ date: CalendarDate?, _ name: String) {
            if let date { out.append(CalendarEntry(date: date, kind: .holiday, name: name + "（法定）")) }
        }
        add(CalendarDate(year: year, month: 1, day: 1), "元旦 New Year's Day")
        if let newYear = lunarDate(year: year, month: 1, day: 1) {
            for offset in -1...2 { add(newYear.adding(days: offset), "春节 Spring Festival") }
        }
        add(qingming(year: year), "清明 Qingming")
        add(CalendarDate(year: year, month: 5, day: 1), "劳动节 Labour Day")
        add(CalendarDate(year: year, month: 5, day: 2), "劳动节 Labour Day")
        add(lunarDate(year: year, month: 5, day: 5), "端午 Dragon Boat Festival")
        add(lunarDate(year: year, month: 8, day: 15), "中秋 Mid-Autumn Festival")
        for day in 1...3 { add(CalendarDate(year: year, month: 10, day: day), "国庆 National Day") }
        return out.sorted { $0.date < $1.date }
    }

    /// Every statutory holiday of `years` other than `excluded`, computed once per process
    /// for the whole range and then filtered.
    public static func entries(excluding excluded: Set<Int>) -> [CalendarEntry] {
        all.filter { !excluded.contains($0.date.year) }
    }

    private static let all: [CalendarEntry] = years.flatMap(entries(year:))

    // MARK: Lunar dates

    private static let beijing = TimeZone(identifier: "Asia/Shanghai") ?? TimeZone(secondsFromGMT: 8 * 3600) ?? .gmt

    /// The Gregorian date in `year` of lunar `month`/`day` of the lunar year that begins in
    /// `year` (not a leap month).
    static func lunarDate(year: Int, month: Int, day: Int) -> CalendarDate? {
        var chinese = Calendar(identifier: .chinese)
        chinese.timeZone = beijing
        var gregorian = Calendar(identifier: .gregorian)
        gregorian.timeZone = beijing
        // The lunar year that begins in `year` is the one in force in June (its new year
        // falls between 21 January and 20 February).
        guard let june = gregorian.date(from: DateComponents(year: year, month: 6, day: 1)) else { return nil }
        var components = chinese.dateComponents([.era, .year], from: june)
        components.month = month
        components.day = day
        components.isLeapMonth = false
        guard let date = chinese.date(from: components) else { return nil }
        let parts = gregorian.dateComponents([.year, .month, .day], from: date)
        guard let y = parts.year, let m = parts.month, let d = parts.day else { return nil }
        return CalendarDate(year: y, month: m, day: d)
    }

    // MARK: The solar term 清明

    /// The day (Beijing time) on which the Sun's apparent ecliptic longitude reaches 15°.
    static func qingming(year: Int) -> CalendarDate? {
        guard let start = CalendarDate(year: year, month: 4, day: 1) else { return nil }
        // Julian day of 0h UT on 1 April, then bisect over a week: the longitude rises by
        // about 0.9856° a day, so twenty halvings find the moment to within a second.
        var low = julianDay(start) - 0.5, high = low + 8
        for _ in 0..<40 {
            let mid = (low + high) / 2
            if normalized(apparentSolarLongitude(julianDay: mid) - 15) < 180 { high = mid } else { low = mid }
        }
        // Days since 1970-01-01 0h UT (JD 2440587.5), then Beijing's UT+8.
        let beijingDays = high - 2_440_587.5 + 8.0 / 24
        return CalendarDate(daysSinceEpoch: Int(beijingDays.rounded(.down)))
    }

    /// The Julian day number at noon UT of `date`.
    static func julianDay(_ date: CalendarDate) -> Double {
        Double(date.daysSinceEpoch) + 2_440_588.0
    }

    /// The Sun's apparent longitude in degrees (Meeus 25.2–25.8, about 0.01° accurate), for a
    /// Julian ephemeris day (the ~70 s between UT and TT is far below the day's resolution).
    static func apparentSolarLongitude(julianDay jd: Double) -> Double {
        let t = (jd - 2_451_545.0) / 36_525
        let l0 = 280.46646 + 36_000.76983 * t + 0.000_303_2 * t * t
        let m = radians(357.52911 + 35_999.05029 * t - 0.000_153_7 * t * t)
        let c = (1.914_602 - 0.004_817 * t - 0.000_014 * t * t) * sin(m) + (0.019_993 - 0.000_101 * t) * sin(2 * m) + 0.000_289 * sin(3 * m)
        let omega = radians(125.04 - 1934.136 * t)
        return normalized(l0 + c - 0.005_69 - 0.004_78 * sin(omega))
    }

    private static func radians(_ degrees: Double) -> Double { degrees * .pi / 180 }

    /// `degrees` in 0..<360.
    private static func normalized(_ degrees: Double) -> Double {
        let r = degrees.truncatingRemainder(dividingBy: 360)
        return r < 0 ? r + 360 : r
    }
}
