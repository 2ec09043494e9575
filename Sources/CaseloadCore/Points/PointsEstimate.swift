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
    public var meetsStandard: Bool
    /// Always true, and encoded, so no client can mistake the number for the city's decision.
    public let isEstimate = true

    public init(rulesVersion: String, items: [Item], standard: Int) {
        self.rulesVersion = rulesVersion
        self.items = items
        self.total = items.reduce(0) { $0.saturatingAdding($1.points) }
        self.standard = standard
        self.meetsStandard = total >= standard
    }

    private enum CodingKeys: String, CodingKey {
        case items, total, standard
        case rulesVersion = "rules_version", meetsStandard = "meets_standard", isEstimate = "is_estimate"
    }

    // Hand-written because `isEstimate` is a constant: encoded, never decoded.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        rulesVersion = try c.decode(String.self, forKey: .rulesVersion)
        items = try c.decode([Item].self, forKey: .items)
        total = try c.decode(Int.self, forKey: .total)
        standard = try c.decode(Int.self, forKey: .standard)
        meetsStandard = try c.decode(Bool.self, forKey: .meetsStandard)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(rulesVersion, forKey: .rulesVersion)
        try c.encode(items, forKey: .items)
        try c.encode(total, forKey: .total)
        try c.encode(standard, forKey: .standard)
        try c.encode(meetsStandard, forKey: .meetsStandard)
        try c.encode(isEstimate, forKey: .isEstimate)
    }
}
