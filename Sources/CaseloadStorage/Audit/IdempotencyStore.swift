import Foundation
import PostgresNIO

/// Results of mutating calls made with an idempotency key (schema/008), kept in the call's
/// own transaction so a key is recorded exactly when its work committed.
public struct IdempotencyStore: AgencyStore {
    public let tx: AgencyTransaction
    public init(tx: AgencyTransaction) { self.tx = tx }

    /// How long a key is remembered at least; older keys are forgotten as new ones arrive.
    public static let retentionHours = 48

    public enum Claim: Sendable {
        /// The key is new: the caller does the work, then `complete`s it.
        case claimed
        /// The key was used before, for a call that committed with this result.
        case replay(method: String, paramsHash: [UInt8], result: String)
    }

    /// Claims `key` for this call. A concurrent call with the same key waits here until the
    /// first commits (then replays its result) or rolls back (then claims the key itself).
    public func claim(key: String, method: String, paramsHash: [UInt8], user: UUID) async throws -> Claim {
        try await connection.query(
            """
            DELETE FROM idempotency_keys
            WHERE agency_id = \(agency) AND user_id = \(user) AND created_at < now() - make_interval(hours => \(Self.retentionHours)::int)
            """, logger: logger)
        let inserted = try await connection.query(
            """
            INSERT INTO idempotency_keys (agency_id, user_id, key, method, params_hash)
            VALUES (\(agency), \(user), \(key), \(method), \(ByteBuffer(bytes: paramsHash)))
            ON CONFLICT DO NOTHING RETURNING 1
            """, logger: logger)
        for try await _ in inserted.decode(Int.self) { return .claimed }
        let rows = try await connection.query(
            "SELECT method, params_hash, result::text FROM idempotency_keys WHERE agency_id = \(agency) AND user_id = \(user) AND key = \(key)",
            logger: logger)
        for try await (storedMethod, hash, result) in rows.decode((String, ByteBuffer, String?).self) {
            return .replay(method: storedMethod, paramsHash: Array(buffer: hash), result: result ?? "null")
        }
        // Deleted between the insert and the select (expired at that instant): claim again.
        return try await claim(key: key, method: method, paramsHash: paramsHash, user: user)
    }

    /// Stores the result of the call that claimed `key`.
    public func complete(key: String, result: String, user: UUID) async throws {
        try await connection.query(
            "UPDATE idempotency_keys SET result = \(result)::jsonb WHERE agency_id = \(agency) AND user_id = \(user) AND key = \(key)",
            logger: logger)
    }
}
