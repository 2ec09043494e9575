/// The ranges an agency's points rules must keep, so that no estimate can overflow and no
/// version can claim absurd numbers. Every value is checked when a version is added.
extension PointsRules {
    /// Points any one indicator may give (or a deduction take away).
    public static let pointsRange = 0...1000
    /// Ages in years, and years counted by the per-year indicators.
    public static let yearsRange = 0...150

    /// Every value outside its range, with the field as `rules.<key>` (the keys `points.rules.list` shows).
    public func validate() throws(ValidationError) {
        var issues: [FieldIssue] = []
        func check(_ value: Int, _ range: ClosedRange<Int>, _ field: String) {
            guard !range.contains(value) else { return }
            issues.append(FieldIssue(field: "rules.\(field)", rule: "range", .between(range)))
        }
        func checkAll<Key: RawRepresentable<String>>(_ values: [Key: Int], _ range: ClosedRange<Int>, _ field: String) {
            for (key, value) in values.sorted(by: { $0.key.rawValue < $1.key.rawValue }) { check(value, range, "\(field).\(key.rawValue)") }
        }
        let trimmed = version.trimmingWhitespace
        if trimmed.isEmpty || version.unicodeScalars.count > 50 || version.unicodeScalars.contains(where: { $0.value < 0x20 }) {
            issues.append(FieldIssue(
                field: "rules.version", rule: "format", message: "a version name is 1 to 50 printable characters", zh: "版本名须为 1 到 50 个可打印字符"))
        }
        if !CalendarDate.acceptedRange.contains(effectiveFrom) {
            issues.append(FieldIssue(field: "rules.effectiveFrom", rule: "range", .acceptedDate))
        }
        check(standard, 1...Self.pointsRange.upperBound, "standard")
        check(age.oldestAge, Self.yearsRange, "age.oldestAge")
        check(age.bandFromAge, Self.yearsRange, "age.bandFromAge")
        check(age.bandPoints, Self.pointsRange, "age.bandPoints")
        check(age.pointsPerYearYounger, Self.pointsRange, "age.pointsPerYearYounger")
        check(age.maximum, Self.pointsRange, "age.maximum")
        checkAll(education, Self.pointsRange, "education")
        checkAll(skill, Self.pointsRange, "skill")
        checkAll(contributionBase, Self.pointsRange, "contributionBase")
        check(socialInsurancePerYear, Self.pointsRange, "socialInsurancePerYear")
        check(shortageMajor, Self.pointsRange, "shortageMajor")
        check(freshGraduate, Self.pointsRange, "freshGraduate")
        check(spouseHukouPerYear, Self.pointsRange, "spouseHukouPerYear")
        check(spouseHukouMaximum, Self.pointsRange, "spouseHukouMaximum")
        check(remoteDistrictPerYear, Self.pointsRange, "remoteDistrictPerYear")
        check(remoteDistrictMinimumYears, Self.yearsRange, "remoteDistrictMinimumYears")
        check(remoteDistrictMaximum, Self.pointsRange, "remoteDistrictMaximum")
        checkAll(deductions, -Self.pointsRange.upperBound...0, "deductions")
        if let months = eligibilityInsuranceMonths { check(months, 0...12, "eligibilityInsuranceMonths") }
        for (id, text) in (readings ?? [:]).sorted(by: { $0.key < $1.key }) where text.unicodeScalars.count > 2000 {
            issues.append(FieldIssue(field: "rules.readings.\(id)", rule: "max_length", .atMost(characters: 2000)))
        }
        guard issues.isEmpty else { throw ValidationError(issues) }
    }
}
