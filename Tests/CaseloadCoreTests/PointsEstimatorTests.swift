import CaseloadCore
import Foundation  // JSONEncoder/JSONDecoder only.
import Testing

@Suite struct PointsEstimatorTests {
    let rules = PointsRules.default2025

    func points(_ estimate: PointsEstimate, _ id: String) -> Int? {
        estimate.items.first { $0.id == id }?.points
    }

    @Test func thirtyYearOldBachelorWithDegree() {
        let profile = PointsProfile(
            birthDate: date("1996-03-01"), education: .bachelorWithDegree, socialInsuranceMonths: 24, insuranceMonthsLast12: 12,
            permitExpiry: date("2027-01-05"))
        let estimate = PointsEstimator.estimate(profile, asOf: date("2026-06-01"), rules: rules)
        #expect(points(estimate, "age") == 30)
        #expect(points(estimate, "education_or_skill") == 90)
        #expect(points(estimate, "social_insurance") == 6)
        #expect(estimate.total == 126)
        #expect(estimate.standard == 120)
        #expect(estimate.eligibility.eligible)
        #expect(estimate.meetsStandard)
        #expect(estimate.isEstimate)
        #expect(estimate.rulesVersion == "brief-2025")
    }

    @Test func onlyTheHigherOfEducationAndTitleCounts() throws {
        let profile = PointsProfile(
            birthDate: date("1981-01-10"), education: .master, skill: .seniorTitle, socialInsuranceMonths: 61)
        let estimate = PointsEstimator.estimate(profile, asOf: date("2026-06-01"), rules: rules)
        #expect(points(estimate, "age") == 27)  // 45: 5 + 2 × 11
        #expect(points(estimate, "education_or_skill") == 140)
        #expect(points(estimate, "social_insurance") == 15)  // 61 months = 5 full years
        #expect(estimate.total == 182)
        let explanation = try #require(estimate.items.first { $0.id == "education_or_skill" }?.explanation)
        #expect(explanation.hasPrefix("title/skill 高级职称 140 counts"))
        #expect(explanation.contains("硕士 100 does not"))

        let educationWins = PointsEstimator.estimate(
            PointsProfile(education: .doctor, skill: .level3), asOf: date("2026-06-01"), rules: rules)
        #expect(points(educationWins, "education_or_skill") == 110)
        #expect(educationWins.items.first { $0.id == "education_or_skill" }?.explanation.hasPrefix("education 博士 110 counts") == true)
    }

    @Test func ageScale() {
        func agePoints(_ age: Int) -> Int? {
            let profile = PointsProfile(birthDate: date("1960-07-01"))
            let asOf = date("\(1960 + age)-07-01")
            return points(PointsEstimator.estimate(profile, asOf: asOf, rules: rules), "age")
        }
        #expect(agePoints(61) == 0)
        #expect(agePoints(60) == 5)
        #expect(agePoints(56) == 5)
        #expect(agePoints(55) == 7)
        #expect(agePoints(44) == 29)
        #expect(agePoints(43) == 30)
        #expect(agePoints(25) == 30)
    }

    @Test func ageCountsWholeYears() {
        let leap = PointsProfile(birthDate: date("2000-02-29"))
        #expect(PointsEstimator.estimate(leap, asOf: date("2056-02-28"), rules: rules).items[0].explanation.hasPrefix("age 55 "))
        #expect(PointsEstimator.estimate(leap, asOf: date("2056-03-01"), rules: rules).items[0].explanation.hasPrefix("age 56 "))
    }

    @Test func everyOtherIndicatorAndADeduction() {
        let profile = PointsProfile(
            birthDate: date("1976-06-15"), education: .associate, socialInsuranceMonths: 47, shortageMajor: true,
            spouseHukouYears: 12, remoteDistrictYears: 8, deductions: [.detention])
        let estimate = PointsEstimator.estimate(profile, asOf: date("2026-06-14"), rules: rules)
        #expect(points(estimate, "age") == 19)  // 49, birthday tomorrow
        #expect(points(estimate, "education_or_skill") == 50)
        #expect(points(estimate, "social_insurance") == 9)  // 47 months = 3 full years
        #expect(points(estimate, "shortage_major") == 30)
        #expect(points(estimate, "spouse_hukou") == 40)  // 48 capped
        #expect(points(estimate, "remote_district") == 16)
        #expect(points(estimate, "deduction.detention") == -50)
        #expect(estimate.total == 114)
        #expect(!estimate.meetsStandard)
    }

    @Test func remoteDistrictCountsFromFiveYearsAndCaps() {
        func remote(_ years: Int) -> Int? {
            points(PointsEstimator.estimate(PointsProfile(remoteDistrictYears: years), asOf: date("2026-01-01"), rules: rules), "remote_district")
        }
        #expect(remote(4) == 0)
        #expect(remote(5) == 10)
        #expect(remote(15) == 20)
    }

    @Test func emptyProfileScoresNothing() {
        let estimate = PointsEstimator.estimate(PointsProfile(), asOf: date("2026-01-01"), rules: rules)
        #expect(estimate.total == 0)
        #expect(estimate.items.map(\.id) == ["age", "education_or_skill", "social_insurance"])
    }

    @Test func rulesAreDataAnAgencyCanChange() throws {
        let json = try JSONEncoder().encode(rules)
        var custom = try JSONDecoder().decode(PointsRules.self, from: json)
        #expect(custom == rules)
        #expect(String(decoding: json, as: UTF8.self).contains("\"bachelor_degree\":90"))
        custom.version = "agency-2026"
        custom.standard = 130
        let estimate = PointsEstimator.estimate(
            PointsProfile(birthDate: date("1996-03-01"), education: .bachelorWithDegree, socialInsuranceMonths: 24),
            asOf: date("2026-06-01"), rules: custom)
        #expect(estimate.rulesVersion == "agency-2026")
        #expect(!estimate.meetsStandard)
    }

    @Test func estimateEncodesThatItIsAnEstimate() throws {
        let estimate = PointsEstimator.estimate(PointsProfile(education: .master), asOf: date("2026-01-01"), rules: rules)
        let json = try JSONEncoder().encode(estimate)
        #expect(String(decoding: json, as: UTF8.self).contains("\"is_estimate\":true"))
        #expect(try JSONDecoder().decode(PointsEstimate.self, from: json) == estimate)
    }

    @Test("eligibility is apart from the score: 126 points but 5 recent months, an expired permit or nothing recorded never meets the standard")
    func eligibilityApartFromTheScore() throws {
        let base = PointsProfile(
            birthDate: date("1996-03-01"), education: .bachelorWithDegree, socialInsuranceMonths: 24, insuranceMonthsLast12: 12,
            permitExpiry: date("2027-01-05"))
        for (change, check) in [
            ({ (p: inout PointsProfile) in p.insuranceMonthsLast12 = 5 }, "social_insurance_last_12"),
            ({ (p: inout PointsProfile) in p.permitExpiry = date("2026-05-31") }, "valid_permit"),
            ({ (p: inout PointsProfile) in p.insuranceMonthsLast12 = nil }, "social_insurance_last_12"),
            ({ (p: inout PointsProfile) in p.permitExpiry = nil }, "valid_permit"),
        ] as [((inout PointsProfile) -> Void, String)] {
            var profile = base
            change(&profile)
            let estimate = PointsEstimator.estimate(profile, asOf: date("2026-06-01"), rules: rules)
            #expect(estimate.total == 126 && estimate.scoreMeetsStandard, "the score is the same")
            #expect(!estimate.eligibility.eligible && !estimate.meetsStandard, "\(check)")
            let failed = try #require(estimate.eligibility.checks.first { $0.met != true })
            #expect(failed.id == check)
        }
        // 6 of 12 is enough; the months needed are rule data.
        var six = base
        six.insuranceMonthsLast12 = 6
        #expect(PointsEstimator.estimate(six, asOf: date("2026-06-01"), rules: rules).meetsStandard)
        var stricter = rules
        stricter.eligibilityInsuranceMonths = 9
        #expect(!PointsEstimator.estimate(six, asOf: date("2026-06-01"), rules: stricter).meetsStandard)
        // The remote-district reading is written in the rule data.
        #expect(rules.readings?["remote_district"]?.contains("4 years give 0 and 5 years give 10") == true)
    }
}
