import Foundation
import PostgresNIO

/// A user's API tokens: created (shown once), listed (never the secret), revoked.
public struct TokenStore: AgencyStore {
    public let tx: AgencyTransaction
    public init(tx: AgencyTransaction) { self.tx = tx }

    public struct Info: Sendable, Hashable {
        public var id: UUID
        public var userID: UUID
        public var label: String?
        public var createdAt: Date
        public var expiresAt: Date?
        public var revokedAt: Date?
    }

    /// The longest a token may live when created through the server.
    public static let maximumLifetimeDays = 3650

    /// A new token for `user`, stored as its hash; the returned secret is never stored.
    public func create(for user: UUID, label: String?, expiresInDays: Int?) async throws -> (secret: String, info: Info) {
        let token = Token.generate()
        let rows = try await connection.query(
            """
            INSERT INTO tokens (agency_id, user_id, token_hash, label, expires_at)
            VALUES (\(agency), \(user), \(ByteBuffer(bytes: token.hash)), \(label),
                    CASE WHEN \(expiresInDays)::int IS NULL THEN NULL ELSE now() + make_interval(days => \(expiresInDays)::int) END)
            RETURNING token_id, user_id, label, created_at, expires_at, revoked_at
            """, logger: logger)
        for try await row in rows.decode((UUID, UUID, String?, Date, Date?, Date?).self) {
            // On Citus, login finds the token's agency through this route (schema/021).
            try await connection.query("SELECT caseload_route_token(\(agency), \(ByteBuffer(bytes: token.hash)))", logger: logger)
            return (token.secret, Info(id: row.0, userID: row.1, label: row.2, createdAt: row.3, expiresAt: row.4, revokedAt: row.5))
        }
        throw StorageError.notFound(entity: "token")
    }

    /// Tokens of one user (or of everyone the caller may see, when `user` is nil), newest first.
    public func list(user: UUID?) async throws -> [Info] {
        let rows = try await connection.query(
            """
            SELECT token_id, user_id, label, created_at, expires_at, revoked_at FROM tokens
            WHERE agency_id = \(agency) AND (\(user)::uuid IS NULL OR user_id = \(user))
            ORDER BY created_at DESC, token_id
            """, logger: logger)
        var infos: [Info] = []
        for try await row in rows.decode((UUID, UUID, String?, Date, Date?, Date?).self) {
            infos.append(Info(id: row.0, userID: row.1, label: row.2, createdAt: row.3, expiresAt: row.4, revokedAt: row.5))
        }
        return infos
    }

    /// Revokes a token (idempotent): any of the agency's, or only `user`'s when given. Not
    /// found when it is not one of those.
    public func revoke(_ token: UUID, user: UUID?) async throws -> Info {
        // Set only when not yet revoked, then read back: an already revoked token keeps its
        // time. (Two statements, not `coalesce(revoked_at, now())`: Citus refuses a function
        // that is not IMMUTABLE inside an update's COALESCE; docs/scaling.md §4.)
        try await connection.query(
            """
            UPDATE tokens SET revoked_at = now()
            WHERE agency_id = \(agency) AND token_id = \(token) AND (\(user)::uuid IS NULL OR user_id = \(user)) AND revoked_at IS NULL
            """, logger: logger)
        let rows = try await connection.query(
            """
            SELECT token_id, user_id, label, created_at, expires_at, revoked_at FROM tokens
            WHERE agency_id = \(agency) AND token_id = \(token) AND (\(user)::uuid IS NULL OR user_id = \(user))
            """, logger: logger)
        for try await row in rows.decode((UUID, UUID, String?, Date, Date?, Date?).self) {
            return Info(id: row.0, userID: row.1, label: row.2, createdAt: row.3, expiresAt: row.4, revokedAt: row.5)
        }
        throw StorageError.notFound(entity: "token")
    }
}
