/// The State Council's holiday schedules for 2025 and 2026, as shipped with Caseload.
///
/// Sources (copied verbatim from `calendar-cn.csv` in the domain notes):
/// - 2025: 国务院办公厅关于2025年部分节假日安排的通知, 国办发明电〔2024〕12号;
/// - 2026: the State Council General Office's notice on the 2026 holidays of 2025-11-04.
///
/// Each year's notice comes out in November, so this list will fall behind: an agency layers
/// its own entries (and newly known years) on top, see `ChineseCalendar.layering(_:knownYears:)`.
/// Dates in years outside `knownYears` are counted Monday–Friday and flagged provisional.
public enum BuiltinCalendar {
    /// The years whose notices `csv` fully covers.
    public static let knownYears: Set<Int> = [2025, 2026]

    /// The schedule, parsed once. A test parses `csv` too, so the force-try cannot fire in a
    /// build whose tests pass.
    public static let entries: [CalendarEntry] = try! CalendarCSV.parse(csv)

    /// The schedule as CSV, byte for byte the domain notes' `calendar-cn.csv` (ending in a
    /// newline: hence the blank line before the closing delimiter).
    public static let csv: String = #"""
date,kind,name
2025-01-01,holiday,元旦 New Year
2025-01-26,workday,春节调休 Spring Festival make-up workday
2025-01-28,holiday,春节 Spring Festival
2025-01-29,holiday,春节 Spring Festival
2025-01-30,holiday,春节 Spring Festival
2025-01-31,holiday,春节 Spring Festival
2025-02-01,holiday,春节 Spring Festival
2025-02-02,holiday,春节 Spring Festival
2025-02-03,holiday,春节 Spring Festival
2025-02-04,holiday,春节 Spring Festival
2025-02-08,workday,春节调休 Spring Festival make-up workday
2025-04-04,holiday,清明 Qingming
2025-04-05,holiday,清明 Qingming
2025-04-06,holiday,清明 Qingming
2025-04-27,workday,劳动节调休 Labour Day make-up workday
2025-05-01,holiday,劳动节 Labour Day
2025-05-02,holiday,劳动节 Labour Day
2025-05-03,holiday,劳动节 Labour Day
2025-05-04,holiday,劳动节 Labour Day
2025-05-05,holiday,劳动节 Labour Day
2025-05-31,holiday,端午 Dragon Boat
2025-06-01,holiday,端午 Dragon Boat
2025-06-02,holiday,端午 Dragon Boat
2025-09-28,workday,国庆调休 National Day make-up workday
2025-10-01,holiday,国庆中秋 National Day and Mid-Autumn
2025-10-02,holiday,国庆中秋 National Day and Mid-Autumn
2025-10-03,holiday,国庆中秋 National Day and Mid-Autumn
2025-10-04,holiday,国庆中秋 National Day and Mid-Autumn
2025-10-05,holiday,国庆中秋 National Day and Mid-Autumn
2025-10-06,holiday,国庆中秋 National Day and Mid-Autumn
2025-10-07,holiday,国庆中秋 National Day and Mid-Autumn
2025-10-08,holiday,国庆中秋 National Day and Mid-Autumn
2025-10-11,workday,国庆调休 National Day make-up workday
2026-01-01,holiday,元旦 New Year
2026-01-02,holiday,元旦 New Year
2026-01-03,holiday,元旦 New Year
2026-01-04,workday,元旦调休 New Year make-up workday
2026-02-14,workday,春节调休 Spring Festival make-up workday
2026-02-15,holiday,春节 Spring Festival
2026-02-16,holiday,春节 Spring Festival
2026-02-17,holiday,春节 Spring Festival
2026-02-18,holiday,春节 Spring Festival
2026-02-19,holiday,春节 Spring Festival
2026-02-20,holiday,春节 Spring Festival
2026-02-21,holiday,春节 Spring Festival
2026-02-22,holiday,春节 Spring Festival
2026-02-23,holiday,春节 Spring Festival
2026-02-28,workday,春节调休 Spring Festival make-up workday
2026-04-04,holiday,清明 Qingming
2026-04-05,holiday,清明 Qingming
2026-04-06,holiday,清明 Qingming
2026-05-01,holiday,劳动节 Labour Day
2026-05-02,holiday,劳动节 Labour Day
2026-05-03,holiday,劳动节 Labour Day
2026-05-04,holiday,劳动节 Labour Day
2026-05-05,holiday,劳动节 Labour Day
2026-05-09,workday,劳动节调休 Labour Day make-up workday
2026-06-19,holiday,端午 Dragon Boat
2026-06-20,holiday,端午 Dragon Boat
2026-06-21,holiday,端午 Dragon Boat
2026-09-20,workday,国庆调休 National Day make-up workday
2026-09-25,holiday,中秋 Mid-Autumn
2026-09-26,holiday,中秋 Mid-Autumn
2026-09-27,holiday,中秋 Mid-Autumn
2026-10-01,holiday,国庆 National Day
2026-10-02,holiday,国庆 National Day
2026-10-03,holiday,国庆 National Day
2026-10-04,holiday,国庆 National Day
2026-10-05,holiday,国庆 National Day
2026-10-06,holiday,国庆 National Day
2026-10-07,holiday,国庆 National Day
2026-10-10,workday,国庆调休 National Day make-up workday

"""#
}
