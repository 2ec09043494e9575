/// The Chinese working-day calendar: Monday–Friday, minus public holidays, plus the weekend
/// days declared make-up workdays (调休), from the State Council's yearly notices.
///
/// Entries are data: `builtin` carries 2025–2026 and an agency layers corrections and new
/// years on top. For a date whose year is not in `knownYears` (the notice is not out yet, or
/// nobody entered it) the week and that year's statutory holidays decide (`StatutoryHolidays`:
/// 元旦, 春节, 清明, 劳动节, 端午, 中秋, 国庆 are known for any year; only the bridging days and
/// 调休 wait for the notice), plus any entries on file for that year, and every count that
/// examines such a date is `provisional`, with a note naming the year: never silently
/// weekends-only.
///
/// Lookups are precomputed (a dense table of entries by day, and prefix sums of the entries'
/// effect for counting): in a release build, adding 250 working days with its explanation
/// takes about 15 µs (3 µs of it the walk), and `workingDays(from:to:)` about 50 ns.
public struct ChineseCalendar: WorkingDayCalendar {
    /// The years whose holiday notices are fully entered.
    public let knownYears: Set<Int>
    /// The effective entries, one per date, in date order: the statutory holidays of unknown
    /// years, then the entries given.
    public let entries: [CalendarEntry]
    /// The entries given (what `layering` builds on; statutory ones are added anew).
    private let given: [CalendarEntry]

    /// Index into `entries` + 1 (0 = no entry) for each day from `firstEntryDay` on, so the
    /// day-by-day walk needs no hashing; empty when the entries span over ~270 years, and
    /// `sparseIndex` is used instead.
    private let denseIndex: [Int32]
    private let firstEntryDay: Int
    /// Index into `entries` by `daysSinceEpoch`; only when `denseIndex` is empty.
    private let sparseIndex: [Int: Int]
    /// Days (since epoch, ascending) whose entry changes what the week alone says:
    /// a holiday on a weekday (−1) or a make-up workday on a weekend (+1).
    private let adjustmentDays: [Int]
    /// `adjustmentPrefix[i]` = the sum of the first `i` adjustments; one longer than `adjustmentDays`.
    private let adjustmentPrefix: [Int]

    /// A calendar from `entries`, where a later entry for a date replaces an earlier one, so
    /// an agency's corrections listed after the builtin entries win. `knownYears` are the
    /// years the entries fully cover; entries may exist for other years (they are applied,
    /// but counts touching those years stay provisional).
    public init(entries: [CalendarEntry], knownYears: Set<Int>) {
        var byDay: [Int: CalendarEntry] = [:]
        for entry in StatutoryHolidays.entries(excluding: knownYears) + entries { byDay[entry.date.daysSinceEpoch] = entry }
        self.given = entries
        self.knownYears = knownYears
        let sortedDays = byDay.keys.sorted()
        self.entries = sortedDays.map { byDay[$0]! }
        let first = sortedDays.first ?? 0
        let span = (sortedDays.last ?? first - 1) - first + 1
        var dense: [Int32] = []
        var sparse: [Int: Int] = [:]
        if span <= 100_000 {
            dense = Array(repeating: 0, count: span)
            for (index, day) in sortedDays.enumerated() { dense[day - first] = Int32(index + 1) }
        } else {
            for (index, day) in sortedDays.enumerated() { sparse[day] = index }
        }
        self.firstEntryDay = first
        self.denseIndex = dense
        self.sparseIndex = sparse

        var days: [Int] = []
        var prefix: [Int] = [0]
        for entry in self.entries {
            let weekend = entry.date.weekday.isWeekend
            let delta = switch entry.kind {
            case .holiday: weekend ? 0 : -1
            case .workday: weekend ? 1 : 0
            }
            guard delta != 0 else { continue }
            days.append(entry.date.daysSinceEpoch)
            prefix.append(prefix[prefix.count - 1] + delta)
        }
        self.adjustmentDays = days
        self.adjustmentPrefix = prefix
    }

    /// The State Council schedules shipped with Caseload (`BuiltinCalendar`, 2025–2026).
    public static let builtin = ChineseCalendar(entries: BuiltinCalendar.entries, knownYears: BuiltinCalendar.knownYears)

    /// This calendar with `entries` layered on top (they win on the same date) and
    /// `knownYears` added, e.g. `ChineseCalendar.builtin.layering(agencyEntries, knownYears: [2027])`.
    public func layering(_ entries: [CalendarEntry], knownYears: Set<Int> = []) -> ChineseCalendar {
        ChineseCalendar(entries: given + entries, knownYears: self.knownYears.union(knownYears))
    }

    /// The entry in force on `date`, if any.
    public func entry(on date: CalendarDate) -> CalendarEntry? {
        entryIndex(date.daysSinceEpoch).map { entries[$0] }
    }

    /// Whether `year`'s holiday notice is in the calendar.
    public func isKnown(year: Int) -> Bool {
        knownYears.contains(year)
    }

    /// Whether counting the days after `from` through `to` touches a year that is not known.
    public func countsIntoUnknownYear(from: CalendarDate, to: CalendarDate) -> Bool {
        from < to && !unknownYears(from: from.adding(days: 1), through: to).isEmpty
    }

    /// The years from `from.year` through `through.year` that are not known, ascending.
    public func unknownYears(from: CalendarDate, through: CalendarDate) -> [Int] {
        guard from <= through else { return [] }
        return (from.year...through.year).filter { !knownYears.contains($0) }
    }

    public func isWorkingDay(_ date: CalendarDate) -> Bool {
        isWorking(date.daysSinceEpoch)
    }

    /// The first working day that is `date` or later.
    public func nextWorkingDay(onOrAfter date: CalendarDate) -> CalendarDate {
        var day = date.daysSinceEpoch
        while !isWorking(day), day < CalendarDate.maximumDay { day += 1 }
        return CalendarDate(daysSinceEpoch: day)
    }

    /// The date `days` working days after `date`.
    ///
    /// - `days == 0` gives `date` itself, even when it is not a working day (ask
    ///   `nextWorkingDay(onOrAfter:)` for that); nothing is examined, so it is never provisional.
    /// - `days < 0` counts backwards, as `subtracting(workingDays: -days, from: date)`.
    /// - `skipped`: the non-working days strictly between `date` and the result, ascending.
    /// - `provisional`: some day examined (after `date`, up to the result) is in an unknown year.
    /// - `note`: always set; a human explanation, e.g. "3 working days after 2026-09-30 is
    ///   Saturday 2026-10-10; skipped 2026-10-01..2026-10-07 (国庆 National Day); counted
    ///   Saturday 2026-10-10 (国庆调休 National Day make-up workday)", with a last clause naming
    ///   any unknown year when provisional.
    public func adding(workingDays days: Int, to date: CalendarDate) -> WorkingDayCount {
        let walk = walk(days, from: date)
        return WorkingDayCount(
            date: walk.end, skipped: walk.skipped, provisional: !walk.unknownYears.isEmpty,
            note: describe(walk, startLabel: date.iso, resultLead: " is "), noteZh: describeZh(walk))
    }

    /// The date `days` working days before `date` (the mirror of `adding`; negative `days`
    /// counts forward). `skipped` is ascending, strictly between the result and `date`.
    public func subtracting(workingDays days: Int, from date: CalendarDate) -> WorkingDayCount {
        adding(workingDays: -days, to: date)
    }

    /// Working days from `today` to `date`: positive ahead, negative once `date` has passed.
    public func workingDaysLeft(to date: CalendarDate, from today: CalendarDate) -> Int {
        date >= today ? workingDays(from: today, to: date) : -workingDays(from: date, to: today)
    }

    /// The number of working days d with `from` < d ≤ `to`; 0 when `to` ≤ `from`.
    /// Constant work per call apart from two binary searches, whatever the span.
    public func workingDays(from: CalendarDate, to: CalendarDate) -> Int {
        guard from < to else { return 0 }
        let a = from.daysSinceEpoch, b = to.daysSinceEpoch
        let weekdays = Self.weekdaysBefore(b + 1) - Self.weekdaysBefore(a + 1)
        let adjustment = adjustmentPrefix[countAdjustments(through: b)] - adjustmentPrefix[countAdjustments(through: a)]
        return weekdays + adjustment
    }

    // MARK: Walking

    /// What a count passed over, for the result and its explanation.
    struct Walk {
        var start: CalendarDate
        var days: Int
        var end: CalendarDate
        /// Non-working days strictly between start and end, ascending.
        var skipped: [CalendarDate]
        /// Make-up workday entries counted on the way, ascending.
        var countedMakeUp: [CalendarEntry]
        /// Unknown years of the days examined, ascending.
        var unknownYears: [Int]
    }

    /// Steps day by day from `start`, `days` working days forward (backward if negative).
    func walk(_ days: Int, from start: CalendarDate) -> Walk {
        let step = days >= 0 ? 1 : -1
        var remaining = days.magnitude
        var day = start.daysSinceEpoch
        var skipped: [CalendarDate] = []
        var makeUp: [CalendarEntry] = []
        var unknown: [Int] = []
        // The year of `day` is re-derived only when `day` leaves yearFirst...yearLast.
        var yearFirst = 1, yearLast = 0
        // Stops at the representable ends rather than trap (accepted dates and the rules'
        // bounded offsets never get near them).
        while remaining > 0, day + step >= CalendarDate.minimumDay, day + step <= CalendarDate.maximumDay {
            day += step
            if day < yearFirst || day > yearLast {
                let year = CalendarDate(daysSinceEpoch: day).year
                yearFirst = Self.firstDay(of: year)
                yearLast = Self.firstDay(of: year + 1) - 1
                if !knownYears.contains(year), !unknown.contains(year) { unknown.append(year) }
            }
            if isWorking(day) {
                remaining -= 1
                if !Self.isWeekday(day), let index = entryIndex(day) { makeUp.append(entries[index]) }
            } else {
                skipped.append(CalendarDate(daysSinceEpoch: day))
            }
        }
        if step < 0 {
            skipped.reverse()
            makeUp.reverse()
        }
        return Walk(
            start: start, days: days, end: CalendarDate(daysSinceEpoch: day), skipped: skipped,
            countedMakeUp: makeUp, unknownYears: unknown.sorted())
    }

    /// "3 working days after <startLabel><resultLead>Saturday 2026-10-10; skipped …; counted …; provisional clause".
    /// `startLabel` names the start ("2026-09-30" or "the permit was received (领取居住证) on 2026-09-30").
    func describe(_ walk: Walk, startLabel: String, resultLead: String) -> String {
        let n = walk.days.magnitude
        let unit = n == 1 ? "working day" : "working days"
        var lead = "\(n) \(unit) \(walk.days < 0 ? "before" : "after") \(startLabel)"
        if walk.days == 0 {
            lead += ": the date itself"
            if !isWorking(walk.end.daysSinceEpoch) {
                lead += " (\(walk.end.weekday.englishName), not a working day: \(dayLabel(walk.end)))"
            }
            return lead
        }
        var clauses = [lead + resultLead + walk.end.weekday.englishName + " " + walk.end.iso]
        if let skipped = describeSkipped(walk.skipped) { clauses.append("skipped " + skipped) }
        if !walk.countedMakeUp.isEmpty {
            clauses.append("counted " + walk.countedMakeUp.map {
                "\($0.date.weekday.englishName) \($0.date.iso) (\($0.name))"
            }.joined(separator: ", "))
        }
        if let provisional = provisionalClause(walk.unknownYears) { clauses.append(provisional) }
        return clauses.joined(separator: "; ")
    }

    /// `describe` in Chinese, for a count from a plain date: "2026-09-30 后 3 个工作日是星期六
    /// 2026-10-10；跳过 2026-10-01..2026-10-07（国庆 National Day）；计入星期六 2026-10-10（…）".
    func describeZh(_ walk: Walk) -> String {
        let n = walk.days.magnitude
        let lead = "\(walk.start.iso)\(walk.days < 0 ? "前" : "后") \(n) 个工作日"
        if walk.days == 0 {
            return lead + "：即当天" + (isWorking(walk.end.daysSinceEpoch)
                ? "" : "（\(walk.end.weekday.chineseName)，不是工作日：\(dayLabel(walk.end, zh: true))）")
        }
        var clauses = [lead + "是" + walk.end.weekday.chineseName + " " + walk.end.iso]
        if let skipped = describeSkipped(walk.skipped, zh: true) { clauses.append("跳过 " + skipped) }
        if !walk.countedMakeUp.isEmpty {
            clauses.append("计入" + walk.countedMakeUp.map {
                "\($0.date.weekday.chineseName) \($0.date.iso)（\($0.name)）"
            }.joined(separator: "、"))
        }
        if let provisional = provisionalClauseZh(walk.unknownYears) { clauses.append(provisional) }
        return clauses.joined(separator: "；")
    }

    /// `provisionalClause` in Chinese: "暂定：2027 年尚未收入日历：仅计法定节假日，调休尚未公布".
    func provisionalClauseZh(_ years: [Int]) -> String? {
        guard !years.isEmpty else { return nil }
        return "暂定：\(years.map(String.init).joined(separator: "、")) 年尚未收入日历：\(Self.statutoryOnlyZh)"
    }

    /// `statutoryOnly` in Chinese.
    public static let statutoryOnlyZh = "仅计法定节假日，调休尚未公布"

    /// "provisional: 2027 is not in the calendar yet: statutory days only; 调休 not yet
    /// published", or nil when every year is known.
    func provisionalClause(_ years: [Int]) -> String? {
        guard let last = years.last else { return nil }
        let names = years.map(String.init)
        let list = names.count == 1 ? names[0] : names.dropLast().joined(separator: ", ") + " and \(last)"
        let verb = names.count == 1 ? "is" : "are"
        return "provisional: \(list) \(verb) not in the calendar yet: \(Self.statutoryOnly)"
    }

    /// Why a count into an unknown year is provisional.
    public static let statutoryOnly = "statutory days only; 调休 not yet published"

    /// Consecutive skipped days with the same label as ranges: "2026-10-01..2026-10-07 (国庆
    /// National Day), 2026-10-17..2026-10-18 (weekend)". Past four weekend ranges the
    /// weekends are summed up instead ("…, and 96 weekend days") to keep a long count readable.
    func describeSkipped(_ skipped: [CalendarDate], zh: Bool = false) -> String? {
        guard !skipped.isEmpty else { return nil }
        // Group by day number and holiday entry index (nil = weekend), comparing names so
        // that one holiday's consecutive entries merge; format only what is shown.
        var ranges: [(first: Int, last: Int, holiday: Int?)] = []
        for date in skipped {
            let day = date.daysSinceEpoch
            let holiday = entryIndex(day).flatMap { entries[$0].kind == .holiday ? $0 : nil }
            if let last = ranges.last, last.last + 1 == day,
                last.holiday == holiday || (last.holiday != nil && holiday != nil && entries[last.holiday!].name == entries[holiday!].name)
            {
                ranges[ranges.count - 1].last = day
            } else {
                ranges.append((day, day, holiday))
            }
        }
        func text(_ range: (first: Int, last: Int, holiday: Int?)) -> String {
            let first = CalendarDate(daysSinceEpoch: range.first).iso
            let span = range.first == range.last ? first : first + ".." + CalendarDate(daysSinceEpoch: range.last).iso
            let name = range.holiday.map { entries[$0].name } ?? (zh ? "周末" : "weekend")
            return zh ? span + "（" + name + "）" : span + " (" + name + ")"
        }
        let weekendRanges = ranges.filter { $0.holiday == nil }
        guard weekendRanges.count > 4 else { return ranges.map(text).joined(separator: zh ? "、" : ", ") }
        let weekendDays = weekendRanges.reduce(0) { $0 + $1.last - $1.first + 1 }
        let holidays = ranges.filter { $0.holiday != nil }.map(text)
        if zh {
            let summary = "\(weekendDays) 个周末日"
            return holidays.isEmpty ? summary : holidays.joined(separator: "、") + "，以及 " + summary
        }
        let summary = "\(weekendDays) weekend days"
        return holidays.isEmpty ? summary : holidays.joined(separator: ", ") + ", and " + summary
    }

    /// A non-working day's reason: its holiday's name, else "weekend".
    func dayLabel(_ date: CalendarDate, zh: Bool = false) -> String {
        if let entry = entry(on: date), entry.kind == .holiday { return entry.name }
        return zh ? "周末" : "weekend"
    }

    // MARK: Day arithmetic

    private func isWorking(_ day: Int) -> Bool {
        if let index = entryIndex(day) { return entries[index].kind == .workday }
        return Self.isWeekday(day)
    }

    /// The index in `entries` of the entry on `day`, if any.
    @inline(__always)
    private func entryIndex(_ day: Int) -> Int? {
        let offset = day - firstEntryDay
        if offset >= 0, offset < denseIndex.count {
            let index = Int(denseIndex[offset])
            return index == 0 ? nil : index - 1
        }
        return sparseIndex.isEmpty ? nil : sparseIndex[day]
    }

    /// Monday–Friday, for a day since 1970-01-01 (a Thursday).
    private static func isWeekday(_ day: Int) -> Bool {
        floorMod(day + 3, 7) < 5
    }

    /// The number of Monday–Friday days before `day`, counted from a fixed Monday far back
    /// (only differences are meaningful). Day −3, 1969-12-29, was a Monday.
    private static func weekdaysBefore(_ day: Int) -> Int {
        let shifted = day + 3
        return 5 * floorDiv(shifted, 7) + min(floorMod(shifted, 7), 5)
    }

    /// How many adjustment days are ≤ `day`.
    private func countAdjustments(through day: Int) -> Int {
        var low = 0, high = adjustmentDays.count
        while low < high {
            let mid = (low + high) / 2
            if adjustmentDays[mid] <= day { low = mid + 1 } else { high = mid }
        }
        return low
    }

    private static func firstDay(of year: Int) -> Int {
        guard let date = CalendarDate(year: year, month: 1, day: 1) else {
            return year < 1 ? Int.min / 2 : Int.max / 2
        }
        return date.daysSinceEpoch
    }

    private static func floorDiv(_ a: Int, _ b: Int) -> Int {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    private static func floorMod(_ a: Int, _ b: Int) -> Int {
        ((a % b) + b) % b
    }
}

extension Weekday {
    /// "Monday" … "Sunday".
    public var englishName: String {
        switch self {
        case .monday: "Monday"
        case .tuesday: "Tuesday"
        case .wednesday: "Wednesday"
        case .thursday: "Thursday"
        case .friday: "Friday"
        case .saturday: "Saturday"
        case .sunday: "Sunday"
        }
    }

    /// "星期一" … "星期日".
    public var chineseName: String {
        switch self {
        case .monday: "星期一"
        case .tuesday: "星期二"
        case .wednesday: "星期三"
        case .thursday: "星期四"
        case .friday: "星期五"
        case .saturday: "星期六"
        case .sunday: "星期日"
        }
    }
}
