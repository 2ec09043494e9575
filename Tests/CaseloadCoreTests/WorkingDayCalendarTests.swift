import CaseloadCore
import Testing

@Suite struct WorkingDayCalendarTests {
    let calendar = WeekdayCalendar()

    @Test func weekendsAreNotWorkingDays() {
        #expect(calendar.isWorkingDay(date("2026-10-02")))  // Friday
        #expect(!calendar.isWorkingDay(date("2026-10-03")))  // Saturday
        #expect(!calendar.isWorkingDay(date("2026-10-04")))  // Sunday
        #expect(calendar.isWorkingDay(date("2026-10-05")))  // Monday
    }

    @Test func addingThreeWorkingDaysToAFriday() {
        let count = calendar.adding(workingDays: 3, to: date("2026-10-02"))
        #expect(count.date == date("2026-10-07"))  // Mon 5, Tue 6, Wed 7
        #expect(count.skipped == [date("2026-10-03"), date("2026-10-04")])
        // No holidays known: the answer must be flagged, never silently trusted.
        #expect(count.provisional)
        #expect(count.note != nil)
    }

    @Test func addingZeroIsTheDateItself() {
        let saturday = date("2026-10-03")
        let count = calendar.adding(workingDays: 0, to: saturday)
        #expect(count.date == saturday)
        #expect(count.skipped.isEmpty)
        #expect(!count.provisional)
    }

    @Test func addingFromASaturdaySkipsTheSunday() {
        let count = calendar.adding(workingDays: 1, to: date("2026-10-03"))
        #expect(count.date == date("2026-10-05"))
        #expect(count.skipped == [date("2026-10-04")])
    }

    @Test func countsWorkingDaysLeftOpen() {
        #expect(calendar.workingDays(from: date("2026-10-02"), to: date("2026-10-07")) == 3)
        #expect(calendar.workingDays(from: date("2026-10-02"), to: date("2026-10-02")) == 0)
        #expect(calendar.workingDays(from: date("2026-10-07"), to: date("2026-10-02")) == 0)
        #expect(calendar.workingDays(from: date("2026-10-03"), to: date("2026-10-04")) == 0)
        #expect(calendar.workingDays(from: date("2026-09-27"), to: date("2026-10-11")) == 10)
    }

    @Test func countAndAddAgree() {
        var start = date("2026-01-01")
        for _ in 0..<30 {
            for n in 0...12 {
                let end = calendar.adding(workingDays: n, to: start).date
                #expect(calendar.workingDays(from: start, to: end) == n, "\(start) + \(n)")
            }
            start = start.adding(days: 1)
        }
    }
}
