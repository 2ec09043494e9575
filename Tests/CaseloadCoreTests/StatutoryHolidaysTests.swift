import CaseloadCore
import Testing

/// The statutory holidays computed for any year, checked against the State Council notices
/// on file and against published dates.
@Suite("Statutory holidays for years without a notice")
struct StatutoryHolidaysTests {
    func day(_ iso: String) -> CalendarDate { CalendarDate(iso: iso)! }

    @Test("every statutory day of 2025 and 2026 is a holiday of that year's notice")
    func withinTheNotices() {
        let notices = Dictionary(BuiltinCalendar.entries.map { ($0.date, $0.kind) }, uniquingKeysWith: { $1 })
        for year in [2025, 2026] {
            let days = StatutoryHolidays.entries(year: year)
            #expect(days.count == 13, "\(year): \(days.map(\.date))")
            for entry in days {
                #expect(notices[entry.date] == .holiday, "\(entry.date) (\(entry.name)) is not a holiday in the \(year) notice")
            }
        }
    }

    @Test("春节 (the eve and three days), 端午 and 中秋 fall on their published dates")
    func lunarDates() {
        let newYears = [
            "1900-01-31", "2000-02-05", "2020-01-25", "2021-02-12", "2022-02-01", "2023-01-22", "2024-02-10", "2025-01-29", "2026-02-17", "2027-02-06",
        ]
        for iso in newYears {
            let newYear = day(iso)
            let spring = StatutoryHolidays.entries(year: newYear.year).filter { $0.name.hasPrefix("春节") }.map(\.date)
            #expect(spring == (-1...2).map { newYear.adding(days: $0) }, "\(iso): \(spring)")
        }
        for (iso, prefix) in [
            ("2023-06-22", "端午"), ("2024-06-10", "端午"), ("2025-05-31", "端午"), ("2026-06-19", "端午"),
            ("2023-09-29", "中秋"), ("2024-09-17", "中秋"), ("2025-10-06", "中秋"), ("2026-09-25", "中秋"),
        ] {
            let found = StatutoryHolidays.entries(year: day(iso).year).filter { $0.name.hasPrefix(prefix) }.map(\.date)
            #expect(found == [day(iso)], "\(prefix) \(iso): \(found)")
        }
    }

    @Test("清明 is the day the Sun reaches 15° (Beijing time), as published for 2012–2026")
    func qingming() {
        for iso in [
            "2012-04-04", "2013-04-04", "2014-04-05", "2015-04-05", "2016-04-04", "2017-04-04", "2018-04-05", "2019-04-05", "2020-04-04",
            "2021-04-04", "2022-04-05", "2023-04-05", "2024-04-04", "2025-04-04", "2026-04-05",
        ] {
            let found = StatutoryHolidays.entries(year: day(iso).year).filter { $0.name.hasPrefix("清明") }.map(\.date)
            #expect(found == [day(iso)], "清明 \(iso): \(found)")
        }
    }

    @Test("every year of 1900–2100 has its 13 statutory days (12 when 中秋 falls on 1 October), none elsewhere")
    func everyYear() {
        for year in StatutoryHolidays.years {
            let dates = Set(StatutoryHolidays.entries(year: year).map(\.date))
            #expect((12...13).contains(dates.count), "\(year): \(dates.count)")
            // 除夕 may fall in the year before (never: it is in January or February of the year).
            #expect(dates.allSatisfy { $0.year == year }, "\(year)")
        }
        #expect(StatutoryHolidays.entries(year: 1899).isEmpty && StatutoryHolidays.entries(year: 2101).isEmpty)
    }

    @Test("a calendar without 2027's notice counts its statutory days, provisionally; with the notice they are the notice's")
    func inTheCalendar() {
        let calendar = ChineseCalendar.builtin
        #expect(!calendar.isWorkingDay(day("2027-01-01")), "Friday 1 January 2027 is 元旦")
        #expect(calendar.isWorkingDay(day("2027-01-04")))
        #expect(calendar.countsIntoUnknownYear(from: day("2026-12-30"), to: day("2027-01-04")))
        #expect(!calendar.countsIntoUnknownYear(from: day("2026-11-30"), to: day("2026-12-31")))
        // An agency that enters 2027 with a make-up workday on Saturday 2 January gets the notice's days.
        let known = calendar.layering([CalendarEntry(date: day("2027-01-02"), kind: .workday, name: "元旦调休")], knownYears: [2027])
        #expect(known.isWorkingDay(day("2027-01-02")))
        #expect(known.isWorkingDay(day("2027-01-01")), "2027 is known now: only its notice's entries count")
    }
}
