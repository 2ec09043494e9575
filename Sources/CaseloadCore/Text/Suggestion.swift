/// "Did you mean …?": the known word closest to a mistyped one, by edit distance
/// (insertions, deletions, substitutions and swaps of two neighbours each count one).
///
/// Shared by every place that refuses an unknown name (enum values, stage names, CLI
/// commands), so they suggest alike.
public enum Suggestion {
    /// The candidate nearest to `word` (case-insensitively), when it is near enough to be a
    /// typo of it: at most a third of the word's length in edits (at least one). Ties go to
    /// the earlier candidate. nil when nothing is that close.
    public static func closest<C: Collection>(to word: String, among candidates: C) -> String? where C.Element == String {
        let typed = Array(word.lowercased())
        guard !typed.isEmpty else { return nil }
        let allowed = max(1, typed.count / 3)
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(typed, Array(candidate.lowercased()), limit: allowed)
            guard distance <= allowed, distance < (best?.distance ?? Int.max) else { continue }
            best = (candidate, distance)
        }
        return best?.candidate
    }

    /// ` (did you mean 'x'?)` for appending to a message, or an empty string.
    public static func hint<C: Collection>(for word: String, among candidates: C) -> String where C.Element == String {
        closest(to: word, among: candidates).map { " (did you mean '\($0)'?)" } ?? ""
    }

    /// The same hint in Chinese: `（是不是 'x'？）`.
    public static func hintZh<C: Collection>(for word: String, among candidates: C) -> String where C.Element == String {
        closest(to: word, among: candidates).map { "（是不是 '\($0)'？）" } ?? ""
    }

    /// Optimal string alignment distance between `a` and `b`; stops early (returning
    /// `limit + 1`) once every alignment costs more than `limit`. Lengths are bounded by the
    /// callers' words, so the table stays small; the arithmetic cannot overflow.
    static func editDistance(_ a: [Character], _ b: [Character], limit: Int) -> Int {
        if abs(a.count - b.count) > limit { return limit + 1 }
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previousPrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            var rowMinimum = current[0]
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, previousPrevious[j - 2] + 1)
                }
                current[j] = value
                rowMinimum = min(rowMinimum, value)
            }
            if rowMinimum > limit { return limit + 1 }
            (previousPrevious, previous, current) = (previous, current, previousPrevious)
        }
        return previous[b.count]
    }
}
