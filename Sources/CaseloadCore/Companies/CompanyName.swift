/// How a company's name reads in a list line: its registered name without what every client
/// shares (the city in front, the legal form at the end), so `上海明远软件科技有限公司` reads
/// `明远软件科技`. A name that would be left empty (or had neither) stays as registered.
///
/// Every line of a case or deadline list asks for it, so it works on the name's Unicode
/// scalars: Foundation's `trimmingCharacters` and `range(of:)`, and then the standard
/// library's `firstRange(of:)` (which compares whole characters), each made it a sixth of the
/// server's CPU in a `case.list` profile.
public enum CompanyName {
    static let cities = ["上海市", "上海"].map { Array($0.unicodeScalars) }
    /// Longest first: `股份有限公司` before `有限公司`.
    static let legalForms = ["股份有限公司", "有限责任公司", "有限公司", "Co., Ltd.", "Co.,Ltd.", "Ltd."].map { Array($0.unicodeScalars) }

    public static func short(_ registered: String) -> String {
        let scalars = Array(registered.unicodeScalars)
        var name = trimmed(scalars[...])
        if let city = cities.first(where: { name.starts(with: $0) }) { name = name.dropFirst(city.count) }
        // The legal form ends the name proper; a branch or a number after it stays (`… 分公司`, `… 2`).
        var kept = Array(name)
        for form in legalForms {
            guard let start = firstIndex(of: form, in: kept) else { continue }
            kept.removeSubrange(start..<start + form.count)
            break
        }
        let short = trimmed(kept[...])
        if short.isEmpty { return registered }
        var text = String.UnicodeScalarView()
        text.append(contentsOf: short)
        return String(text)
    }

    /// Without the spaces and tabs at either end (what Foundation's `.whitespaces` trims).
    static func trimmed(_ text: ArraySlice<Unicode.Scalar>) -> ArraySlice<Unicode.Scalar> {
        func isSpace(_ s: Unicode.Scalar) -> Bool { s == "\t" || s.properties.generalCategory == .spaceSeparator }
        guard let first = text.firstIndex(where: { !isSpace($0) }), let last = text.lastIndex(where: { !isSpace($0) }) else { return [] }
        return text[first...last]
    }

    /// Where `pattern` first occurs in `text` (names and patterns are a few dozen scalars).
    static func firstIndex(of pattern: [Unicode.Scalar], in text: [Unicode.Scalar]) -> Int? {
        guard !pattern.isEmpty, pattern.count <= text.count else { return nil }
        return (0...(text.count - pattern.count)).first { start in text[start..<start + pattern.count].elementsEqual(pattern) }
    }
}
