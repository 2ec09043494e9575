/// A deadline rule applied to one base date: when it falls due and why.
///
/// Codable with snake_case keys (`rule_id`, `base_date`, `due_date`, …; dates as `YYYY-MM-DD`).
public struct ComputedDeadline: Sendable, Hashable, Codable {
    public var ruleID: String
    /// The date counted from (a recorded date, the day a stage was entered, the permit expiry).
    public var baseDate: CalendarDate
    public var dueDate: CalendarDate
    /// True when the count crossed a year whose holiday notice is not in the calendar: the
    /// due date may move once the notice is entered, so recompute then.
    public var provisional: Bool
    /// Non-working days strictly between base and due date, ascending (working-day rules only).
    public var skipped: [CalendarDate]
    /// For the user, e.g. "3 working days after the permit was received (领取居住证) on
    /// 2026-09-30: due Saturday 2026-10-10; skipped 2026-10-01..2026-10-07 (国庆 National Day);
    /// counted Saturday 2026-10-10 (国庆调休 National Day make-up workday)".
    public var explanation: String

    private enum CodingKeys: String, CodingKey {
        case provisional, skipped, explanation
        case ruleID = "rule_id", baseDate = "base_date", dueDate = "due_date"
    }

    public init(
        ruleID: String, baseDate: CalendarDate, dueDate: CalendarDate, provisional: Bool, skipped: [CalendarDate],
        explanation: String
    ) {
        self.ruleID = ruleID
        self.baseDate = baseDate
        self.dueDate = dueDate
        self.provisional = provisional
        self.skipped = skipped
        self.explanation = explanation
    }

    /// `rule` counted from `baseDate` on `calendar`.
    ///
    /// - Working days: `calendar.adding(workingDays:to:)` (negative = before); 0 is the base
    ///   date itself, even when that is not a working day.
    /// - Calendar days: plain date arithmetic, never provisional; the explanation notes when
    ///   the due date is not a working day (in a known year), since offices are closed then.
    /// - A window reads "opens", an expectation "expected by", a due date "due".
    public static func compute(_ rule: DeadlineRule, baseDate: CalendarDate, calendar: ChineseCalendar) -> ComputedDeadline {
        let label = rule.baseLabel ?? rule.base.defaultLabel
        let due = rule.kind.verb
        let days = rule.offset.days

        guard days != 0 else {
            let explanation = "on the day \(label): \(dayText(baseDate))" + closedNote(baseDate, calendar: calendar)
            return ComputedDeadline(
                ruleID: rule.id, baseDate: baseDate, dueDate: baseDate, provisional: false, skipped: [],
                explanation: explanation)
        }

        switch rule.offset {
        case .workingDays:
            let walk = calendar.walk(days, from: baseDate)
            let explanation = calendar.describe(walk, startLabel: "\(label) on \(baseDate.iso)", resultLead: ": \(due) ")
            return ComputedDeadline(
                ruleID: rule.id, baseDate: baseDate, dueDate: walk.end, provisional: !walk.unknownYears.isEmpty,
                skipped: walk.skipped, explanation: explanation)

        case .calendarDays:
            let dueDate = baseDate.adding(days: days)
            let n = days.magnitude
            let explanation = "\(n) \(n == 1 ? "day" : "days") \(days < 0 ? "before" : "after") \(label) on \(baseDate.iso): "
                + "\(due) \(dayText(dueDate))" + closedNote(dueDate, calendar: calendar)
            return ComputedDeadline(
                ruleID: rule.id, baseDate: baseDate, dueDate: dueDate, provisional: false, skipped: [],
                explanation: explanation)
        }
    }

    /// "Saturday 2026-10-10".
    private static func dayText(_ date: CalendarDate) -> String {
        "\(date.weekday.englishName) \(date.iso)"
    }

    /// "; not a working day (国庆 National Day)" when `date` is a non-working day of a known year.
    private static func closedNote(_ date: CalendarDate, calendar: ChineseCalendar) -> String {
        guard calendar.isKnown(year: date.year), !calendar.isWorkingDay(date) else { return "" }
        return "; not a working day (\(calendar.dayLabel(date)))"
    }
}

extension DeadlineRule {
    /// `ComputedDeadline.compute(self, baseDate:calendar:)`.
    public func compute(baseDate: CalendarDate, calendar: ChineseCalendar) -> ComputedDeadline {
        ComputedDeadline.compute(self, baseDate: baseDate, calendar: calendar)
    }
}
