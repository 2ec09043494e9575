/// A mainland mobile number: 11 digits starting with 1. SMS notices from the city go to the
/// number on the application form, so it is worth validating at entry.
///
/// Like `ResidentIDNumber`, it is personal data: `description`, `debugDescription` and the
/// mirror show only the masked form.
public struct MobileNumber: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The 11 digits, without country code or separators.
    public let value: String

    private init(value: String) {
        self.value = value
    }

    /// Validates and normalises a number as typed: spaces and hyphens anywhere are ignored,
    /// and a leading `+86` or `86` country code is dropped when 13 digits remain.
    ///
    /// Rules: `required`, `format`.
    public static func parse(_ raw: String, field: String = "phone") throws(ValidationError) -> MobileNumber {
        var chars = raw.filter { !$0.isWhitespace && $0 != "-" }
        guard !chars.isEmpty else {
            throw ValidationError(field: field, rule: "required", message: "The mobile number (手机号码) is required.", zh: "须填写手机号码")
        }
        // A "+" is only meaningful before the Chinese country code; any other "+..." is a
        // foreign number, which cannot receive the city's SMS notices.
        let hadPlus = chars.hasPrefix("+")
        if hadPlus { chars.removeFirst() }
        let allDigits = chars.allSatisfy { $0.asciiDigitValue != nil }
        let hasCountryCode = allDigits && chars.count == 13 && chars.hasPrefix("86")
        if hasCountryCode { chars.removeFirst(2) }
        guard allDigits, chars.count == 11, chars.hasPrefix("1"), hasCountryCode || !hadPlus else {
            throw ValidationError(
                field: field, rule: "format",
                message: "A mobile number (手机号码) has 11 digits and starts with 1.", zh: "手机号码为 11 位数字，以 1 开头")
        }
        return MobileNumber(value: chars)
    }

    /// First 3 and last 4 digits with 4 asterisks between: `138****0001`.
    public var masked: String {
        String(value.prefix(3)) + "****" + String(value.suffix(4))
    }

    /// The masked form; never the full number.
    public var description: String { masked }
    public var debugDescription: String { "MobileNumber(\(masked))" }
    public var customMirror: Mirror { Mirror(self, children: ["masked": masked], displayStyle: .struct) }
}
