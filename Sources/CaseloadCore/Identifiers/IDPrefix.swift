import Foundation

/// The first characters of a record's id, as lists print it (`be880cef`): enough to name one
/// record when typing a whole uuid is not reasonable. Six characters at least; hyphens where
/// a uuid has them. The ids it names lie between `lowerBound` and `upperBound`, so a lookup
/// is a range scan of the primary key, not a pattern match over every id.
public struct IDPrefix: Sendable, Hashable, CustomStringConvertible {
    /// The fewest characters taken: with fewer, one prefix names too many records to be useful.
    public static let minimumLength = 6
    /// What a param holding an id accepts, in words (for errors and docs).
    public static let accepted = "a uuid, or its first \(minimumLength) or more characters as lists show them"

    /// The prefix as given, lowercased.
    public let text: String
    public let lowerBound: UUID
    public let upperBound: UUID

    private static let template = Array("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx")

    /// nil unless `text` is the start of a uuid's text form (hex digits, hyphens where a uuid
    /// has them), at least `minimumLength` characters long.
    public init?(_ text: String) {
        let characters = Array(text.lowercased())
        guard characters.count >= Self.minimumLength, characters.count <= Self.template.count else { return nil }
        for (character, slot) in zip(characters, Self.template) {
            if slot == "-" {
                guard character == "-" else { return nil }
            } else {
                guard character.isHexDigit, character.isASCII else { return nil }
            }
        }
        let given = String(characters)
        let rest = Self.template.dropFirst(characters.count)
        func filled(_ digit: Character) -> UUID? { UUID(uuidString: given + String(rest.map { $0 == "-" ? "-" : digit })) }
        guard let lower = filled("0"), let upper = filled("f") else { return nil }
        self.text = given
        self.lowerBound = lower
        self.upperBound = upper
    }

    /// Whether the id starts with this prefix.
    public func matches(_ id: UUID) -> Bool { id.lowercasedString.hasPrefix(text) }

    public var description: String { text }
}
