import ArgumentParser
import CaseloadServer
import CaseloadStorage
import Foundation

extension Admin {
    /// `admin rotate-key`: the storage layer's `KeyRotation`, with the server's keys.
    struct RotateKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-key",
            abstract: "Re-seal every ID number and phone number under the active key (pii_key), in short batches while servers keep serving.",
            discussion: """
                Reads the same keys as the server (CASELOAD_PII_KEY, CASELOAD_PII_OLD_KEYS, CASELOAD_PII_LOOKUP_KEY, \
                or the config file). Values under any other key id are opened with pii_old_keys and sealed under pii_key. \
                Stopped half way, it is finished by running it again. Progress goes to stderr, the summary (counts only) \
                to stdout as one JSON line. Exits non-zero if any value cannot be opened or is left.
                """)

        @OptionGroup var database: AdminDatabaseOptions
        @Option(help: "A config file of `name = value` lines, for the pii_* keys. Env: CASELOAD_CONFIG.") var config: String?
        @Option(help: "Rows per batch; each batch is its own short transaction.") var batchSize = 500
        @Option(help: "Stop after this many batches (run again to continue).") var maxBatches: Int?
        @Flag(help: "Only count the values that would be re-sealed, per column and key id.") var dryRun = false

        func validate() throws {
            guard (1...10_000).contains(batchSize) else { throw ValidationError("--batch-size must be 1...10000") }
            if let maxBatches, maxBatches < 1 { throw ValidationError("--max-batches must be at least 1") }
        }

        func cipher() throws -> PIICipher {
            let (configuration, _) = try ServerConfiguration.load(configFile: config)
            guard let key = configuration.piiKey, let lookup = configuration.piiLookupKey else {
                throw ValidationError("set the server's keys: CASELOAD_PII_KEY (the new key), CASELOAD_PII_OLD_KEYS (the keys to retire) and CASELOAD_PII_LOOKUP_KEY")
            }
            do { return try PIICipher(activeKey: key, oldKeys: configuration.piiOldKeys, lookupKey: lookup) } catch {
                throw ValidationError("\(error)")
            }
        }

        func run() async throws {
            let cipher = try cipher()
            let logger = makeLogger(.warning)
            let options = KeyRotation.Options(batchSize: batchSize, maxBatches: maxBatches, dryRun: dryRun)
            let rotation = KeyRotation(cipher: cipher, logger: logger)
            let printer = ProgressPrinter()
            let report = try await withAdminConnection(url: try database.url(), logger: logger) { connection in
                try await rotation.run(options, on: connection) { printer.print($0) }
            }
            for column in report.columns {
                let byKey = column.pendingByKey.sorted { $0.key < $1.key }.map { "\($0.value) under '\($0.key)'" }.joined(separator: ", ")
                stderr(
                    dryRun
                        ? "rotate-key: \(column.name): \(column.pending) to re-seal\(byKey.isEmpty ? "" : " (\(byKey))")"
                        : "rotate-key: \(column.name): \(column.resealed) of \(column.pending) re-sealed")
            }
            printJSON(report)
            var problems: [String] = []
            if !report.missingKeys.isEmpty { problems.append(KeyRotationError.missingKeys(report.missingKeys).description) }
            for (keyID, count) in report.unreadable.sorted(by: { $0.key < $1.key }) {
                problems.append("\(count) value\(count == 1 ? "" : "s") under key '\(keyID)' would not open (wrong key bytes for that id?): left as they were")
            }
            if report.mislabelled > 0 {
                problems.append(
                    "\(report.mislabelled) sampled value\(report.mislabelled == 1 ? "" : "s") tagged with the active key id '\(report.activeKeyID)' "
                        + "do not open under pii_key: was the new key generated with an id already in use? Keep the old key; give the new one its own id")
            }
            let busy = report.columns.reduce(0) { $0 + $1.busy }
            if busy > 0 { problems.append("\(busy) values stayed locked by other transactions; run again") }
            if !dryRun, problems.isEmpty, !report.complete {
                problems.append("stopped with \(report.remaining) values still under older keys (--max-batches); run again to continue")
            }
            guard problems.isEmpty else {
                for problem in problems { stderr("rotate-key: \(problem)") }
                throw ExitCode.failure
            }
            stderr(
                dryRun
                    ? "rotate-key: dry run, nothing changed"
                    : "rotate-key: done, every value is under '\(report.activeKeyID)' (\(report.batches) batches, \(String(format: "%.1f", report.seconds)) s); the old keys can be removed")
        }
    }
}

/// Progress lines on stderr, at most about one a second (and the first batch of each column).
final class ProgressPrinter: @unchecked Sendable {
    // Only called from the rotation's one task, one batch after another.
    private var lastColumn = ""
    private var lastLine = ContinuousClock.now

    func print(_ progress: KeyRotation.Progress) {
        guard progress.column != lastColumn || ContinuousClock.now - lastLine >= .seconds(1) else { return }
        lastColumn = progress.column
        lastLine = .now
        stderr("rotate-key: \(progress.column): \(progress.resealed) of \(progress.pending) re-sealed (\(progress.batches) batches)")
    }
}

func stderr(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
