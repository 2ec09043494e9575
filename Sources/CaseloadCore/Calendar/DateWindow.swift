/// The dates a field accepts: always within `CalendarDate.acceptedRange`, and optionally only
/// so many whole years before or after today. Params (the server's schemas) and import cells
/// both check their dates with these, so a field's rule is written once.
public struct DateWindow: Sendable, Hashable {
    public var yearsBefore: Int?
    public var yearsAfter: Int?

    /// Only the accepted range, 1900-01-01 … 2100-12-31.
    public init(yearsBefore: Int? = nil, yearsAfter: Int? = nil) {
        self.yearsBefore = yearsBefore
        self.yearsAfter = yearsAfter
    }

    /// A residence permit's dates: received or expiring at most 20 years before today and at
    /// most 10 years after it.
    public static let permit = DateWindow(yearsBefore: 20, yearsAfter: 10)

    /// The dates accepted on `today` (a year counted as 366 days, so never too strict).
    public func range(today: CalendarDate) -> ClosedRange<CalendarDate> {
        let accepted = CalendarDate.acceptedRange
        let lower = yearsBefore.map { max(accepted.lowerBound, today.adding(days: -366 * min($0, 300))) } ?? accepted.lowerBound
        let upper = yearsAfter.map { min(accepted.upperBound, today.adding(days: 366 * min($0, 300))) } ?? accepted.upperBound
        return lower...max(lower, upper)
    }

    /// Why `date` is refused on `today`, in words; nil when it is accepted.
    public func refusal(of date: CalendarDate, today: CalendarDate) -> String? {
        let range = range(today: today)
        guard !range.contains(date) else { return nil }
        let relative = yearsBefore == nil && yearsAfter == nil ? "" : " (\(phrase) today)"
        return "must be between \(range.lowerBound.iso) and \(range.upperBound.iso)\(relative)"
    }

    /// `refusal(of:today:)` in Chinese, naming the same dates.
    public func refusalZh(of date: CalendarDate, today: CalendarDate) -> String? {
        let range = range(today: today)
        guard !range.contains(date) else { return nil }
        let before = yearsBefore.map { "今天之前最多 \($0) 年" }
        let after = yearsAfter.map { "之后最多 \($0) 年" }
        let relative = [before, after].compactMap { $0 }.joined(separator: "、")
        return "须在 \(range.lowerBound.iso) 到 \(range.upperBound.iso) 之间" + (relative.isEmpty ? "" : "（\(relative)）")
    }

    /// "at most 20 years before and 10 years after".
    public var phrase: String {
        let before = yearsBefore.map { "at most \($0) years before" }
        let after = yearsAfter.map { (yearsBefore == nil ? "at most " : "") + "\($0) years after" }
        return [before, after].compactMap { $0 }.joined(separator: " and ")
    }
}
