/// Decides which days count as working days (工作日) for deadlines such as "3 working days
/// after the permit is received".
///
/// Chinese working days are Monday–Friday, minus public holidays, plus the weekend days
/// declared make-up workdays (调休), and each year's schedule is published only in November.
/// Callers depend on this protocol so that the holiday-aware calendar can replace
/// `WeekdayCalendar` without touching the case machine.
public protocol WorkingDayCalendar: Sendable {
    /// Whether `date` is a working day.
    func isWorkingDay(_ date: CalendarDate) -> Bool

    /// The date `days` working days after `date` (days ≥ 0; 0 → date itself), with the dates it skipped.
    func adding(workingDays days: Int, to date: CalendarDate) -> WorkingDayCount

    /// The number of working days d with `from` < d ≤ `to`; 0 when `to` ≤ `from`.
    /// A requirement (with a day-by-day default below) so a calendar's faster count is used
    /// through `any WorkingDayCalendar` too.
    func workingDays(from: CalendarDate, to: CalendarDate) -> Int
}

/// The result of counting working days forward: the date reached, the non-working days passed
/// over on the way, and whether the answer rests on guesses (e.g. a year whose holiday notice
/// is not known yet), so that a deadline can be flagged rather than silently trusted.
public struct WorkingDayCount: Sendable, Hashable {
    /// The date reached.
    public var date: CalendarDate
    /// Non-working days strictly after the start and before `date`, in order.
    public var skipped: [CalendarDate]
    /// True when some day on the way was judged without an authoritative holiday schedule.
    public var provisional: Bool
    /// A human explanation for the user: why the count is provisional (`WeekdayCalendar` sets
    /// it only then), or, from `ChineseCalendar`, always: what was skipped and counted, and
    /// which year is not in the calendar yet.
    public var note: String?
    /// `note` in Chinese, when the calendar writes one (both built-in calendars do).
    public var noteZh: String?

    public init(date: CalendarDate, skipped: [CalendarDate] = [], provisional: Bool = false, note: String? = nil, noteZh: String? = nil) {
        self.date = date
        self.skipped = skipped
        self.provisional = provisional
        self.note = note
        self.noteZh = noteZh
    }
}

extension WorkingDayCalendar {
    /// The number of working days d with `from` < d ≤ `to`; 0 when `to` ≤ `from`.
    ///
    /// Half-open on the left so that "N working days after X" and this count agree:
    /// `workingDays(from: x, to: adding(workingDays: n, to: x).date) == n`.
    public func workingDays(from: CalendarDate, to: CalendarDate) -> Int {
        guard from < to else { return 0 }
        var count = 0
        var day = from.adding(days: 1)
        while day <= to {
            if isWorkingDay(day) { count += 1 }
            day = day.adding(days: 1)
        }
        return count
    }

    /// Walks one day at a time from `date`, counting working days and collecting the skipped
    /// ones. Shared by conforming calendars; `provisional`/`note` are decided by the caller.
    /// A negative count walks nowhere (these calendars count forward only); a walk stops at
    /// the last representable day rather than trap, though accepted dates and the rules'
    /// bounded offsets never get near it.
    func walk(workingDays days: Int, from date: CalendarDate) -> (date: CalendarDate, skipped: [CalendarDate]) {
        var remaining = max(0, days)
        var day = date
        var skipped: [CalendarDate] = []
        while remaining > 0, day < .maximum {
            day = day.adding(days: 1)
            if isWorkingDay(day) {
                remaining -= 1
            } else {
                skipped.append(day)
            }
        }
        return (day, skipped)
    }
}
