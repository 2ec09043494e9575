/// A mainland resident identity card number (居民身份证号码), GB 11643-1999: six digits of
/// address code, eight of birth date, three of sequence (odd = male), one check character.
///
/// The number is personal data: `description`, `debugDescription` and the mirror all show
/// only the masked form, so it cannot leak through string interpolation, logs or `dump`.
/// Read `value` explicitly where the full number is really needed.
public struct ResidentIDNumber: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The normalised number: 18 characters, 17 ASCII digits then a digit or uppercase `X`.
    public let value: String
    /// The birth date encoded in digits 7-14.
    public let birthDate: CalendarDate
    /// Whether the sequence code (digit 17) is odd, which the standard assigns to men.
    public let isMale: Bool

    /// Weights of digits 1-17: 2^(18-i) mod 11.
    static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    /// Check character indexed by S mod 11.
    static let checkCharacters: [Character] = Array("10X98765432")

    private init(value: String, birthDate: CalendarDate, isMale: Bool) {
        self.value = value
        self.birthDate = birthDate
        self.isMale = isMale
    }

    /// Validates and normalises a number as typed: surrounding whitespace is ignored and a
    /// lowercase `x` check character is accepted.
    ///
    /// Rules, checked in this order (the first broken one is reported): `required`, `format`
    /// (17 digits then a digit or X), `checksum`, `birth_date` (digits 7-14 a real date in
    /// 1900 or later, and, given `today`, not after it). The checksum comes before the birth
    /// date because a typo is far more likely than a genuine number with an impossible date,
    /// and "check the digits" is the more useful message for a typo.
    public static func parse(_ raw: String, field: String = "id_number", today: CalendarDate? = nil) throws(ValidationError) -> ResidentIDNumber {
        let trimmed = raw.trimmingWhitespace
        guard !trimmed.isEmpty else {
            throw ValidationError(field: field, rule: "required", message: "The ID number (身份证号码) is required.", zh: "须填写身份证号码")
        }
        let chars = Array(trimmed)
        let digits = chars.prefix(17).compactMap(\.asciiDigitValue)
        guard chars.count == 18, digits.count == 17,
              chars[17].asciiDigitValue != nil || chars[17].asciiUppercased == "X"
        else {
            throw ValidationError(
                field: field, rule: "format",
                message: "An ID number (身份证号码) has 18 characters: 17 digits, then a digit or X.", zh: "身份证号码为 18 位：17 位数字，再加 1 位数字或 X")
        }
        let check = chars[17].asciiUppercased
        let expected = checkCharacter(forDigits: digits)
        guard check == expected else {
            throw ValidationError(
                field: field, rule: "checksum",
                message: "This ID number (身份证号码) fails its check digit; please check every digit.", zh: "身份证号码的校验码不对：请逐位核对")
        }
        let year = digits[6] * 1000 + digits[7] * 100 + digits[8] * 10 + digits[9]
        let month = digits[10] * 10 + digits[11]
        let day = digits[12] * 10 + digits[13]
        guard year >= 1900, let birthDate = CalendarDate(year: year, month: month, day: day) else {
            throw ValidationError(
                field: field, rule: "birth_date",
                message: "The birth date in this ID number (digits 7-14) is not a real date.", zh: "身份证号码中的出生日期（第 7 至 14 位）不是真实的日期")
        }
        if let today, birthDate > today {
            throw ValidationError(
                field: field, rule: "birth_date",
                message: "The birth date in this ID number (digits 7-14), \(birthDate.iso), is in the future.", zh: "身份证号码中的出生日期（第 7 至 14 位）晚于今天")
        }
        return ResidentIDNumber(
            value: String(chars.prefix(17)) + String(check), birthDate: birthDate, isMale: digits[16] % 2 == 1)
    }

    /// The check character for 17 digit values: `"10X98765432"[Σ digit×weight mod 11]`.
    public static func checkCharacter(forDigits digits: [Int]) -> Character {
        precondition(digits.count == 17)
        let sum = zip(digits, weights).reduce(0) { $0 + $1.0 * $1.1 }
        return checkCharacters[sum % 11]
    }

    /// A valid number from its area code (6 digits), birth date and sequence (0...999): for
    /// demo and benchmark data.
    public static func make(area: String, birth: CalendarDate, sequence: Int) -> String {
        let body = area + birth.iso.filter { $0 != "-" } + String(repeating: "0", count: sequence < 10 ? 2 : sequence < 100 ? 1 : 0) + String(sequence)
        return body + String(checkCharacter(forDigits: body.compactMap(\.wholeNumberValue)))
    }

    /// First 3 and last 4 characters with 11 asterisks between: `110***********002X`.
    /// Enough for a person to recognise their own number, too little to reuse it.
    public var masked: String {
        String(value.prefix(3)) + String(repeating: "*", count: 11) + String(value.suffix(4))
    }

    /// The masked form; never the full number.
    public var description: String { masked }
    public var debugDescription: String { "ResidentIDNumber(\(masked))" }
    public var customMirror: Mirror { Mirror(self, children: ["masked": masked], displayStyle: .struct) }
}
