/// Estimates points from a profile with a version of the rules. Pure arithmetic over data.
public enum PointsEstimator {
    /// The estimate as of `asOf` (which fixes the age). Every product and sum saturates: rules
    /// are range-checked when added (`PointsRules.validate`), but one stored earlier may not be. Always lists age, education/skill and
    /// social insurance (0 with a reason when unknown); other indicators only when they score.
    public static func estimate(_ profile: PointsProfile, asOf: CalendarDate, rules: PointsRules) -> PointsEstimate {
        typealias Item = PointsEstimate.Item
        var items: [Item] = []

        if let birth = profile.birthDate {
            let age = wholeYears(from: birth, to: asOf)
            let points = rules.age.points(age: age)
            items.append(Item(
                id: "age", chineseName: "年龄", englishName: "Age", points: points,
                explanation: "age \(age) on \(asOf.iso) (born \(birth.iso))"
                    + (age > rules.age.oldestAge ? ": over \(rules.age.oldestAge), no points" : "")))
        } else {
            items.append(Item(id: "age", chineseName: "年龄", englishName: "Age", points: 0, explanation: "birth date unknown"))
        }

        items.append(educationOrSkill(profile, rules))

        let years = max(0, profile.socialInsuranceMonths) / 12
        items.append(Item(
            id: "social_insurance", chineseName: "社会保险", englishName: "Shanghai social insurance",
            points: years.saturatingMultiplied(by: rules.socialInsurancePerYear),
            explanation: "\(profile.socialInsuranceMonths) months = \(years) full years × \(rules.socialInsurancePerYear)"))

        if let base = profile.contributionBase, let points = rules.contributionBase[base] {
            items.append(Item(
                id: "contribution_base", chineseName: "社保缴费基数", englishName: "Contribution base", points: points,
                explanation: base.chineseName))
        }
        if profile.shortageMajor {
            items.append(Item(
                id: "shortage_major", chineseName: "紧缺急需专业", englishName: "Shortage major", points: rules.shortageMajor,
                explanation: "major on the shortage list"))
        }
        if profile.freshGraduate {
            items.append(Item(
                id: "fresh_graduate", chineseName: "应届毕业生", englishName: "Fresh graduate", points: rules.freshGraduate,
                explanation: "fresh full-time graduate"))
        }
        if profile.spouseHukouYears > 0 {
            let points = min(rules.spouseHukouMaximum, profile.spouseHukouYears.saturatingMultiplied(by: rules.spouseHukouPerYear))
            items.append(Item(
                id: "spouse_hukou", chineseName: "配偶本市户籍", englishName: "Spouse with Shanghai hukou", points: points,
                explanation: "\(profile.spouseHukouYears) years × \(rules.spouseHukouPerYear), at most \(rules.spouseHukouMaximum)"))
        }
        if profile.remoteDistrictYears > 0 {
            let counts = profile.remoteDistrictYears >= rules.remoteDistrictMinimumYears
            let points = counts ? min(rules.remoteDistrictMaximum, profile.remoteDistrictYears.saturatingMultiplied(by: rules.remoteDistrictPerYear)) : 0
            items.append(Item(
                id: "remote_district", chineseName: "远郊重点区域", englishName: "Remote district", points: points,
                explanation: counts
                    ? "\(profile.remoteDistrictYears) years × \(rules.remoteDistrictPerYear), at most \(rules.remoteDistrictMaximum)"
                    : "\(profile.remoteDistrictYears) years: counts only from \(rules.remoteDistrictMinimumYears) years"))
        }
        for deduction in profile.deductions {
            items.append(Item(
                id: "deduction.\(deduction.rawValue)", chineseName: deduction.chineseName, englishName: deduction.englishName,
                points: rules.deductions[deduction] ?? 0, explanation: "deduction (减分)"))
        }
        return PointsEstimate(rulesVersion: rules.version, items: items, standard: rules.standard, eligibility: eligibility(profile, asOf: asOf, rules: rules))
    }

    /// The checks besides the score: social insurance in the recent months, a valid permit.
    public static func eligibility(_ profile: PointsProfile, asOf: CalendarDate, rules: PointsRules) -> Eligibility {
        let needed = rules.requiredInsuranceMonths
        let insurance: Eligibility.Check
        if let months = profile.insuranceMonthsLast12 {
            insurance = .init(
                id: "social_insurance_last_12", chineseName: "近12个月社保", englishName: "Social insurance, last 12 months", met: months >= needed,
                explanation: "\(months) of the last 12 months paid on time (back-payments excluded); at least \(needed) needed")
        } else {
            insurance = .init(
                id: "social_insurance_last_12", chineseName: "近12个月社保", englishName: "Social insurance, last 12 months", met: nil,
                explanation: "not recorded: at least \(needed) of the last 12 months paid on time (back-payments excluded) are needed")
        }
        let permit: Eligibility.Check
        if let expiry = profile.permitExpiry {
            permit = .init(
                id: "valid_permit", chineseName: "有效居住证", englishName: "Valid residence permit", met: expiry >= asOf,
                explanation: expiry >= asOf ? "valid until \(expiry.iso)" : "expired on \(expiry.iso), before \(asOf.iso)")
        } else {
            permit = .init(
                id: "valid_permit", chineseName: "有效居住证", englishName: "Valid residence permit", met: nil,
                explanation: "not recorded: the permit's expiry date is needed")
        }
        return Eligibility(checks: [insurance, permit])
    }

    /// Education and skill/title do not add up: only the higher counts (education on a tie).
    private static func educationOrSkill(_ profile: PointsProfile, _ rules: PointsRules) -> PointsEstimate.Item {
        let education = profile.education.map { ($0, rules.education[$0] ?? 0) }
        let skill = profile.skill.map { ($0, rules.skill[$0] ?? 0) }
        let chinese = "学历或职称技能", english = "Education or title/skill"
        func item(_ points: Int, _ explanation: String) -> PointsEstimate.Item {
            .init(id: "education_or_skill", chineseName: chinese, englishName: english, points: points, explanation: explanation)
        }
        switch (education, skill) {
        case (nil, nil):
            return item(0, "no education or title/skill recorded")
        case let (e?, nil):
            return item(e.1, "education \(e.0.chineseName) \(e.1)")
        case let (nil, s?):
            return item(s.1, "title/skill \(s.0.chineseName) \(s.1)")
        case let (e?, s?):
            return e.1 >= s.1
                ? item(e.1, "education \(e.0.chineseName) \(e.1) counts; title/skill \(s.0.chineseName) \(s.1) does not (only the higher counts)")
                : item(s.1, "title/skill \(s.0.chineseName) \(s.1) counts; education \(e.0.chineseName) \(e.1) does not (only the higher counts)")
        }
    }

    /// Age in whole years on `date`: birthdays not yet reached this year do not count
    /// (someone born on 29 February turns a year older on 1 March in common years).
    static func wholeYears(from birth: CalendarDate, to date: CalendarDate) -> Int {
        let beforeBirthday = (date.month, date.day) < (birth.month, birth.day)
        return date.year - birth.year - (beforeBirthday ? 1 : 0)
    }
}
