/// What a case notice says, before a template words it: the facts of one case's next step,
/// and the placeholder values they become.
public struct CaseNotice: Sendable, Hashable {
    public var applicantName: String
    public var companyName: String
    public var hrName: String?
    public var district: ShanghaiDistrict?
    public var caseKindName: String
    public var step: Stage
    /// The missing papers for the step, for this audience.
    public var documents: [ChecklistItem]
    /// The earliest day the step may be taken (a window's date), if one applies.
    public var fromDate: CalendarDate?
    /// The day the step is due by (a due date, or the stage's time allowed), if any.
    public var byDate: CalendarDate?

    public init(
        applicantName: String, companyName: String, hrName: String?, district: ShanghaiDistrict?, caseKindName: String, step: Stage,
        documents: [ChecklistItem], fromDate: CalendarDate?, byDate: CalendarDate?
    ) {
        self.applicantName = applicantName
        self.companyName = companyName
        self.hrName = hrName
        self.district = district
        self.caseKindName = caseKindName
        self.step = step
        self.documents = documents
        self.fromDate = fromDate
        self.byDate = byDate
    }

    /// What is written where nothing is known yet.
    public static let unknown = "（待定）"

    /// "2026年10月12日".
    public static func chinese(_ date: CalendarDate) -> String { "\(date.year)年\(date.month)月\(date.day)日" }

    /// Every placeholder's value on `today`, working days counted with `calendar`.
    public func values(today: CalendarDate, calendar: ChineseCalendar) -> [String: String] {
        let list = documents.enumerated().map { i, d in "\(i + 1). \(d.chineseName)（\(d.form.chineseName)）" }
        // A window not yet open starts the step later; one already open starts it today.
        let from = fromDate.map { max($0, today) } ?? today
        return [
            "applicant_name": applicantName,
            "company_name": companyName,
            "company_short_name": CompanyName.short(companyName),
            "hr_name": hrName.flatMap { $0.trimmingWhitespace.isEmpty ? nil : $0 } ?? "人事老师",
            "case_kind_name": caseKindName,
            "step_name": step.chineseName,
            "talent_center": district?.talentCenterName ?? "单位注册所在区的人才服务中心",
            "documents": list.isEmpty ? "（所需材料已齐，无需补充）" : list.joined(separator: "\n"),
            "from_date": Self.chinese(from),
            "by_date": byDate.map(Self.chinese) ?? Self.unknown,
            "working_days": byDate.map { String(calendar.workingDaysLeft(to: $0, from: today)) } ?? Self.unknown,
        ]
    }
}
