/// The language a session's error messages are written in, chosen at `auth.login` or with
/// `auth.set_language`. Only the human sentences change: codes, `data.errors[].field` and
/// `.rule`, and every other member of `data` are the same in each language.
public enum Language: String, CaseIterable, Sendable, Codable {
    case en
    case zh

    /// What a session starts with.
    public static let standard = Language.en

    /// The accepted spellings, for schemas and refusals.
    public static var names: [String] { allCases.map(\.rawValue) }
}
