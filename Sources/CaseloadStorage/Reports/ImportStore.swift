import CaseloadCore
import Foundation
import PostgresNIO

/// Staged import rows, sealed at rest, keyed by their row number in the file.
public struct ImportStore: AgencyStore {
    public let tx: AgencyTransaction
    public init(tx: AgencyTransaction) { self.tx = tx }

    public func begin(kind: String, user: UUID) async throws -> UUID {
        let rows = try await connection.query(
            "INSERT INTO imports (agency_id, kind, user_id) VALUES (\(agency), \(kind), \(user)) RETURNING import_id", logger: logger)
        for try await id in rows.decode(UUID.self) { return id }
        throw StorageError.forbidden
    }

    /// Whether the import (this agency's; `not_found` otherwise) is still open: not committed,
    /// dry-run or refused.
    public func isOpen(_ id: UUID, forUpdate: Bool = false) async throws -> Bool {
        let rows = try await connection.query(
            "SELECT committed_at IS NULL FROM imports WHERE agency_id = \(agency) AND import_id = \(id) \(unescaped: forUpdate ? "FOR UPDATE" : "")",
            logger: logger)
        for try await open in rows.decode(Bool.self) { return open }
        throw StorageError.notFound(entity: "import")
    }

    /// Stages rows (a row number staged again replaces the earlier one), in one statement:
    /// the rows go in as arrays unnested by PostgreSQL, so a batch is one round trip.
    public func stage(_ rows: [(row: Int, fields: [String: String])], importID: UUID, cipher: PIICipher)
        async throws
    {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        // The last of a row number staged twice in one batch wins, as it would one at a time
        // (one statement may not update the same row twice).
        var position: [Int: Int] = [:]
        var numbers: [Int] = []
        var sealed: [ByteBuffer] = []
        var keys: [String] = []
        for r in rows {
            let s = try cipher.seal(String(decoding: try encoder.encode(r.fields), as: UTF8.self))
            if let at = position[r.row] {
                sealed[at] = ByteBuffer(bytes: s.sealed)
                keys[at] = s.keyID
            } else {
                position[r.row] = numbers.count
                numbers.append(r.row)
                sealed.append(ByteBuffer(bytes: s.sealed))
                keys.append(s.keyID)
            }
        }
        guard !numbers.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO import_rows (agency_id, import_id, row_number, sealed, key_id)
            SELECT \(agency), \(importID), r.n, r.s, r.k FROM unnest(\(numbers)::int4[], \(sealed)::bytea[], \(keys)::text[]) AS r(n, s, k)
            ON CONFLICT (agency_id, import_id, row_number) DO UPDATE SET sealed = EXCLUDED.sealed, key_id = EXCLUDED.key_id
            """, logger: logger)
        // The rows are sealed, so the audit log gets their count, one entry per call (a trigger
        // did this until migration 027; Citus cannot run it on a shard).
        try await connection.query(
            """
            INSERT INTO audit_log (agency_id, user_id, method, entity, entity_id, table_name, action, after)
            VALUES (\(agency), caseload_current_user(), coalesce(nullif(current_setting('caseload.method', true), ''), 'system'),
                    'import', \(importID.lowercasedString), 'import_rows', 'insert', jsonb_build_object('rows', \(numbers.count)))
            """, logger: logger)
    }

    /// Every staged row, in row order.
    public func rows(importID: UUID, cipher: PIICipher) async throws
        -> [(row: Int, fields: [String: String])]
    {
        let rows = try await connection.query(
            "SELECT row_number, sealed, key_id FROM import_rows WHERE agency_id = \(agency) AND import_id = \(importID) ORDER BY row_number",
            logger: logger)
        var out: [(Int, [String: String])] = []
        for try await (row, sealed, key) in rows.decode((Int, ByteBuffer, String).self) {
            let json = try cipher.open(Array(sealed.readableBytesView), keyID: key)
            out.append((row, try JSONDecoder().decode([String: String].self, from: Data(json.utf8))))
        }
        return out.map { (row: $0.0, fields: $0.1) }
    }

    /// Marks the import committed and drops its staged rows.
    public func finish(importID: UUID) async throws {
        try await connection.query("DELETE FROM import_rows WHERE agency_id = \(agency) AND import_id = \(importID)", logger: logger)
        try await connection.query("UPDATE imports SET committed_at = now() WHERE agency_id = \(agency) AND import_id = \(importID)", logger: logger)
    }
}
