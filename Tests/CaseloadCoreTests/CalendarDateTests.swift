import CaseloadCore
import Foundation  // JSONEncoder/JSONDecoder only; CaseloadCore itself does not use Foundation.
import Testing

@Suite struct CalendarDateTests {
    @Test func acceptsRealDatesOnly() {
        #expect(CalendarDate(year: 2024, month: 2, day: 29) != nil)
        #expect(CalendarDate(year: 2000, month: 2, day: 29) != nil)  // divisible by 400
        #expect(CalendarDate(year: 2023, month: 2, day: 29) == nil)
        #expect(CalendarDate(year: 1900, month: 2, day: 29) == nil)  // divisible by 100
        #expect(CalendarDate(year: 2024, month: 4, day: 31) == nil)
        #expect(CalendarDate(year: 2024, month: 12, day: 31) != nil)
        #expect(CalendarDate(year: 2024, month: 13, day: 1) == nil)
        #expect(CalendarDate(year: 2024, month: 0, day: 1) == nil)
        #expect(CalendarDate(year: 2024, month: 1, day: 0) == nil)
        #expect(CalendarDate(year: 0, month: 1, day: 1) == nil)
        #expect(CalendarDate(year: 10000, month: 1, day: 1) == nil)
    }

    @Test func parsesStrictISO() throws {
        let date = try #require(CalendarDate(iso: "2024-03-05"))
        #expect(date.year == 2024 && date.month == 3 && date.day == 5)
        for bad in ["", "2024-3-5", " 2024-03-05", "2024-03-05 ", "2024/03/05", "20240305",
                    "2024-03-05T00:00", "+024-03-05", "2024-03-0x", "２０２４-03-05", "2023-02-29", "2024-00-10"] {
            #expect(CalendarDate(iso: bad) == nil, "\(bad)")
        }
    }

    @Test func formatsZeroPadded() throws {
        let date = try #require(CalendarDate(year: 5, month: 1, day: 2))
        #expect(date.iso == "0005-01-02")
        #expect("\(date)" == "0005-01-02")
        #expect(CalendarDate(iso: "1949-10-01")?.description == "1949-10-01")
    }

    @Test(arguments: [
        ("1970-01-01", 0), ("1969-12-31", -1), ("2000-03-01", 11017), ("2024-02-29", 19782),
        ("1949-12-31", -7306), ("0001-01-01", -719_162), ("9999-12-31", 2_932_896),
    ])
    func knownEpochDays(iso: String, days: Int) throws {
        let date = try #require(CalendarDate(iso: iso))
        #expect(date.daysSinceEpoch == days)
        #expect(CalendarDate(daysSinceEpoch: days) == date)
    }

    /// Walks 1899-12-31 ... 2101-01-01 a day at a time against a naive successor function,
    /// which covers every month end and the 1900 / 2000 century rules.
    @Test func addingOneDayMatchesNaiveSuccessor() throws {
        var date = try #require(CalendarDate(iso: "1899-12-31"))
        let end = try #require(CalendarDate(iso: "2101-01-01"))
        while date < end {
            let next = date.adding(days: 1)
            #expect(next == naiveSuccessor(of: date), "after \(date)")
            #expect(next.daysSinceEpoch == date.daysSinceEpoch + 1)
            #expect(date.days(to: next) == 1)
            date = next
        }
    }

    @Test func roundTripsAcrossTheWholeRange() {
        for days in stride(from: CalendarDate.minimum.daysSinceEpoch, through: CalendarDate.maximum.daysSinceEpoch, by: 97) {
            #expect(CalendarDate(daysSinceEpoch: days).daysSinceEpoch == days)
        }
        #expect(CalendarDate.minimum.iso == "0001-01-01")
        #expect(CalendarDate.maximum.iso == "9999-12-31")
    }

    @Test func addsAndSubtractsDays() throws {
        let date = try #require(CalendarDate(iso: "2024-02-28"))
        #expect(date.adding(days: 1).iso == "2024-02-29")
        #expect(date.adding(days: 2).iso == "2024-03-01")
        #expect(date.adding(days: 366).iso == "2025-02-28")
        #expect(date.adding(days: -59).iso == "2023-12-31")
        #expect(date.adding(days: 0) == date)
    }

    @Test func weekdays() throws {
        #expect(CalendarDate(iso: "1970-01-01")?.weekday == .thursday)
        #expect(CalendarDate(iso: "1969-12-28")?.weekday == .sunday)  // before the epoch
        #expect(CalendarDate(iso: "1949-10-01")?.weekday == .saturday)
        #expect(CalendarDate(iso: "2000-01-01")?.weekday == .saturday)
        #expect(CalendarDate(iso: "2024-01-01")?.weekday == .monday)
        #expect(CalendarDate(iso: "0001-01-01")?.weekday == .monday)
        let monday = try #require(CalendarDate(iso: "2024-01-01"))
        let week = (0..<7).map { monday.adding(days: $0).weekday }
        #expect(week == Weekday.allCases)
        #expect(week.filter(\.isWeekend) == [.saturday, .sunday])
    }

    @Test func ordersChronologically() throws {
        let dates = ["2024-01-02", "2023-12-31", "2024-01-01", "1999-12-31"].compactMap { CalendarDate(iso: $0) }
        #expect(dates.sorted().map(\.iso) == ["1999-12-31", "2023-12-31", "2024-01-01", "2024-01-02"])
        #expect(try #require(CalendarDate(iso: "2024-02-01")) > #require(CalendarDate(iso: "2024-01-31")))
    }

    @Test func codesAsISOString() throws {
        let date = try #require(CalendarDate(iso: "2024-02-29"))
        let data = try JSONEncoder().encode([date])
        #expect(String(decoding: data, as: UTF8.self) == #"["2024-02-29"]"#)
        #expect(try JSONDecoder().decode([CalendarDate].self, from: data) == [date])
    }

    @Test(arguments: [#"["2023-02-29"]"#, #"["2024-2-9"]"#, #"[""]"#])
    func rejectsInvalidStringWhenDecoding(json: String) {
        do {
            _ = try JSONDecoder().decode([CalendarDate].self, from: Data(json.utf8))
            Issue.record("decoded \(json)")
        } catch DecodingError.dataCorrupted {
            // expected
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}

private func naiveSuccessor(of date: CalendarDate) -> CalendarDate? {
    let leap = date.year % 4 == 0 && (date.year % 100 != 0 || date.year % 400 == 0)
    let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    if date.day < lengths[date.month - 1] { return CalendarDate(year: date.year, month: date.month, day: date.day + 1) }
    if date.month < 12 { return CalendarDate(year: date.year, month: date.month + 1, day: 1) }
    return CalendarDate(year: date.year + 1, month: 1, day: 1)
}
