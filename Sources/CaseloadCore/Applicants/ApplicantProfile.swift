/// What Caseload knows about an applicant beyond name and identifiers: education, title or
/// skill, residence permit, social insurance, and the other facts the points estimate and the
/// stage rules read. Stored as one JSON document; every field is optional until known.
public struct ApplicantProfile: Sendable, Hashable, Codable {
    public var educationLevel: EducationLevel?
    /// 专升本: the bachelor's degree followed an associate diploma, so both diplomas are needed.
    public var upgradedFromAssociate: Bool?
    public var skillLevel: SkillLevel?
    public var permitNumber: String?
    public var permitReceivedDate: CalendarDate?
    public var permitExpiryDate: CalendarDate?
    public var socialInsuranceMonths: Int?
    /// Of the last 12 months, those with Shanghai social insurance paid on time (back-payments
    /// excluded): the points application needs at least 6.
    public var insuranceMonthsLast12: Int?
    /// Social-insurance contribution base over recent years, as a multiple of the average wage.
    public var contributionBase: ContributionBaseMultiple?
    public var shortageMajor: Bool?
    public var freshGraduate: Bool?
    public var spouseHukouYears: Int?
    public var remoteDistrictYears: Int?
    /// Employed through a dispatch agency (劳务派遣): the dispatch agreement is needed.
    public var dispatched: Bool?
    /// Co-resident children (同住子女) are to be added to the permit: on an older talent-category
    /// permit this needs the personnel archive retrieved, so the retrieval letter is required.
    public var coResidentChildren: Bool?
    /// Deductions that apply (false materials, detention, criminal record).
    public var deductions: [Deduction]?

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case educationLevel = "education_level"
        case upgradedFromAssociate = "upgraded_from_associate"
        case skillLevel = "skill_level"
        case permitNumber = "permit_number"
        case permitReceivedDate = "permit_received_date"
        case permitExpiryDate = "permit_expiry_date"
        case socialInsuranceMonths = "social_insurance_months"
        case insuranceMonthsLast12 = "insurance_months_last_12"
        case contributionBase = "contribution_base"
        case shortageMajor = "shortage_major"
        case freshGraduate = "fresh_graduate"
        case spouseHukouYears = "spouse_hukou_years"
        case remoteDistrictYears = "remote_district_years"
        case dispatched
        case coResidentChildren = "co_resident_children"
        case deductions
    }

    /// The JSON names of every profile field, for schemas and patching.
    public static let fieldNames: [String] = CodingKeys.allCases.map(\.rawValue)

    /// Cross-field rules the types alone cannot express.
    public func validate() throws {
        var issues: [FieldIssue] = []
        if let received = permitReceivedDate, let expiry = permitExpiryDate, expiry <= received {
            issues.append(FieldIssue(field: "permit_expiry_date", rule: "after_received", message: "the permit must expire after it was received", zh: "居住证的有效期须晚于领取日期"))
        }
        if upgradedFromAssociate == true, let level = educationLevel, level == .associate {
            issues.append(
                FieldIssue(field: "upgraded_from_associate", rule: "education_level", message: "专升本 applies to a bachelor's degree or higher", zh: "专升本只适用于本科及以上学历"))
        }
        if let months = socialInsuranceMonths, months < 0 || months > 1200 {
            issues.append(FieldIssue(field: "social_insurance_months", rule: "range", message: "must be between 0 and 1200", zh: "须在 0 到 1200 之间"))
        }
        if let months = insuranceMonthsLast12, months < 0 || months > 12 {
            issues.append(FieldIssue(field: "insurance_months_last_12", rule: "range", message: "must be between 0 and 12", zh: "须在 0 到 12 之间"))
        }
        if !issues.isEmpty { throw ValidationError(issues) }
    }
}

extension PointsProfile {
    /// The points-relevant part of an applicant's profile.
    public init(birthDate: CalendarDate, profile: ApplicantProfile) {
        self.init(
            birthDate: birthDate, education: profile.educationLevel, skill: profile.skillLevel,
            socialInsuranceMonths: profile.socialInsuranceMonths ?? 0, contributionBase: profile.contributionBase,
            shortageMajor: profile.shortageMajor ?? false, freshGraduate: profile.freshGraduate ?? false,
            spouseHukouYears: profile.spouseHukouYears ?? 0, remoteDistrictYears: profile.remoteDistrictYears ?? 0,
            deductions: profile.deductions ?? [], insuranceMonthsLast12: profile.insuranceMonthsLast12, permitExpiry: profile.permitExpiryDate)
    }
}
