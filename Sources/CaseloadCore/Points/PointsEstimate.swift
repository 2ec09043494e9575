/// A points estimate, item by item. Always an estimate: the city decides the real score.
public struct PointsEstimate: Sendable, Hashable, Codable {
    /// One indicator's contribution.
    public struct Item: Sendable, Hashable, Codable {
        /// Stable indicator id, e.g. `age`, `education_or_skill`, `social_insurance`, `deduction.detention`.
        public var id: String
        public var chineseName: String
        public var englishName: String
        /// Negative for deductions.
        public var points: Int
        /// How the points were reached, in English with the Chinese terms.
        public var explanation: String

        public init(id: String, chineseName: String, englishName: String, points: Int, explanation: String) {
            self.id = id
            self.chineseName = chineseName
            self.englishName = englishName
            self.points = points
            self.explanation = explanation
        }

        enum CodingKeys: String, CodingKey {
            case id, points, explanation
            case chineseName = "chinese_name", englishName = "english_name"
        }
    }

    /// `PointsRules.version` the estimate was made with.
    public var rulesVersion: String
    public var items: [Item]
    public var total: Int
    public var standard: Int
    /// Whether the score alone reaches the standard.
    public var scoreMeetsStandard: Bool
    /// Whether the applicant may apply at all: apart from the score.
    public var eligibility: Eligibility
    /// Eligible and the score reaches the standard: never true for an ineligible applicant.
    public var meetsStandard: Bool
    /// Always true, and encoded, so no client can mistake the number for the city's decision.
    public let isEstimate = true

    public init(rulesVersion: String, items: [Item], standard: Int, eligibility: Eligibility = Eligibility(checks: [])) {
        self.rulesVersion = rulesVersion
        self.items = items
        self.total = items.reduce(0) { $0.saturatingAdding($1.points) }
        self.standard = standard
        self.scoreMeetsStandard = total >= standard
        self.eligibility = eligibility
        self.meetsStandard = scoreMeetsStandard && eligibility.eligible
    }

    private enum CodingKeys: String, CodingKey {
        case items, total, standard, eligibility
        case rulesVersion = "rules_version", meetsStandard = "meets_standard", isEstimate = "is_estimate"
        case scoreMeetsStandard = "score_meets_standard"
    }

    // Hand-written because `isEstimate` is a constant: encoded, never decoded.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        rulesVersion = try c.decode(String.self, forKey: .rulesVersion)
        items = try c.decode([Item].self, forKey: .items)
        total = try c.decode(Int.self, forKey: .total)
        standard = try c.decode(Int.self, forKey: .standard)
        scoreMeetsStandard = try c.decode(Bool.self, forKey: .scoreMeetsStandard)
        eligibility = try c.decode(Eligibility.self, forKey: .eligibility)
        meetsStandard = try c.decode(Bool.self, forKey: .meetsStandard)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(rulesVersion, forKey: .rulesVersion)
        try c.encode(items, forKey: .items)
        try c.encode(total, forKey: .total)
        try c.encode(standard, forKey: .standard)
        try c.encode(scoreMeetsStandard, forKey: .scoreMeetsStandard)
        try c.encode(eligibility, forKey: .eligibility)
        try c.encode(meetsStandard, forKey: .meetsStandard)
        try c.encode(isEstimate, forKey: .isEstimate)
    }
}

/// Whether an applicant may apply for points at all, check by check: not a part of the score.
/// A check not known (nothing recorded) is not met: eligibility is shown, never assumed.
public struct Eligibility: Sendable, Hashable, Codable {
    public struct Check: Sendable, Hashable, Codable {
        /// `social_insurance_last_12`, `valid_permit`.
        public var id: String
        public var chineseName: String
        public var englishName: String
        /// nil when what it needs is not recorded.
        public var met: Bool?
        public var explanation: String

        public init(id: String, chineseName: String, englishName: String, met: Bool?, explanation: String) {
            self.id = id
            self.chineseName = chineseName
            self.englishName = englishName
            self.met = met
            self.explanation = explanation
        }

        enum CodingKeys: String, CodingKey {
            case id, met, explanation
            case chineseName = "chinese_name", englishName = "english_name"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(chineseName, forKey: .chineseName)
            try c.encode(englishName, forKey: .englishName)
            try c.encode(met, forKey: .met)  // null, not absent, when unknown
            try c.encode(explanation, forKey: .explanation)
        }
    }

    public var checks: [Check]
    /// Every check met.
    public var eligible: Bool { checks.allSatisfy { $0.met == true } }

    public init(checks: [Check]) {
        self.checks = checks
    }

    private enum CodingKeys: String, CodingKey { case checks, eligible }

    public init(from decoder: any Decoder) throws {
        checks = try decoder.container(keyedBy: CodingKeys.self).decode([Check].self, forKey: .checks)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(eligible, forKey: .eligible)
        try c.encode(checks, forKey: .checks)
    }
}
