/// One line of a holiday schedule: a date declared a public holiday (放假) or a weekend day
/// declared a make-up workday (调休上班), with the name the notice gives it.
///
/// Dates without an entry follow the week: Monday–Friday work, Saturday and Sunday rest.
/// Codable as `{"date": "2026-10-01", "kind": "holiday", "name": "国庆 National Day"}`.
public struct CalendarEntry: Sendable, Hashable, Codable {
    public var date: CalendarDate
    public var kind: DayKind
    /// The holiday's name as shown to users, e.g. "国庆 National Day" or
    /// "国庆调休 National Day make-up workday".
    public var name: String

    public init(date: CalendarDate, kind: DayKind, name: String) {
        self.date = date
        self.kind = kind
        self.name = name
    }
}

/// What an entry declares a day to be.
public enum DayKind: String, Codable, CaseIterable, Sendable {
    /// A public holiday (法定节假日 or a day of its block): no work, even on a weekday.
    case holiday
    /// A make-up workday (调休): work, even on a Saturday or Sunday.
    case workday

    public var chineseName: String {
        switch self {
        case .holiday: "放假"
        case .workday: "调休上班"
        }
    }
}
