/// A progress bar as text, `label [#########---------]   500/1000`, for whichever program
/// draws it (the CLI's import, the server's demo seeding).
public enum ProgressText {
    /// The bar for `done` of `total` (total unknown or 0: no bar, just the count). `done` is
    /// clamped into `0...total`.
    public static func bar(label: String, done: Int, total: Int, width: Int = 30) -> String {
        guard total > 0 else { return "\(label) \(done)" }
        let clamped = min(max(done, 0), total)
        // In Double: `clamped * width` could overflow for totals near Int.max.
        let filled = min(width, Int(Double(clamped) / Double(total) * Double(width)))
        let count = String(total).count
        let shown = String(repeating: " ", count: max(0, count - String(clamped).count)) + String(clamped)
        return "\(label) [" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] \(shown)/\(total)"
    }
}
