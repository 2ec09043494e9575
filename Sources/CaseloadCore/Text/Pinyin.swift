/// Toneless pinyin of a Chinese name, for finding a person by what a consultant types on a
/// phone keyboard: `Pinyin.full("张伟") == "zhangwei"`, `Pinyin.initials("张伟") == "zw"`.
///
/// One reading per character (the one names use), the surname's own reading for a name's
/// first character (单 shan, 曾 zeng, 解 xie, …) and for two-character surnames read as a
/// whole (尉迟 yuchi). Latin letters and digits stay, lower-cased; anything else (the middle
/// dot of a transliterated name, spaces, a character the table lacks) adds nothing. ü is v.
public enum Pinyin {
    /// The name's pinyin, syllables run together: what a stored `name_pinyin` column holds.
    public static func full(_ name: String) -> String {
        syllables(name).joined()
    }

    /// Each syllable's first letter (a run of Latin letters counts as one word).
    public static func initials(_ name: String) -> String {
        String(syllables(name).compactMap(\.first))
    }

    /// The name as syllables: one per character with a reading, one per Latin word.
    public static func syllables(_ name: String) -> [String] {
        let characters = Array(name.trimmingWhitespace)
        var out: [String] = []
        var word = ""
        var index = 0
        if characters.count >= 2, let compound = tables.compound[String(characters[0...1])] {
            out.append(contentsOf: compound)
            index = 2
        }
        while index < characters.count {
            let c = characters[index]
            if c.isASCII, c.isLetter || c.isNumber {
                word.append(Character(c.lowercased()))
            } else {
                if !word.isEmpty { out.append(word); word = "" }
                if index == 0, let surname = tables.surnames[c] {
                    out.append(surname)
                } else if let reading = tables.readings[c] {
                    out.append(reading)
                }
            }
            index += 1
        }
        if !word.isEmpty { out.append(word) }
        return out
    }

    /// Whether `text` is something to match against pinyin: Latin letters only (spaces and
    /// apostrophes as typed between syllables are dropped by `typed`).
    public static func isPinyinQuery(_ text: String) -> Bool {
        let t = typed(text)
        return !t.isEmpty && t.allSatisfy { $0.isASCII && $0.isLetter }
    }

    /// What was typed, as the stored columns spell it: lower case, without spaces or apostrophes.
    public static func typed(_ text: String) -> String {
        String(text.lowercased().filter { $0 != " " && $0 != "'" && $0 != "’" })
    }

    /// The generated tables, parsed once on first use.
    static let tables = Tables()

    struct Tables: Sendable {
        var readings: [Character: String] = [:]
        var surnames: [Character: String] = [:]
        /// A compound surname's syllables (尉迟 → ["yu", "chi"]).
        var compound: [String: [String]] = [:]

        init() {
            readings = Self.parse(Pinyin.readingLines)
            surnames = Self.parse(Pinyin.surnameLines)
            for line in Pinyin.compoundSurnameLines.split(separator: "\n") {
                let parts = line.split(separator: ":", maxSplits: 1)
                guard parts.count == 2 else { continue }
                compound[String(parts[0])] = parts[1].split(separator: " ").map(String.init)
            }
        }

        static func parse(_ lines: String) -> [Character: String] {
            var table: [Character: String] = [:]
            for line in lines.split(separator: "\n") {
                let parts = line.split(separator: ":", maxSplits: 1)
                guard parts.count == 2 else { continue }
                let syllable = String(parts[0])
                for c in parts[1] { table[c] = syllable }
            }
            return table
        }
    }
}
