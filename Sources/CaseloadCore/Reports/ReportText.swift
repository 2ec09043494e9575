// Escaping for the four report formats, without Foundation.
//
// Everything here works on UTF-8 code units, never on `Character`s: a quote followed by a
// combining mark ("\u{22}\u{301}") is one Character that is not equal to "\"", and "\r\n" is
// one Character that is neither "\r" nor "\n". Character-level checks would let such text
// through unescaped, which for HTML means breaking out of an attribute. Every character that
// is escaped is ASCII (or, in JSON, U+2028/U+2029, matched by their three bytes), and UTF-8
// never uses an ASCII byte inside a longer sequence, so a byte-level check is a scalar-level
// one; and bytes are several times faster to scan and copy than scalars (reports are large).

enum ReportText {
    /// "中文 English", or whichever part is not empty.
    static func bilingual(_ chinese: String, _ english: String) -> String {
        if chinese.isEmpty { return english }
        if english.isEmpty { return chinese }
        return chinese + " " + english
    }

    /// How many columns `text` takes in a fixed-width grid: two for East Asian wide and
    /// full-width characters (CJK ideographs, kana, hangul, full-width forms), one otherwise.
    static func displayWidth(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { width, scalar in
            switch scalar.value {
            case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
                0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x3FFFD:
                width + 2
            default: width + 1
            }
        }
    }

    /// `cells` made exactly `count` long: missing cells are empty, extra cells are dropped.
    static func normalized(_ cells: [String], count: Int) -> [String] {
        if cells.count == count { return cells }
        if cells.count > count { return Array(cells.prefix(count)) }
        return cells + Array(repeating: "", count: count - cells.count)
    }

    // MARK: CSV

    /// Scalars that make a spreadsheet treat a cell as a formula (OWASP "CSV injection").
    private static func startsFormula(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), UInt8(ascii: "\t"), UInt8(ascii: "\r"): true
        default: false
        }
    }

    /// One RFC 4180 field: prefixed with `'` when it could start a formula, then quoted (with
    /// quotes doubled) when it contains a comma, quote, CR or LF.
    static func csvField(_ text: String) -> String {
        let utf8 = text.utf8
        let formula = utf8.first.map(startsFormula) ?? false
        let needsQuotes = utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") }
        if !needsQuotes { return formula ? "'" + text : text }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count + 8)
        out.append(UInt8(ascii: "\""))
        if formula { out.append(UInt8(ascii: "'")) }
        for byte in utf8 {
            if byte == UInt8(ascii: "\"") { out.append(byte) }
            out.append(byte)
        }
        out.append(UInt8(ascii: "\""))
        return String(decoding: out, as: UTF8.self)
    }

    /// One CSV record, CRLF-terminated.
    static func csvRecord(_ fields: [String]) -> String {
        fields.map(csvField).joined(separator: ",") + "\r\n"
    }

    // MARK: JSON

    /// `text` as a JSON string literal, quotes included. Escapes `"`, `\`, every control
    /// character U+0000–U+001F and U+2028/U+2029 (so the output is also safe inside JavaScript);
    /// everything else, CJK included, is written as UTF-8.
    static func jsonString(_ text: String) -> String {
        let utf8 = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count + 2)
        out.append(UInt8(ascii: "\""))
        var i = 0
        while i < utf8.count {
            let byte = utf8[i]
            defer { i += 1 }
            switch byte {
            case UInt8(ascii: "\""): out += Array(#"\""#.utf8)
            case UInt8(ascii: "\\"): out += Array(#"\\"#.utf8)
            case UInt8(ascii: "\n"): out += Array(#"\n"#.utf8)
            case UInt8(ascii: "\r"): out += Array(#"\r"#.utf8)
            case UInt8(ascii: "\t"): out += Array(#"\t"#.utf8)
            case 0x08: out += Array(#"\b"#.utf8)
            case 0x0C: out += Array(#"\f"#.utf8)
            case ..<0x20: out += Array(unicodeEscape(UInt32(byte)).utf8)
            // U+2028 and U+2029 are E2 80 A8 and E2 80 A9.
            case 0xE2 where i + 2 < utf8.count && utf8[i + 1] == 0x80 && (utf8[i + 2] == 0xA8 || utf8[i + 2] == 0xA9):
                out += Array(unicodeEscape(utf8[i + 2] == 0xA8 ? 0x2028 : 0x2029).utf8)
                i += 2
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
        return String(decoding: out, as: UTF8.self)
    }

    /// `\uXXXX` with four lowercase hex digits (only used for values below 0x10000).
    private static func unicodeEscape(_ value: UInt32) -> String {
        let hex = String(value, radix: 16)
        return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    // MARK: Markdown

    /// `text` for inline Markdown (a heading, list item or table cell): ASCII punctuation that
    /// means something in CommonMark or GFM is backslash-escaped (`|` included, so a cell cannot
    /// split the table; `<` and `&` included, so no raw HTML or entity gets through), and every
    /// line break (CRLF, CR or LF) becomes `<br>`.
    static func markdownInline(_ text: String) -> String {
        var out: [UInt8] = []
        var afterCR = false
        for byte in text.utf8 {
            defer { afterCR = byte == UInt8(ascii: "\r") }
            switch byte {
            case UInt8(ascii: "\n") where afterCR: continue
            case UInt8(ascii: "\r"), UInt8(ascii: "\n"): out += Array("<br>".utf8)
            case UInt8(ascii: "\\"), UInt8(ascii: "`"), UInt8(ascii: "*"), UInt8(ascii: "_"), UInt8(ascii: "["), UInt8(ascii: "]"),
                UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "|"), UInt8(ascii: "~"), UInt8(ascii: "&"), UInt8(ascii: "#"), UInt8(ascii: "$"):
                out.append(UInt8(ascii: "\\"))
                out.append(byte)
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: HTML

    /// `text` for HTML element content or a quoted attribute value: `& < > " '` become entities.
    static func html(_ text: String) -> String {
        let special = text.utf8.contains {
            $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "'")
        }
        guard special else { return text }
        var out: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): out += Array("&amp;".utf8)
            case UInt8(ascii: "<"): out += Array("&lt;".utf8)
            case UInt8(ascii: ">"): out += Array("&gt;".utf8)
            case UInt8(ascii: "\""): out += Array("&quot;".utf8)
            case UInt8(ascii: "'"): out += Array("&#39;".utf8)
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
