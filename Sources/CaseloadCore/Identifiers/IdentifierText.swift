// Small ASCII helpers shared by the identifier parsers. They work on ASCII only, on purpose:
// `Character.isNumber` and `uppercased()` accept or produce far more than the national
// standards allow (full-width digits, "ß" → "SS"), which would shift positions or let
// look-alikes through the checksum code.

extension String {
    /// The string without leading and trailing whitespace (including U+3000, the ideographic
    /// space a Chinese input method types).
    var trimmingWhitespace: Substring {
        guard let start = firstIndex(where: { !$0.isWhitespace }) else { return "" }
        let end = lastIndex(where: { !$0.isWhitespace })!
        return self[start...end]
    }
}

extension Character {
    /// `self` with a-z mapped to A-Z; everything else unchanged.
    var asciiUppercased: Character {
        guard let ascii = asciiValue, ascii >= UInt8(ascii: "a"), ascii <= UInt8(ascii: "z") else { return self }
        return Character(Unicode.Scalar(ascii - 32))
    }

    /// The value 0-9 of an ASCII digit, else nil.
    var asciiDigitValue: Int? {
        guard let ascii = asciiValue, ascii >= UInt8(ascii: "0"), ascii <= UInt8(ascii: "9") else { return nil }
        return Int(ascii - UInt8(ascii: "0"))
    }
}
