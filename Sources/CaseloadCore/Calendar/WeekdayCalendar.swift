/// Monday–Friday are working days, nothing else: a stand-in until the Chinese holiday calendar
/// (with 调休 make-up days) is available behind `WorkingDayCalendar`.
///
/// Because it knows no public holidays, every count that spans at least one day is marked
/// `provisional`, so a deadline computed with it is never presented as authoritative.
public struct WeekdayCalendar: WorkingDayCalendar {
    public init() {}

    public func isWorkingDay(_ date: CalendarDate) -> Bool {
        !date.weekday.isWeekend
    }

    public func adding(workingDays days: Int, to date: CalendarDate) -> WorkingDayCount {
        let (end, skipped) = walk(workingDays: days, from: date)
        let provisional = days > 0
        return WorkingDayCount(
            date: end, skipped: skipped, provisional: provisional,
            note: provisional ? "counted Monday–Friday only; public holidays and make-up workdays (调休) not applied" : nil,
            noteZh: provisional ? "只按周一至周五计算，未计入法定节假日和调休" : nil)
    }
}
