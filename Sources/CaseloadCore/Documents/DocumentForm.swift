/// The form in which a paper is held or handed in: the original, a plain copy, or a copy
/// bearing the company's official seal (加盖公章的复印件).
public enum DocumentForm: String, CaseIterable, Sendable, Hashable, Codable {
    case original
    case copy
    case sealedCopy = "sealed_copy"

    public var chineseName: String {
        switch self {
        case .original: "原件"
        case .copy: "复印件"
        case .sealedCopy: "加盖公章复印件"
        }
    }

    public var englishName: String {
        switch self {
        case .original: "original"
        case .copy: "copy"
        case .sealedCopy: "sealed copy"
        }
    }

    /// Whether holding a paper in this form meets a requirement for `required`.
    ///
    /// - The same form always does.
    /// - An original meets a plain-copy requirement: a copy can be made on the spot.
    /// - A sealed copy meets a plain-copy requirement: it is a copy, with a seal on top.
    /// - Nothing but a sealed copy meets a sealed-copy requirement: only the company can seal,
    ///   and the company's seal is not in the agency's drawer, so an original is not enough.
    /// - Nothing but an original meets an original requirement.
    public func satisfies(_ required: DocumentForm) -> Bool {
        switch (self, required) {
        case _ where self == required: true
        case (.original, .copy), (.sealedCopy, .copy): true
        default: false
        }
    }

    public static func parse(_ raw: String, field: String = "form") throws(ValidationError) -> DocumentForm {
        try parseEnum(raw, as: DocumentForm.self, field: field)
    }
}
