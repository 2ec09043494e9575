/// One version of the points indicator values. Every number is data (the brief's values come
/// from consultancy pages, not the regulation), so an agency can store its own version as JSON
/// when the city changes them.
public struct PointsRules: Sendable, Hashable, Codable {
    /// e.g. "brief-2025"; reported in every estimate.
    public var version: String
    public var effectiveFrom: CalendarDate
    /// The standard score (标准分值), 120.
    public var standard: Int
    public var age: AgeScale
    public var education: [EducationLevel: Int]
    public var skill: [SkillLevel: Int]
    /// Points per full year (12 months) of Shanghai social insurance.
    public var socialInsurancePerYear: Int
    public var contributionBase: [ContributionBaseMultiple: Int]
    public var shortageMajor: Int
    public var freshGraduate: Int
    public var spouseHukouPerYear: Int
    public var spouseHukouMaximum: Int
    public var remoteDistrictPerYear: Int
    /// Years in a remote district before any count; once reached, every full year counts.
    public var remoteDistrictMinimumYears: Int
    public var remoteDistrictMaximum: Int
    /// Negative values.
    public var deductions: [Deduction: Int]
    /// Eligibility: months of Shanghai social insurance in the last 12 (back-payments
    /// excluded) an applicant needs; nil = `defaultEligibilityMonths` (a version stored before
    /// this was data).
    public var eligibilityInsuranceMonths: Int?
    /// How an indicator's rule is read, in words, by indicator id (`remote_district`, ...):
    /// where the sources leave room, the reading the numbers implement is written down here.
    public var readings: [String: String]?

    /// The brief's eligibility rule: 6 of the last 12 months.
    public static let defaultEligibilityMonths = 6

    /// `eligibilityInsuranceMonths` or the default.
    public var requiredInsuranceMonths: Int { eligibilityInsuranceMonths ?? Self.defaultEligibilityMonths }

    /// Age points: `bandPoints` from `bandFromAge` through `oldestAge`, `pointsPerYearYounger`
    /// more per year younger than `bandFromAge`, at most `maximum`; nothing above `oldestAge`.
    public struct AgeScale: Sendable, Hashable, Codable {
        public var oldestAge: Int
        public var bandFromAge: Int
        public var bandPoints: Int
        public var pointsPerYearYounger: Int
        public var maximum: Int

        public init(oldestAge: Int, bandFromAge: Int, bandPoints: Int, pointsPerYearYounger: Int, maximum: Int) {
            self.oldestAge = oldestAge
            self.bandFromAge = bandFromAge
            self.bandPoints = bandPoints
            self.pointsPerYearYounger = pointsPerYearYounger
            self.maximum = maximum
        }

        /// Points for an age in whole years.
        public func points(age: Int) -> Int {
            guard age <= oldestAge else { return 0 }
            // Saturating: a version stored before its values were range-checked may hold anything.
            return min(maximum, bandPoints.saturatingAdding(pointsPerYearYounger.saturatingMultiplied(by: max(0, bandFromAge.saturatingSubtracting(age)))))
        }
    }

    public init(
        version: String, effectiveFrom: CalendarDate, standard: Int, age: AgeScale, education: [EducationLevel: Int],
        skill: [SkillLevel: Int], socialInsurancePerYear: Int, contributionBase: [ContributionBaseMultiple: Int],
        shortageMajor: Int, freshGraduate: Int, spouseHukouPerYear: Int, spouseHukouMaximum: Int,
        remoteDistrictPerYear: Int, remoteDistrictMinimumYears: Int, remoteDistrictMaximum: Int,
        deductions: [Deduction: Int], eligibilityInsuranceMonths: Int? = nil, readings: [String: String]? = nil
    ) {
        self.eligibilityInsuranceMonths = eligibilityInsuranceMonths
        self.readings = readings
        self.version = version
        self.effectiveFrom = effectiveFrom
        self.standard = standard
        self.age = age
        self.education = education
        self.skill = skill
        self.socialInsurancePerYear = socialInsurancePerYear
        self.contributionBase = contributionBase
        self.shortageMajor = shortageMajor
        self.freshGraduate = freshGraduate
        self.spouseHukouPerYear = spouseHukouPerYear
        self.spouseHukouMaximum = spouseHukouMaximum
        self.remoteDistrictPerYear = remoteDistrictPerYear
        self.remoteDistrictMinimumYears = remoteDistrictMinimumYears
        self.remoteDistrictMaximum = remoteDistrictMaximum
        self.deductions = deductions
    }

    /// The domain brief's (A) values, version "brief-2025".
    public static let default2025 = PointsRules(
        version: "brief-2025",
        effectiveFrom: CalendarDate(year: 2025, month: 1, day: 1)!,
        standard: 120,
        age: AgeScale(oldestAge: 60, bandFromAge: 56, bandPoints: 5, pointsPerYearYounger: 2, maximum: 30),
        education: [.associate: 50, .bachelor: 60, .bachelorWithDegree: 90, .master: 100, .doctor: 110],
        skill: [
            .level5: 15, .level4: 30, .level3: 60, .level2: 100, .intermediateTitle: 100, .level1: 140, .seniorTitle: 140,
        ],
        socialInsurancePerYear: 3,
        contributionBase: [.atLeast0_8: 25, .atLeast1: 50, .atLeast2: 100, .atLeast3: 120],
        shortageMajor: 30,
        freshGraduate: 10,
        spouseHukouPerYear: 4,
        spouseHukouMaximum: 40,
        remoteDistrictPerYear: 2,
        remoteDistrictMinimumYears: 5,
        remoteDistrictMaximum: 20,
        deductions: [.falseMaterials: -150, .detention: -50, .criminalRecord: -150],
        eligibilityInsuranceMonths: 6,
        readings: [
            "remote_district": "远郊重点区域 (A): nothing until the applicant has worked remoteDistrictMinimumYears (5) full years in a "
                + "remote key district; from then every full year counts, the first five included, remoteDistrictPerYear (2) each, "
                + "at most remoteDistrictMaximum (20). So 4 years give 0 and 5 years give 10.",
            "social_insurance": "3 points per full year (12 months) of Shanghai social insurance; back-payments (补缴) do not count.",
            "eligibility": "Not a score: the applicant must hold a valid residence permit and have paid Shanghai social insurance in at "
                + "least 6 of the last 12 months (back-payments excluded); staff of a branch in another province are not eligible.",
        ]
    )
}
