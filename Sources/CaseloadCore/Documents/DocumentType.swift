/// Whose paper a document is: the client company's (licence, IC card, introduction letter)
/// or the applicant's own (ID card, diplomas). Company papers serve every applicant of the
/// company; applicant papers belong to one case.
public enum OwnerLevel: String, CaseIterable, Sendable, Hashable, Codable {
    case company
    case applicant

    public static func parse(_ raw: String, field: String = "owner") throws(ValidationError) -> OwnerLevel {
        try parseEnum(raw, as: OwnerLevel.self, field: field)
    }
}

/// A kind of paper the agency asks for, receives, stores and hands in: 营业执照, 毕业证书, ...
public struct DocumentType: Sendable, Hashable, Codable {
    /// Stable snake_case id, e.g. `graduation_certificate`.
    public var id: String
    /// e.g. 毕业证书
    public var chineseName: String
    /// e.g. Graduation certificate
    public var englishName: String
    public var owner: OwnerLevel
    /// The forms in which this paper is normally asked for (checklists pick among them).
    public var expectedForms: [DocumentForm]

    public init(id: String, chineseName: String, englishName: String, owner: OwnerLevel, expectedForms: [DocumentForm]) {
        self.id = id
        self.chineseName = chineseName
        self.englishName = englishName
        self.owner = owner
        self.expectedForms = expectedForms
    }

    /// "毕业证书 (Graduation certificate)", the form every user-facing message uses.
    public var displayName: String { "\(chineseName) (\(englishName))" }

    enum CodingKeys: String, CodingKey {
        case id
        case chineseName = "chinese_name"
        case englishName = "english_name"
        case owner
        case expectedForms = "expected_forms"
    }
}
