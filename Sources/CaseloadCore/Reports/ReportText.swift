// Escaping for the four report formats, without Foundation.
//
// Everything here works on Unicode scalars, never on `Character`s: a quote followed by a
// combining mark ("\u{22}\u{301}") is one Character that is not equal to "\"", and "\r\n" is
// one Character that is neither "\r" nor "\n". Character-level checks would let such text
// through unescaped, which for HTML means breaking out of an attribute.

enum ReportText {
    /// "中文 English", or whichever part is not empty.
    static func bilingual(_ chinese: String, _ english: String) -> String {
        if chinese.isEmpty { return english }
        if english.isEmpty { return chinese }
        return chinese + " " + english
    }

    /// `cells` made exactly `count` long: missing cells are empty, extra cells are dropped.
    static func normalized(_ cells: [String], count: Int) -> [String] {
        if cells.count == count { return cells }
        if cells.count > count { return Array(cells.prefix(count)) }
        return cells + Array(repeating: "", count: count - cells.count)
    }

    // MARK: CSV

    /// Scalars that make a spreadsheet treat a cell as a formula (OWASP "CSV injection").
    private static func startsFormula(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "=", "+", "-", "@", "\t", "\r": true
        default: false
        }
    }

    /// One RFC 4180 field: prefixed with `'` when it could start a formula, then quoted (with
    /// quotes doubled) when it contains a comma, quote, CR or LF.
    static func csvField(_ text: String) -> String {
        var value = text
        if let first = text.unicodeScalars.first, startsFormula(first) { value = "'" + text }
        let needsQuotes = value.unicodeScalars.contains { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }
        guard needsQuotes else { return value }
        var out = String.UnicodeScalarView()
        out.append("\"")
        for scalar in value.unicodeScalars {
            if scalar == "\"" { out.append("\"") }
            out.append(scalar)
        }
        out.append("\"")
        return String(out)
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
        var out = String.UnicodeScalarView()
        out.append("\"")
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out.append(contentsOf: #"\""#.unicodeScalars)
            case "\\": out.append(contentsOf: #"\\"#.unicodeScalars)
            case "\n": out.append(contentsOf: #"\n"#.unicodeScalars)
            case "\r": out.append(contentsOf: #"\r"#.unicodeScalars)
            case "\t": out.append(contentsOf: #"\t"#.unicodeScalars)
            case "\u{08}": out.append(contentsOf: #"\b"#.unicodeScalars)
            case "\u{0C}": out.append(contentsOf: #"\f"#.unicodeScalars)
            case "\u{2028}", "\u{2029}": out.append(contentsOf: unicodeEscape(scalar.value).unicodeScalars)
            default:
                if scalar.value < 0x20 {
                    out.append(contentsOf: unicodeEscape(scalar.value).unicodeScalars)
                } else {
                    out.append(scalar)
                }
            }
        }
        out.append("\"")
        return String(out)
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
        var out = String.UnicodeScalarView()
        var afterCR = false
        for scalar in text.unicodeScalars {
            defer { afterCR = scalar == "\r" }
            switch scalar {
            case "\n" where afterCR: continue
            case "\r", "\n": out.append(contentsOf: "<br>".unicodeScalars)
            case "\\", "`", "*", "_", "[", "]", "<", ">", "|", "~", "&", "#", "$":
                out.append("\\")
                out.append(scalar)
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    // MARK: HTML

    /// `text` for HTML element content or a quoted attribute value: `& < > " '` become entities.
    static func html(_ text: String) -> String {
        let special = text.unicodeScalars.contains {
            $0 == "&" || $0 == "<" || $0 == ">" || $0 == "\"" || $0 == "'"
        }
        guard special else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
            case "'": out.append(contentsOf: "&#39;".unicodeScalars)
            default: out.append(scalar)
            }
        }
        return String(out)
    }
}
