/// An organization code (组织机构代码), GB 11714-1997: eight characters over 0-9 A-Z and a
/// check character, written `XXXXXXXX-X`.
///
/// Companies registered before the three-certificates merger (三证合一) keep it as their unit
/// code (单位代码) in the points system, and it is embedded as characters 9-17 of every
/// unified social credit code.
///
/// Note the checksum is mod 11 while letters take values up to 35, so replacing a character
/// by one whose value differs by 11, 22 or 33 (e.g. `0` ↔ `B`) is not detected: that is a
/// property of the standard, not of this parser.
public struct OrganizationCode: Hashable, Sendable, CustomStringConvertible {
    /// Canonical written form: 8 characters, a hyphen, the check character (`77604965-3`).
    public let value: String
    /// False only when parsed with `acceptingBadChecksum: true` and the check character is
    /// wrong; the caller must then have recorded why the code was accepted anyway.
    public let checksumValid: Bool

    static let weights = [3, 7, 9, 10, 5, 8, 4, 2]

    private init(value: String, checksumValid: Bool) {
        self.value = value
        self.checksumValid = checksumValid
    }

    /// Validates and normalises a code as typed: any case, with or without the hyphen before
    /// the check character, surrounding whitespace ignored.
    ///
    /// Rules: `required`, `format` (8 characters of 0-9/A-Z, optional hyphen, then a digit or
    /// X), `checksum` (skipped when `acceptingBadChecksum` is true: the result then has
    /// `checksumValid == false`, for old codes that were issued with a wrong check character).
    public static func parse(
        _ raw: String, field: String = "org_code", acceptingBadChecksum: Bool = false
    ) throws(ValidationError) -> OrganizationCode {
        let trimmed = raw.trimmingWhitespace
        guard !trimmed.isEmpty else {
            throw ValidationError(
                field: field, rule: "required", message: "The organization code (组织机构代码) is required.", zh: "须填写组织机构代码")
        }
        var chars = trimmed.map(\.asciiUppercased)
        if chars.count == 10, chars[8] == "-" { chars.remove(at: 8) }
        let values = chars.prefix(8).compactMap(value(of:))
        guard chars.count == 9, values.count == 8, chars[8].asciiDigitValue != nil || chars[8] == "X" else {
            throw ValidationError(
                field: field, rule: "format",
                message: "An organization code (组织机构代码) is 8 letters or digits, then a digit or X, written XXXXXXXX-X.", zh: "组织机构代码为 8 位字母或数字加 1 位数字或 X，写作 XXXXXXXX-X")
        }
        let valid = chars[8] == checkCharacter(forValues: values)
        guard valid || acceptingBadChecksum else {
            throw ValidationError(
                field: field, rule: "checksum",
                message: "This organization code (组织机构代码) fails its check character; please check every character.", zh: "组织机构代码的校验码不对：请逐位核对")
        }
        return OrganizationCode(value: String(chars.prefix(8)) + "-" + String(chars[8]), checksumValid: valid)
    }

    /// 0-9 for digits, 10-35 for A-Z (uppercase ASCII only).
    static func value(of character: Character) -> Int? {
        if let digit = character.asciiDigitValue { return digit }
        guard let ascii = character.asciiValue, ascii >= UInt8(ascii: "A"), ascii <= UInt8(ascii: "Z") else { return nil }
        return Int(ascii - UInt8(ascii: "A")) + 10
    }

    /// C = 11 − (Σ value×weight mod 11), written `X` for 10 and `0` for 11.
    static func checkCharacter(forValues values: [Int]) -> Character {
        precondition(values.count == 8)
        let sum = zip(values, weights).reduce(0) { $0 + $1.0 * $1.1 }
        switch 11 - sum % 11 {
        case 10: return "X"
        case 11: return "0"
        case let c: return Character(String(c))
        }
    }

    /// The canonical form, `XXXXXXXX-X`.
    public var description: String { value }
}
