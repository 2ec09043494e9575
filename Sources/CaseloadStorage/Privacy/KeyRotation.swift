import Foundation
import Logging
import PostgresNIO

/// Re-seals personal data under the active key, so an old key can be retired.
///
/// Online: each batch is its own short transaction that locks only the rows it re-seals
/// (`FOR UPDATE SKIP LOCKED`, so a row a request is changing is left for a later pass and
/// nobody waits on the rotation). Each write is guarded by the key id and the sealed bytes it
/// read, so a value changed in between is never overwritten with the old one. Re-sealing does
/// not change a value, so rows keep their `version` and clients' edits never conflict with it.
///
/// Resumable: it selects what is not under the active key yet, so a run that was stopped is
/// finished by running it again. Runs as the schema owner, across every agency.
public struct KeyRotation: Sendable {
    public let cipher: PIICipher
    public let logger: Logger

    public init(cipher: PIICipher, logger: Logger) {
        self.cipher = cipher
        self.logger = logger
    }

    public struct Options: Sendable {
        /// Rows per batch (per transaction).
        public var batchSize: Int
        /// Stop after this many batches (a later run continues).
        public var maxBatches: Int?
        /// Only count what would be re-sealed.
        public var dryRun: Bool
        /// How long to keep retrying rows other transactions hold locked before giving up.
        public var lockWait: Duration
        public var columns: [SealedColumn]

        public init(
            batchSize: Int = 500, maxBatches: Int? = nil, dryRun: Bool = false, lockWait: Duration = .seconds(30),
            columns: [SealedColumn] = SealedColumn.all
        ) {
            self.batchSize = batchSize
            self.maxBatches = maxBatches
            self.dryRun = dryRun
            self.lockWait = lockWait
            self.columns = columns
        }
    }

    /// A row's primary key: `agency_id`, a uuid, and an integer where the table has one (else 0).
    public struct RowKey: Sendable, Hashable {
        public var agency: UUID
        public var id: UUID
        public var number: Int
    }

    /// One value as read for re-sealing.
    public struct SealedValue: Sendable {
        public var row: RowKey
        public var keyID: String
        public var sealed: ByteBuffer
    }

    /// What one batch did.
    public struct BatchResult: Sendable {
        /// Rows read (and locked).
        public var fetched = 0
        public var resealed = 0
        /// Rows whose value changed between read and write: left alone, picked up again.
        public var superseded = 0
        /// Values that cannot be opened, by key id (left as they are).
        public var unreadable: [RowKey: String] = [:]
        /// The last row read: the next batch starts after it.
        public var last: RowKey?
    }

    /// After each batch: where the rotation is, counts only.
    public struct Progress: Sendable {
        public var column: String
        public var resealed: Int
        public var pending: Int
        public var batches: Int
    }

    /// Values per key id, for key ids other than the active one, per column name.
    public func census(_ columns: [SealedColumn] = SealedColumn.all, on connection: PostgresConnection) async throws -> [String: [String: Int]] {
        var counts: [String: [String: Int]] = [:]
        for column in columns {
            let rows = try await connection.query(
                """
                SELECT \(unescaped: column.keyColumn), count(*)::int8 FROM \(unescaped: column.table)
                WHERE \(unescaped: column.keyColumn) <> \(cipher.activeKeyID) GROUP BY 1
                """, logger: logger)
            var byKey: [String: Int] = [:]
            for try await (keyID, count) in rows.decode((String, Int).self) { byKey[keyID] = count }
            counts[column.name] = byKey
        }
        return counts
    }

    /// Up to `limit` values not under the active key, in primary-key order after `cursor`,
    /// locked for update; rows other transactions hold are skipped. Call inside a transaction.
    public func fetch(_ column: SealedColumn, after cursor: RowKey?, limit: Int, on connection: PostgresConnection) async throws -> [SealedValue] {
        let order = ["agency_id", column.rowIDColumn] + (column.rowNumberColumn.map { [$0] } ?? [])
        var sql = PostgresQuery.StringInterpolation(literalCapacity: 300, interpolationCount: 5)
        sql.appendLiteral(
            "SELECT agency_id, \(column.rowIDColumn), \(column.rowNumberColumn.map { "\($0)::int8" } ?? "0::int8"), \(column.keyColumn), "
                + "\(column.sealedColumn) FROM \(column.table) WHERE \(column.keyColumn) <> ")
        sql.appendInterpolation(cipher.activeKeyID)
        if let cursor {
            // A row comparison on the primary key's columns: an index range, so each batch
            // starts where the last one stopped instead of rescanning.
            sql.appendLiteral(" AND (\(order.joined(separator: ", "))) > (")
            sql.appendInterpolation(cursor.agency)
            sql.appendLiteral(", ")
            sql.appendInterpolation(cursor.id)
            if column.rowNumberColumn != nil {
                sql.appendLiteral(", ")
                sql.appendInterpolation(cursor.number)
                sql.appendLiteral("::int4")
            }
            sql.appendLiteral(")")
        }
        sql.appendLiteral(" ORDER BY \(order.joined(separator: ", ")) LIMIT ")
        sql.appendInterpolation(limit)
        sql.appendLiteral(" FOR UPDATE SKIP LOCKED")
        let rows = try await connection.query(PostgresQuery(stringInterpolation: sql), logger: logger)
        var values: [SealedValue] = []
        for try await (agency, id, number, keyID, sealed) in rows.decode((UUID, UUID, Int, String, ByteBuffer).self) {
            values.append(SealedValue(row: RowKey(agency: agency, id: id, number: number), keyID: keyID, sealed: sealed))
        }
        return values
    }

    /// Writes re-sealed values, each only if the row still holds exactly what was read (same
    /// key id and bytes): a value changed meanwhile is kept. Returns how many were written.
    public func write(_ column: SealedColumn, _ resealed: [(read: SealedValue, sealed: [UInt8])], on connection: PostgresConnection) async throws -> Int {
        guard !resealed.isEmpty else { return 0 }
        let numberMatch = column.rowNumberColumn.map { " AND t.\($0) = u.row_number" } ?? ""
        let rows = try await connection.query(
            """
            UPDATE \(unescaped: column.table) AS t
            SET \(unescaped: column.sealedColumn) = u.new_sealed, \(unescaped: column.keyColumn) = \(cipher.activeKeyID)
            FROM unnest(\(resealed.map { $0.read.row.agency })::uuid[], \(resealed.map { $0.read.row.id })::uuid[],
                        \(resealed.map { $0.read.row.number })::int8[], \(resealed.map { $0.read.keyID })::text[],
                        \(resealed.map { $0.read.sealed })::bytea[], \(resealed.map { ByteBuffer(bytes: $0.sealed) })::bytea[])
                 AS u(agency_id, row_id, row_number, old_key, old_sealed, new_sealed)
            WHERE t.agency_id = u.agency_id AND t.\(unescaped: column.rowIDColumn) = u.row_id\(unescaped: numberMatch)
              AND t.\(unescaped: column.keyColumn) = u.old_key AND t.\(unescaped: column.sealedColumn) = u.old_sealed
            RETURNING 1
            """, logger: logger)
        var written = 0
        for try await _ in rows { written += 1 }
        return written
    }

    /// Opens each value under its key and seals it under the active one; values that cannot
    /// be opened are returned apart, with their key id.
    public func reseal(_ values: [SealedValue]) -> (resealed: [(read: SealedValue, sealed: [UInt8])], unreadable: [RowKey: String]) {
        var resealed: [(read: SealedValue, sealed: [UInt8])] = []
        var unreadable: [RowKey: String] = [:]
        for value in values {
            guard cipher.hasKey(value.keyID), let plain = try? cipher.open(Array(value.sealed.readableBytesView), keyID: value.keyID),
                let sealed = try? cipher.seal(plain)
            else {
                unreadable[value.row] = value.keyID
                continue
            }
            resealed.append((value, sealed.sealed))
        }
        return (resealed, unreadable)
    }

    /// One batch in its own short transaction: read and lock, re-seal, write.
    public func rotateBatch(_ column: SealedColumn, after cursor: RowKey?, limit: Int, on connection: PostgresConnection) async throws -> BatchResult {
        do {
            return try await connection.withTransaction(logger: logger) { tx in
                // The rows it writes are its own locked ones, so it never queues behind anyone for
                // long. The audit log (where there is one) names what changed the rows.
                try await tx.query(
                    "SELECT set_config('lock_timeout', '5s', true), set_config('caseload.method', 'admin.rotate-key', true)", logger: logger)
                let values = try await fetch(column, after: cursor, limit: limit, on: tx)
                let (resealed, unreadable) = reseal(values)
                let written = try await write(column, resealed, on: tx)
                var result = BatchResult()
                result.fetched = values.count
                result.resealed = written
                result.superseded = resealed.count - written
                result.unreadable = unreadable
                result.last = values.last?.row
                return result
            }
        } catch {
            throw StorageError.unwrapped(error)
        }
    }

    /// Re-seals every value of `options.columns` that is not under the active key. Refuses,
    /// changing nothing, when some values are sealed under a key it does not have.
    public func run(_ options: Options = Options(), on connection: PostgresConnection, progress: @Sendable (Progress) -> Void = { _ in })
        async throws -> KeyRotationReport
    {
        let started = ContinuousClock.now
        let census = try await census(options.columns, on: connection)
        var report = KeyRotationReport(activeKeyID: cipher.activeKeyID, dryRun: options.dryRun)
        for column in options.columns {
            for (keyID, count) in census[column.name] ?? [:] where !cipher.hasKey(keyID) {
                report.missingKeys[keyID, default: 0] += count
            }
        }
        report.mislabelled = try await mislabelledActiveValues(options.columns, on: connection)
        report.columns = options.columns.map { column in
            let byKey = census[column.name] ?? [:]
            return KeyRotationReport.Column(name: column.name, pending: byKey.values.reduce(0, +), pendingByKey: byKey)
        }
        if options.dryRun {
            report.remaining = report.columns.reduce(0) { $0 + $1.pending }
            report.complete = report.remaining == 0
            report.seconds = Self.seconds(since: started)
            return report
        }
        guard report.missingKeys.isEmpty else { throw KeyRotationError.missingKeys(report.missingKeys) }

        // One rotation at a time: two would only compete for the same rows.
        let locked = try await connection.query("SELECT pg_try_advisory_lock(hashtext('caseload.rotate-key'))", logger: logger)
            .collect().first?.decode(Bool.self) ?? false
        guard locked else { throw KeyRotationError.alreadyRunning }
        do {
            try await rotate(options, report: &report, on: connection, progress: progress)
        } catch {
            _ = try? await connection.query("SELECT pg_advisory_unlock(hashtext('caseload.rotate-key'))", logger: logger)
            throw error
        }
        try await connection.query("SELECT pg_advisory_unlock(hashtext('caseload.rotate-key'))", logger: logger)
        report.seconds = Self.seconds(since: started)
        return report
    }

    private func rotate(_ options: Options, report: inout KeyRotationReport, on connection: PostgresConnection, progress: (Progress) -> Void) async throws {
        var stopped = false
        for (index, column) in options.columns.enumerated() {
            var entry = report.columns[index]
            var unreadable: [RowKey: String] = [:]
            var idleSince: ContinuousClock.Instant?
            // Passes over the table in primary-key order. Another pass is needed for rows that
            // were locked by a request, or written under an old key by a server not yet restarted.
            passes: while true {
                var cursor: RowKey?
                var progressed = false
                while true {
                    if let max = options.maxBatches, report.batches >= max {
                        stopped = true
                        break passes
                    }
                    let batch = try await rotateBatch(column, after: cursor, limit: options.batchSize, on: connection)
                    if batch.fetched == 0 { break }
                    report.batches += 1
                    cursor = batch.last
                    entry.resealed += batch.resealed
                    entry.superseded += batch.superseded
                    unreadable.merge(batch.unreadable) { _, new in new }
                    progressed = progressed || batch.resealed > 0
                    progress(Progress(column: column.name, resealed: entry.resealed, pending: entry.pending, batches: report.batches))
                }
                let left = try await remaining(column, on: connection) - unreadable.count
                if left <= 0 { break }
                if progressed {
                    idleSince = nil
                } else {
                    // Everything left is held by other transactions (requests finish within
                    // their deadline): wait a little, up to `lockWait`, then report it busy.
                    let since = idleSince ?? .now
                    idleSince = since
                    if ContinuousClock.now - since >= options.lockWait {
                        entry.busy = left
                        break
                    }
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            for keyID in unreadable.values { entry.unreadableByKey[keyID, default: 0] += 1 }
            report.columns[index] = entry
            if stopped { break }
        }
        var left = 0
        for column in options.columns { left += try await remaining(column, on: connection) }
        report.remaining = left
        report.complete = left == 0
    }

    /// Values of `column` not yet under the active key.
    public func remaining(_ column: SealedColumn, on connection: PostgresConnection) async throws -> Int {
        try await connection.query(
            "SELECT count(*)::int8 FROM \(unescaped: column.table) WHERE \(unescaped: column.keyColumn) <> \(cipher.activeKeyID)",
            logger: logger
        ).collect().first?.decode(Int.self) ?? 0
    }

    /// Values that carry the active key's id yet do not open under it (a sample per column):
    /// the sign of a new key generated with an id already in use, which no rotation can fix.
    func mislabelledActiveValues(_ columns: [SealedColumn], sample: Int = 20, on connection: PostgresConnection) async throws -> Int {
        var bad = 0
        for column in columns {
            let rows = try await connection.query(
                """
                SELECT \(unescaped: column.sealedColumn) FROM \(unescaped: column.table)
                WHERE \(unescaped: column.keyColumn) = \(cipher.activeKeyID) LIMIT \(sample)
                """, logger: logger)
            for try await sealed in rows.decode(ByteBuffer.self)
            where (try? cipher.open(Array(sealed.readableBytesView), keyID: cipher.activeKeyID)) == nil {
                bad += 1
            }
        }
        return bad
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}

/// What a rotation did (or, dry run, would do): counts per column, never values.
public struct KeyRotationReport: Sendable, Codable, Equatable {
    public var activeKeyID: String
    public var dryRun: Bool
    public var columns: [Column] = []
    public var batches = 0
    /// Values still under another key when it ended (0 when complete).
    public var remaining = 0
    public var complete = false
    /// Values sealed under key ids that are not configured, by key id.
    public var missingKeys: [String: Int] = [:]
    /// Sampled values tagged with the active key id that do not open under it.
    public var mislabelled = 0
    public var seconds = 0.0

    public struct Column: Sendable, Codable, Equatable {
        public var name: String
        /// Values under another key when the run started, in all and by key id.
        public var pending: Int
        public var pendingByKey: [String: Int]
        public var resealed = 0
        /// Rows changed by someone else between read and write (left to them).
        public var superseded = 0
        /// Values left because other transactions held them for longer than the lock wait.
        public var busy = 0
        /// Values that would not open under their (configured) key, by key id.
        public var unreadableByKey: [String: Int] = [:]

        enum CodingKeys: String, CodingKey {
            case name, pending, resealed, superseded, busy
            case pendingByKey = "pending_by_key", unreadableByKey = "unreadable_by_key"
        }
    }

    /// Values that could not be opened, by key id, across columns.
    public var unreadable: [String: Int] {
        columns.reduce(into: [:]) { all, column in all.merge(column.unreadableByKey, uniquingKeysWith: +) }
    }

    enum CodingKeys: String, CodingKey {
        case columns, batches, remaining, complete, mislabelled, seconds
        case activeKeyID = "active_key_id", dryRun = "dry_run", missingKeys = "missing_keys"
    }
}

public enum KeyRotationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Values are sealed under keys that are not configured: key id → how many.
    case missingKeys([String: Int])
    /// Another rotation holds the lock.
    case alreadyRunning

    public var description: String {
        switch self {
        case .missingKeys(let keys):
            let list = keys.sorted { $0.key < $1.key }.map { "'\($0.key)' (\($0.value) value\($0.value == 1 ? "" : "s"))" }
            return "cannot rotate: values are sealed under key\(keys.count == 1 ? "" : "s") \(list.joined(separator: ", ")), "
                + "not configured. Add \(keys.count == 1 ? "it" : "them") to pii_old_keys (CASELOAD_PII_OLD_KEYS) and run again; nothing was changed"
        case .alreadyRunning:
            return "another key rotation is running on this database; wait for it to finish"
        }
    }
}
