import CaseloadCore
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A one-line progress bar on stderr, redrawn in place, only when stderr is a terminal (so
/// logs and pipes get nothing):
///
///     sending rows [##########----------]   500/1000
struct ProgressBar {
    let label: String
    let enabled: Bool
    private var drawn = false

    init(label: String, enabled: Bool = isatty(2) == 1) {
        self.label = label
        self.enabled = enabled
    }

    mutating func update(done: Int, total: Int) {
        guard enabled else { return }
        drawn = true
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + ProgressText.bar(label: label, done: done, total: total)).utf8))
    }

    /// Erases the bar, so what is printed next starts on a clean line.
    mutating func finish() {
        guard enabled, drawn else { return }
        drawn = false
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
