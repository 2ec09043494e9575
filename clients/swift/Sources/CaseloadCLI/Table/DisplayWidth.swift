// Terminal column widths, so tables of Chinese company names line up. Swift's `count` gives
// grapheme clusters, but a terminal draws 上 in two columns and a combining accent in none.
// The stdlib has no East Asian Width property, so the wide ranges are listed here (Unicode
// 15 EastAsianWidth.txt, W and F, coalesced); emoji come from the stdlib's emoji properties.

extension StringProtocol {
    /// The number of terminal columns the string occupies: 2 for East Asian Wide and
    /// Fullwidth characters and emoji presentation, 0 for combining marks, zero-width and
    /// control characters, 1 for everything else (including East Asian Ambiguous characters
    /// such as “ ” — which most terminals configured for Chinese still draw narrow).
    public var displayWidth: Int {
        reduce(0) { $0 + $1.displayWidth }
    }
}

extension Character {
    /// Columns for one grapheme cluster: decided by its first scalar (the base), since any
    /// following scalars (combining marks, Hangul medial/final jamo, skin tones, ZWJ-joined
    /// emoji) draw into the same cell(s); upgraded to 2 when the cluster asks for emoji
    /// presentation with U+FE0F.
    var displayWidth: Int {
        let scalars = unicodeScalars
        guard let base = scalars.first else { return 0 }
        if base.properties.isEmojiPresentation { return 2 }
        if base.properties.isEmoji, scalars.contains("\u{FE0F}") { return 2 }
        return base.displayWidth
    }
}

extension Unicode.Scalar {
    /// Columns for a scalar on its own (no emoji-presentation context).
    var displayWidth: Int {
        let v = value
        if v < 0x7F { return v >= 0x20 ? 1 : 0 }  // fast path for ASCII; C0 controls draw nothing
        switch properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format, .control, .lineSeparator, .paragraphSeparator:
            return 0
        default:
            break
        }
        if (0x1160...0x11FF).contains(v) || (0xD7B0...0xD7FF).contains(v) { return 0 }  // Hangul jamo that join a syllable
        return Self.isWide(v) ? 2 : 1
    }

    /// East Asian Wide (W) or Fullwidth (F), by range. Sorted; searched by binary search
    /// because CJK text hits the ranges constantly.
    static func isWide(_ v: UInt32) -> Bool {
        guard v >= 0x1100 else { return false }
        var low = 0, high = wideRanges.count - 1
        while low <= high {
            let mid = (low + high) / 2
            let range = wideRanges[mid]
            if v < range.lowerBound { high = mid - 1 } else if v > range.upperBound { low = mid + 1 } else { return true }
        }
        return false
    }

    private static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F,    // Hangul Jamo initial consonants
        0x2329...0x232A,    // angle brackets
        0x2E80...0x303E,    // CJK radicals, Kangxi radicals, ideographic description, CJK symbols and punctuation
        0x3041...0x3247,    // Hiragana, Katakana, Bopomofo, Hangul compatibility jamo, Kanbun, CJK strokes, enclosed CJK
        0x3250...0x4DBF,    // enclosed CJK, CJK compatibility, CJK Extension A
        0x4E00...0xA4CF,    // CJK Unified Ideographs, Yi
        0xA960...0xA97F,    // Hangul Jamo Extended-A
        0xAC00...0xD7A3,    // Hangul syllables
        0xF900...0xFAFF,    // CJK compatibility ideographs
        0xFE10...0xFE19,    // vertical forms
        0xFE30...0xFE6F,    // CJK compatibility forms, small form variants
        0xFF01...0xFF60,    // fullwidth ASCII variants and brackets
        0xFFE0...0xFFE6,    // fullwidth signs (￥ ￡ ...)
        0x16FE0...0x16FE4,  // ideographic symbols
        0x17000...0x18CFF,  // Tangut, Khitan
        0x18D00...0x18D08,  // Tangut supplement
        0x1AFF0...0x1B2FF,  // Kana extended/supplement, Nushu
        0x1F200...0x1F2FF,  // enclosed ideographic supplement
        0x20000...0x2FFFD,  // CJK Extensions B-F, compatibility supplement
        0x30000...0x3FFFD,  // CJK Extensions G-H
    ]
}
