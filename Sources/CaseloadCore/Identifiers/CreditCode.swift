/// A unified social credit code (统一社会信用代码), GB 32100-2015: 18 characters over
/// `0123456789ABCDEFGHJKLMNPQRTUWXY` (no I, O, S, V, Z, which are too easily misread).
///
/// Layout: registration authority (1), organization type (1), administrative division (6),
/// organization code (9, itself with a GB 11714 check character), check character (1).
public struct CreditCode: Hashable, Sendable, CustomStringConvertible {
    /// The normalised code: 18 uppercase characters, no spaces.
    public let value: String
    /// False only when parsed with `acceptingBadChecksum: true` and the check character is
    /// wrong; the caller must then have recorded why the code was accepted anyway.
    public let checksumValid: Bool

    /// The 31 characters in order of value 0...30.
    static let alphabet: [Character] = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
    /// Weights of characters 1-17: 3^(i-1) mod 31.
    static let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

    private init(value: String, checksumValid: Bool) {
        self.value = value
        self.checksumValid = checksumValid
    }

    /// Validates and normalises a code as typed: any case, whitespace anywhere ignored (codes
    /// are often copied from certificates in groups).
    ///
    /// Rules: `required`; `format` (a character outside the alphabet, named in the message, a
    /// length other than 18, or a letter among characters 2-8, which are digits); `checksum`. Some real codes issued early fail the checksum, so
    /// with `acceptingBadChecksum: true` such a code is returned with `checksumValid == false`
    /// instead: allow a recorded override, never a silent one.
    public static func parse(
        _ raw: String, field: String = "credit_code", acceptingBadChecksum: Bool = false
    ) throws(ValidationError) -> CreditCode {
        let chars = raw.filter { !$0.isWhitespace }.map(\.asciiUppercased)
        guard !chars.isEmpty else {
            throw ValidationError(
                field: field, rule: "required", message: "The unified social credit code (统一社会信用代码) is required.", zh: "须填写统一社会信用代码")
        }
        var values: [Int] = []
        values.reserveCapacity(chars.count)
        for (offset, character) in chars.enumerated() {
            guard let value = value(of: character) else {
                let hint = "IOSVZ".contains(character) ? " (I, O, S, V and Z are never used)" : ""
                throw ValidationError(
                    field: field, rule: "format",
                    message: "The credit code (统一社会信用代码) contains \"\(character)\" at position \(offset + 1), which is not allowed\(hint).",
                    zh: "统一社会信用代码第 \(offset + 1) 位的“\(character)”不是允许的字符" + ("IOSVZ".contains(character) ? "（I、O、S、V、Z 从不使用）" : ""))
            }
            values.append(value)
        }
        guard chars.count == 18 else {
            throw ValidationError(
                field: field, rule: "format",
                message: "A credit code (统一社会信用代码) has 18 characters, not \(chars.count).", zh: "统一社会信用代码为 18 位，不是 \(chars.count) 位")
        }
        // Characters 2-8: the organization type (one digit) and the six-digit administrative
        // division code (GB/T 2260) of the registering authority. Letters there are a typo.
        if let offset = (1...7).first(where: { chars[$0].asciiDigitValue == nil }) {
            throw ValidationError(
                field: field, rule: "format",
                message: "The credit code (统一社会信用代码) has \"\(chars[offset])\" at position \(offset + 1): characters 2-8 are digits "
                    + "(the organization type, then the 6-digit division code).", zh: "统一社会信用代码第 \(offset + 1) 位是“\(chars[offset])”：第 2 至 8 位应为数字（机构类别代码和 6 位行政区划码）")
        }
        let valid = values[17] == checkValue(forValues: Array(values.prefix(17)))
        guard valid || acceptingBadChecksum else {
            throw ValidationError(
                field: field, rule: "checksum",
                message: "This credit code (统一社会信用代码) fails its check character; please check every character.", zh: "统一社会信用代码的校验码不对：请逐位核对")
        }
        return CreditCode(value: String(chars), checksumValid: valid)
    }

    /// The value 0...30 of a character of the alphabet (uppercase), else nil.
    static func value(of character: Character) -> Int? {
        alphabet.firstIndex(of: character)
    }

    /// 31 − (Σ value×weight mod 31), with 31 written as 0.
    static func checkValue(forValues values: [Int]) -> Int {
        precondition(values.count == 17)
        let sum = zip(values, weights).reduce(0) { $0 + $1.0 * $1.1 }
        return (31 - sum % 31) % 31
    }

    /// Characters 9-17: the embedded organization code without its hyphen (`776049653`).
    public var organizationCode: String {
        String(value.dropFirst(8).prefix(9))
    }

    /// The embedded organization code, if it passes its own GB 11714 check. Codes of
    /// individual businesses (个体工商户) and some others carry no real organization code
    /// there, so nil is a normal outcome, not an error.
    public var validOrganizationCode: OrganizationCode? {
        try? OrganizationCode.parse(organizationCode)
    }

    /// The code itself: a company identifier is public information, unlike an ID number.
    public var description: String { value }
}
