/// The facts a points estimate reads. Unknown facts count as nothing (0 points), so an
/// incomplete profile under-estimates rather than over-promises.
public struct PointsProfile: Sendable, Hashable, Codable {
    public var birthDate: CalendarDate?
    public var education: EducationLevel?
    public var skill: SkillLevel?
    /// Months of Shanghai social insurance paid (not back-payments).
    public var socialInsuranceMonths: Int
    public var contributionBase: ContributionBaseMultiple?
    public var shortageMajor: Bool
    /// Fresh full-time graduate (应届全日制毕业生).
    public var freshGraduate: Bool
    /// Years of marriage to a spouse with Shanghai hukou (配偶为本市户籍), as the rule counts them (A).
    public var spouseHukouYears: Int
    /// Years working in a remote district (远郊重点区域).
    public var remoteDistrictYears: Int
    /// One entry per occurrence.
    public var deductions: [Deduction]
    /// Months of the last 12 with Shanghai social insurance paid on time (back-payments, 补缴,
    /// excluded): eligibility needs at least 6. nil: not recorded.
    public var insuranceMonthsLast12: Int?
    /// When the residence permit expires: eligibility needs it valid. nil: not recorded.
    public var permitExpiry: CalendarDate?

    public init(
        birthDate: CalendarDate? = nil, education: EducationLevel? = nil, skill: SkillLevel? = nil,
        socialInsuranceMonths: Int = 0, contributionBase: ContributionBaseMultiple? = nil, shortageMajor: Bool = false,
        freshGraduate: Bool = false, spouseHukouYears: Int = 0, remoteDistrictYears: Int = 0, deductions: [Deduction] = [],
        insuranceMonthsLast12: Int? = nil, permitExpiry: CalendarDate? = nil
    ) {
        self.insuranceMonthsLast12 = insuranceMonthsLast12
        self.permitExpiry = permitExpiry
        self.birthDate = birthDate
        self.education = education
        self.skill = skill
        self.socialInsuranceMonths = socialInsuranceMonths
        self.contributionBase = contributionBase
        self.shortageMajor = shortageMajor
        self.freshGraduate = freshGraduate
        self.spouseHukouYears = spouseHukouYears
        self.remoteDistrictYears = remoteDistrictYears
        self.deductions = deductions
    }
}
