import CaseloadCore
import Testing

@Suite struct ChineseCalendarTests {
    let calendar = ChineseCalendar.builtin

    // MARK: Working days

    @Test func weekdaysHolidaysAndMakeUpDays() {
        #expect(calendar.isWorkingDay(date("2026-09-30")))  // Wednesday
        #expect(!calendar.isWorkingDay(date("2026-10-01")))  // Thursday, National Day
        #expect(!calendar.isWorkingDay(date("2026-10-03")))  // Saturday in the holiday
        #expect(calendar.isWorkingDay(date("2026-10-10")))  // Saturday, make-up workday
        #expect(!calendar.isWorkingDay(date("2026-10-11")))  // Sunday
        #expect(calendar.isWorkingDay(date("2025-09-28")))  // Sunday, make-up workday
        #expect(calendar.entry(on: date("2026-10-10"))?.kind == .workday)
        #expect(calendar.entry(on: date("2026-10-09")) == nil)
    }

    @Test func theBriefsExampleNationalDay2026() {
        let count = calendar.adding(workingDays: 3, to: date("2026-09-30"))
        #expect(count.date == date("2026-10-10"))  // Thu 8, Fri 9, make-up Sat 10
        #expect(count.skipped == (1...7).map { date("2026-10-0\($0)") })
        #expect(!count.provisional)
        #expect(count.note == "3 working days after 2026-09-30 is Saturday 2026-10-10; "
            + "skipped 2026-10-01..2026-10-07 (国庆 National Day); "
            + "counted Saturday 2026-10-10 (国庆调休 National Day make-up workday)")
        #expect(calendar.workingDays(from: date("2026-09-30"), to: date("2026-10-10")) == 3)
    }

    @Test func nationalDay2025WithTheMakeUpSundayBefore() {
        // The make-up Sunday 2025-09-28 lies before the start and does not count.
        let count = calendar.adding(workingDays: 3, to: date("2025-09-30"))
        #expect(count.date == date("2025-10-11"))  // Thu 9, Fri 10, make-up Sat 11
        #expect(count.skipped.count == 8)
        #expect(count.skipped.first == date("2025-10-01"))
        #expect(count.skipped.last == date("2025-10-08"))
        #expect(count.note?.contains("skipped 2025-10-01..2025-10-08 (国庆中秋 National Day and Mid-Autumn)") == true)
        #expect(count.note?.contains("counted Saturday 2025-10-11") == true)
        #expect(count.note?.contains("2025-09-28") == false)
        // From the Friday before, the make-up Sunday is the next working day.
        let before = calendar.adding(workingDays: 1, to: date("2025-09-26"))
        #expect(before.date == date("2025-09-28"))
        #expect(before.skipped == [date("2025-09-27")])
        #expect(before.note == "1 working day after 2025-09-26 is Sunday 2025-09-28; skipped 2025-09-27 (weekend); "
            + "counted Sunday 2025-09-28 (国庆调休 National Day make-up workday)")
    }

    @Test func springFestival2026() {
        #expect(calendar.adding(workingDays: 1, to: date("2026-02-13")).date == date("2026-02-14"))  // make-up Saturday
        let count = calendar.adding(workingDays: 3, to: date("2026-02-12"))
        #expect(count.date == date("2026-02-24"))  // Fri 13, make-up Sat 14, Tue 24
        #expect(count.skipped == (15...23).map { date("2026-02-\($0)") })
        #expect(count.note == "3 working days after 2026-02-12 is Tuesday 2026-02-24; "
            + "skipped 2026-02-15..2026-02-23 (春节 Spring Festival); "
            + "counted Saturday 2026-02-14 (春节调休 Spring Festival make-up workday)")
        // The second make-up Saturday, after the holiday.
        let after = calendar.adding(workingDays: 5, to: date("2026-02-23"))
        #expect(after.date == date("2026-02-28"))
    }

    @Test func springFestival2025() {
        // Sunday 2025-01-26 is a make-up workday; 28 Jan – 4 Feb off; Saturday 8 Feb works.
        let count = calendar.adding(workingDays: 2, to: date("2025-01-24"))
        #expect(count.date == date("2025-01-27"))  // Sun 26 (make-up), Mon 27
        #expect(count.skipped == [date("2025-01-25")])
        #expect(calendar.adding(workingDays: 1, to: date("2025-01-27")).date == date("2025-02-05"))
        #expect(calendar.adding(workingDays: 3, to: date("2025-02-05")).date == date("2025-02-08"))  // Thu, Fri, make-up Sat
    }

    @Test func midAutumnAndTheMakeUpSunday2026() {
        let count = calendar.adding(workingDays: 1, to: date("2026-09-24"))
        #expect(count.date == date("2026-09-28"))
        #expect(count.note?.contains("skipped 2026-09-25..2026-09-27 (中秋 Mid-Autumn)") == true)
        #expect(calendar.adding(workingDays: 1, to: date("2026-09-18")).date == date("2026-09-20"))
    }

    @Test func newYearAcrossKnownYears() {
        let count = calendar.adding(workingDays: 1, to: date("2025-12-31"))
        #expect(count.date == date("2026-01-04"))  // make-up Sunday
        #expect(count.skipped == [date("2026-01-01"), date("2026-01-02"), date("2026-01-03")])
        #expect(!count.provisional)
    }

    @Test func adjacentWeekendAndHolidayRangesAreListedApart() {
        // 2025 Labour Day: Thu 1 – Mon 5 May, all listed as holidays; next weekend is 10–11.
        let count = calendar.adding(workingDays: 8, to: date("2025-04-29"))
        #expect(count.date == date("2025-05-14"))  // Wed 30 Apr; 6–9, 12–14 May
        #expect(count.note?.contains("skipped 2025-05-01..2025-05-05 (劳动节 Labour Day), 2025-05-10..2025-05-11 (weekend)") == true)
    }

    @Test func zeroIsTheDateItself() {
        let saturday = calendar.adding(workingDays: 0, to: date("2026-10-03"))
        #expect(saturday.date == date("2026-10-03"))
        #expect(saturday.skipped.isEmpty)
        #expect(!saturday.provisional)
        #expect(saturday.note == "0 working days after 2026-10-03: the date itself (Saturday, not a working day: 国庆 National Day)")
        #expect(calendar.adding(workingDays: 0, to: date("2030-01-05")).provisional == false)
    }

    @Test func nextWorkingDay() {
        #expect(calendar.nextWorkingDay(onOrAfter: date("2026-09-30")) == date("2026-09-30"))
        #expect(calendar.nextWorkingDay(onOrAfter: date("2026-10-01")) == date("2026-10-08"))
        #expect(calendar.nextWorkingDay(onOrAfter: date("2026-02-15")) == date("2026-02-24"))
        #expect(calendar.nextWorkingDay(onOrAfter: date("2026-10-10")) == date("2026-10-10"))
        #expect(calendar.nextWorkingDay(onOrAfter: date("2026-10-11")) == date("2026-10-12"))
    }

    @Test func subtracting() {
        let back = calendar.subtracting(workingDays: 3, from: date("2026-10-10"))
        #expect(back.date == date("2026-09-30"))
        #expect(back.skipped == (1...7).map { date("2026-10-0\($0)") })
        #expect(back.note?.hasPrefix("3 working days before 2026-10-10 is Wednesday 2026-09-30; skipped 2026-10-01..2026-10-07") == true)
        #expect(calendar.subtracting(workingDays: 3, from: date("2026-10-08")).date == date("2026-09-28"))
        #expect(calendar.adding(workingDays: -1, to: date("2026-02-24")).date == date("2026-02-14"))
    }

    // MARK: Unknown years

    @Test func pastTheLastKnownYearIsProvisionalAndSaysSo() {
        let count = calendar.adding(workingDays: 3, to: date("2026-12-30"))
        // Thu 31; Fri 1 is 元旦 whatever the notice says (statutory); Mon 4, Tue 5.
        #expect(count.date == date("2027-01-05"))
        #expect(count.provisional)
        #expect(count.skipped == [date("2027-01-01"), date("2027-01-02"), date("2027-01-03")])
        #expect(count.note?.hasSuffix("provisional: 2027 is not in the calendar yet: statutory days only; 调休 not yet published") == true)
        #expect(count.note?.contains("2027-01-01 (元旦 New Year's Day（法定）)") == true)
        // Staying inside 2026 is not provisional.
        #expect(!calendar.adding(workingDays: 1, to: date("2026-12-30")).provisional)
        // Backwards into 2024 as well.
        let back = calendar.subtracting(workingDays: 2, from: date("2025-01-02"))
        #expect(back.date == date("2024-12-30"))
        #expect(back.provisional)
        #expect(back.note?.contains("2024 is not in the calendar yet") == true)
        #expect(calendar.unknownYears(from: date("2024-12-30"), through: date("2028-01-01")) == [2024, 2027, 2028])
    }

    @Test func severalUnknownYearsAreNamedTogether() {
        let count = calendar.adding(workingDays: 300, to: date("2026-12-01"))
        #expect(count.provisional)
        #expect(count.note?.contains("2027 and 2028 are not in the calendar yet") == true)
        // A long count sums up its weekends.
        #expect(count.note?.contains("weekend days") == true)
    }

    @Test func enteringTheNextYearsNoticeMakesItAuthoritative() {
        let y2027 = [
            CalendarEntry(date: date("2027-01-01"), kind: .holiday, name: "元旦 New Year"),
        ]
        let partial = calendar.layering(y2027)
        let count = partial.adding(workingDays: 3, to: date("2026-12-30"))
        #expect(count.date == date("2027-01-05"))
        #expect(count.provisional)
        #expect(count.note?.contains("2027 is not in the calendar yet: statutory days only; 调休 not yet published") == true)
        let known = calendar.layering(y2027, knownYears: [2027])
        let sure = known.adding(workingDays: 3, to: date("2026-12-30"))
        #expect(sure.date == date("2027-01-05"))
        #expect(!sure.provisional)
        #expect(known.knownYears == [2025, 2026, 2027])
    }

    // MARK: Layering

    @Test func laterEntriesOverrideEarlierOnes() {
        let day = date("2026-10-09")  // a Friday
        let overridden = ChineseCalendar(
            entries: [
                CalendarEntry(date: day, kind: .holiday, name: "first"),
                CalendarEntry(date: day, kind: .workday, name: "second"),
            ],
            knownYears: [2026])
        #expect(overridden.isWorkingDay(day))
        #expect(overridden.entry(on: day)?.name == "second")
        #expect(overridden.entries.filter { $0.date.year == 2026 }.count == 1, "2026 is known: no statutory days added for it")

        // An agency correction layered after the builtin entries wins.
        let corrected = ChineseCalendar(
            entries: BuiltinCalendar.entries + [CalendarEntry(date: date("2026-10-10"), kind: .holiday, name: "agency: office closed")],
            knownYears: BuiltinCalendar.knownYears)
        #expect(!corrected.isWorkingDay(date("2026-10-10")))
        #expect(corrected.adding(workingDays: 3, to: date("2026-09-30")).date == date("2026-10-12"))
        #expect(corrected.workingDays(from: date("2026-09-30"), to: date("2026-10-12")) == 3)
        #expect(calendar.layering([CalendarEntry(date: date("2026-10-10"), kind: .holiday, name: "x")])
            .adding(workingDays: 3, to: date("2026-09-30")).date == date("2026-10-12"))
        // The builtin calendar itself is untouched.
        #expect(calendar.isWorkingDay(date("2026-10-10")))
    }

    @Test func entriesSpanningCenturiesUseTheSparseIndex() {
        // Over ~270 years between the first and last entry the dense day table is skipped.
        let far = CalendarEntry(date: date("2400-01-03"), kind: .holiday, name: "far future")
        let sparse = calendar.layering([far])
        #expect(!sparse.isWorkingDay(date("2400-01-03")))
        #expect(sparse.entry(on: date("2400-01-03")) == far)
        #expect(sparse.entry(on: date("2026-10-10")) == calendar.entry(on: date("2026-10-10")))
        for (start, n) in [("2025-09-30", 3), ("2026-02-12", 3), ("2026-09-15", 15), ("2025-01-01", 250)] {
            #expect(sparse.adding(workingDays: n, to: date(start)) == calendar.adding(workingDays: n, to: date(start)))
        }
        #expect(sparse.workingDays(from: date("2025-01-01"), to: date("2026-12-31"))
            == calendar.workingDays(from: date("2025-01-01"), to: date("2026-12-31")))
    }

    // MARK: Counting and properties

    @Test func countsWorkingDaysLeftOpen() {
        #expect(calendar.workingDays(from: date("2026-09-30"), to: date("2026-09-30")) == 0)
        #expect(calendar.workingDays(from: date("2026-10-10"), to: date("2026-09-30")) == 0)
        #expect(calendar.workingDays(from: date("2026-10-01"), to: date("2026-10-07")) == 0)
        #expect(calendar.workingDays(from: date("2025-12-31"), to: date("2026-12-31")) == 248)
        // 2026: 261 weekdays − 19 holidays on weekdays + 6 make-up weekend days.
        // Through the protocol too (the requirement dispatches to the fast count).
        let any: any WorkingDayCalendar = calendar
        #expect(any.workingDays(from: date("2026-09-30"), to: date("2026-10-10")) == 3)
    }

    @Test func fastCountMatchesADayByDayCount() {
        var rng = SplitMix64(seed: 2026)
        for _ in 0..<400 {
            let from = date("2024-06-01").adding(days: Int(rng.next() % 1300))
            let to = from.adding(days: Int(rng.next() % 400) - 40)
            var naive = 0
            var day = from
            while day < to {
                day = day.adding(days: 1)
                if calendar.isWorkingDay(day) { naive += 1 }
            }
            #expect(calendar.workingDays(from: from, to: to) == naive, "\(from) → \(to)")
        }
    }

    @Test func addingAndCountingAgreeOnAGeneratedTable() {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<500 {
            let start = date("2024-10-01").adding(days: Int(rng.next() % 1000))  // 2024-10 … 2027-06
            let n = Int(rng.next() % 61)
            let count = calendar.adding(workingDays: n, to: start)
            #expect(calendar.workingDays(from: start, to: count.date) == n, "\(start) + \(n)")
            #expect(count.skipped.count + n == start.days(to: count.date), "\(start) + \(n)")
            #expect(count.skipped.allSatisfy { !calendar.isWorkingDay($0) && start < $0 && $0 < count.date })
            #expect(n == 0 || calendar.isWorkingDay(count.date))
            let touchesUnknown = n > 0 && (start.adding(days: 1).year < 2025 || count.date.year > 2026)
            #expect(count.provisional == touchesUnknown, "\(start) + \(n)")
            if calendar.isWorkingDay(start) {
                #expect(calendar.subtracting(workingDays: n, from: count.date).date == start, "\(start) + \(n) − \(n)")
            }
        }
    }

    @Test func addingAWorkingYearIsFast() {
        let clock = ContinuousClock()
        var last = date("2025-01-01")
        let elapsed = clock.measure {
            for offset in 0..<2000 {
                last = calendar.adding(workingDays: 250, to: date("2025-01-01").adding(days: offset % 365)).date
            }
        }
        #expect(last > date("2025-12-31"))
        // Microseconds each even unoptimised; the bound only catches an accidental blow-up.
        #expect(elapsed < .seconds(5), "2000 × 250 working days took \(elapsed)")
    }
}

/// A small deterministic generator (SplitMix64), so a failing case can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct WorkingDaysLeftTests {
    @Test("working days left: the days counted ahead, negative by the same count once the date has passed, 0 on the day")
    func workingDaysLeft() {
        let calendar = ChineseCalendar.builtin
        let today = CalendarDate(year: 2026, month: 9, day: 30)!, due = CalendarDate(year: 2026, month: 10, day: 10)!
        let ahead = calendar.workingDaysLeft(to: due, from: today)
        #expect(ahead == calendar.workingDays(from: today, to: due))
        #expect(ahead > 0)
        #expect(calendar.workingDaysLeft(to: today, from: due) == -ahead)
        #expect(calendar.workingDaysLeft(to: today, from: today) == 0)
    }
}
