import Foundation
import Logging
import Synchronization

/// A log handler that keeps every record as one line of text (label, level, message,
/// metadata, error, source), so a test can search everything a server logged.
struct CapturingLogHandler: LogHandler {
    final class Store: Sendable {
        private let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
        var text: String { all.joined(separator: "\n") }
    }

    let label: String
    let store: Store
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let rendered = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let error = event.error.map { " error=\(String(reflecting: $0))" } ?? ""
        store.append("\(label) \(event.level) \(event.message) [\(rendered)]\(error) \(event.source) \(event.file):\(event.line)")
    }

    /// A logger at `level` whose records all land in `store`.
    static func logger(level: Logger.Level, store: Store) -> Logger {
        var logger = Logger(label: "caseload.capture") { CapturingLogHandler(label: $0, store: store, logLevel: level) }
        logger.logLevel = level
        return logger
    }
}
