import CaseloadCore
import CaseloadProtocol
import Foundation

/// The boundary and hostile values the semantic fuzzer tries, per type and format.
public enum EdgeValues {
    /// Today (UTC), the anchor of "today ± N".
    public static var today: CalendarDate { CalendarDate(daysSinceEpoch: Int(Date().timeIntervalSince1970 / 86_400)) }

    /// Real dates at the edges of the calendar and of the app's ranges (all valid `date`s).
    public static func boundaryDates(today: CalendarDate) -> [String] {
        let fixed = [
            "0001-01-01", "0001-01-02", "1899-12-31", "1900-01-01", "1900-03-01", "1969-12-31", "1970-01-01", "2000-02-29",
            "2100-12-31", "2101-01-01", "2999-12-31", "9999-12-30", "9999-12-31",
        ]
        let offsets = [-36_500, -3650, -366, -30, -1, 0, 1, 2, 30, 365, 366, 3650, 36_500]
        let relative = offsets.map { today.adding(days: $0) }.filter { $0 >= CalendarDate.minimum && $0 <= CalendarDate.maximum }.map(\.iso)
        return fixed + relative
    }

    /// The calendar's ends and the app's century bounds: where date arithmetic overflows.
    public static let extremeDates = ["9999-12-31", "9999-12-30", "0001-01-01", "0001-01-02", "1899-12-31", "1900-01-01", "2100-12-31", "2101-01-01"]

    /// Strings that are not valid dates, or only nearly: Feb 29 of non-leap years, month 13,
    /// no padding, other separators, times, years beyond four digits.
    public static let malformedDates = [
        "2025-02-29", "1900-02-29", "2100-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "2026-1-5", "2026/01/05", "20260105",
        "0000-01-01", "10000-01-01", "-0001-01-01", "2026-01-05T00:00:00Z", " 2026-01-05", "2026-01-05 ", "", "today", "２０２６-０１-０５",
        "9999-12-32", "2026-01-05\u{0000}",
    ]

    public static func boundaryDateTimes(today: CalendarDate) -> [String] {
        [
            "0001-01-01T00:00:00Z", "1899-12-31T23:59:59Z", "1970-01-01T00:00:00Z", "2100-12-31T23:59:59Z", "9999-12-31T23:59:59Z",
            "\(today.iso)T00:00:00Z", "\(today.iso)T23:59:59+08:00", "\(today.iso)T12:00:00-14:00", "\(today.iso)T12:00:00.123456Z",
            "\(today.adding(days: 1).iso)T00:00:00+14:00",
        ]
    }

    public static let malformedDateTimes = [
        "2026-01-05", "2026-01-05T25:00:00Z", "2026-02-29T00:00:00Z", "2026-01-05T00:00:60Z", "2026-01-05 00:00:00", "2026-01-05T00:00:00",
        "", "now", "9999-12-31T23:59:59+99:99", "10000-01-01T00:00:00Z",
    ]

    public static let malformedUUIDs = [
        "", "0", "00000000-0000-0000-0000-00000000000", "00000000-0000-0000-0000-0000000000000", "{00000000-0000-0000-0000-000000000000}",
        "00000000000000000000000000000000", "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz", "00000000-0000-0000-0000-000000000000\u{0000}",
        " 00000000-0000-0000-0000-000000000000", "'; DROP TABLE cases; --",
    ]

    /// Integers every param should survive or refuse: around zero, 2^31, 2^53, Int64's ends.
    public static let integers: [Int64] = [
        0, 1, -1, 2, 7, 12, 100, 120, 999, 1000, 1001, 3650, 3651, 65_535, 1 << 31, (1 << 31) - 1, -(1 << 31), -(1 << 31) - 1, 1 << 32, 1 << 53,
        (1 << 53) + 1, -(1 << 53), Int64.max, Int64.max - 1, Int64.min, Int64.min + 1,
    ]

    /// Characters that break naive text handling: NUL and other controls, bidi overrides,
    /// zero-width and BOM, emoji (with ZWJ and skin tone), combining marks, CJK, surrogate-range
    /// neighbours, SQL and LIKE metacharacters, HTML and CSV specials.
    public static let nastyPieces = [
        "\u{0000}", "\u{0001}", "\u{001F}", "\u{007F}", "\n", "\r\n", "\t", "\u{202E}", "\u{202D}", "\u{200B}", "\u{200D}", "\u{FEFF}",
        "\u{FFFD}", "\u{FFFF}", "\u{10FFFF}", "😀", "👩‍👩‍👧‍👦", "👍🏽", "🇨🇳", "e\u{0301}", "Z\u{0351}\u{0352}\u{0353}\u{0354}\u{0355}", "中文", "上海浦东新区",
        "𠀀", "Ω", "ß", "İ", "'", "\"", "\\", "%", "_", "' OR '1'='1", "'; DROP TABLE cases; --", "<script>alert(1)</script>", "=cmd|' /C calc'!A0",
        "${jndi:ldap://x}", "%s%n", "../../etc/passwd", ",", "\"\"", "\u{00A0}", "\u{3000}", "NaN", "null",
    ]

    /// A string of `count` characters (grapheme clusters, as the server counts), cycling `piece`.
    public static func repeated(_ piece: String, characters count: Int) -> String {
        guard count > 0, !piece.isEmpty else { return "" }
        let unit = Array(piece)
        var out = ""
        for i in 0..<count { out.append(unit[i % unit.count]) }
        return out
    }

    /// Type-valid edge strings for a string param with these bounds (each at most `maximum`
    /// characters and `byteBudget` UTF-8 bytes).
    public static func boundaryString(minimum: Int, maximum: Int?, byteBudget: Int, _ random: inout FuzzRandom) -> String {
        let top = min(maximum ?? 100_000, byteBudget / 16)
        let low = max(minimum, 0)
        var candidate: String
        switch random.below(12) {
        case 0: candidate = ""
        case 1: candidate = random.pick([" ", "   ", "\t", "\u{3000}", "\u{00A0}", "\u{200B}"])
        case 2: candidate = repeated("x", characters: top)  // exactly the maximum, ASCII
        case 3: candidate = repeated(random.pick(["中", "😀", "e\u{0301}", "👩‍👩‍👧‍👦", "𠀀"]), characters: top)  // the maximum in clusters
        case 4: candidate = "a\u{0000}b"
        case 5: candidate = "\u{202E}" + random.pick(["txt.exe", "中文", "abc"])
        case 6: candidate = random.pick(nastyPieces)
        case 7: candidate = (0..<(1 + random.below(6))).map { _ in random.pick(nastyPieces) }.joined()
        case 8: candidate = "e" + String(repeating: "\u{0301}", count: min(max(1, top), 2000))  // one character, many scalars
        case 9: candidate = random.pick(["0", "-1", "true", "null", "[]", "{}", "1e400"])
        case 10: candidate = repeated("x", characters: max(low, 1))  // the minimum
        default: candidate = repeated("中文Ab", characters: max(low, min(top, 1 + random.below(50))))
        }
        if let maximum, candidate.count > maximum { candidate = String(candidate.prefix(maximum)) }
        if candidate.count < low { candidate += repeated("x", characters: low - candidate.count) }
        return candidate
    }

    /// JSON values of every type, for params that must refuse the wrong one.
    public static func anyValue(_ random: inout FuzzRandom, depth: Int = 0) -> JSONValue {
        switch random.below(depth > 2 ? 7 : 9) {
        case 0: return .null
        case 1: return .bool(random.chance(1, in: 2))
        case 2: return .int(random.pick(integers))
        case 3: return .double(random.pick([0.5, -1.5, 1e300, -0.0, 3.0, 1e-300, 9.3e18]))
        case 4: return .string(random.pick(nastyPieces))
        case 5: return .string("")
        case 6: return .string(random.uuid())
        case 7: return .array((0..<random.below(4)).map { _ in anyValue(&random, depth: depth + 1) })
        default:
            return .object(Dictionary((0..<random.below(4)).map { i in ("k\(i)", anyValue(&random, depth: depth + 1)) }) { a, _ in a })
        }
    }
}

extension FuzzRandom {
    /// A random UUID from this generator (repeatable, unlike `UUID()`).
    mutating func uuid() -> String {
        let a = next()
        let b = next()
        let hex = String(a, radix: 16).leftPadded(to: 16) + String(b, radix: 16).leftPadded(to: 16)
        let c = Array(hex)
        return String(c[0..<8]) + "-" + String(c[8..<12]) + "-4" + String(c[13..<16]) + "-a" + String(c[17..<20]) + "-" + String(c[20..<32])
    }

    /// `count` lowercase hex digits.
    mutating func hex(_ count: Int) -> String {
        var out = ""
        while out.count < count { out += String(next(), radix: 16).leftPadded(to: 16) }
        return String(out.prefix(count))
    }
}
