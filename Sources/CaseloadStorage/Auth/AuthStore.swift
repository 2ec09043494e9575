import CaseloadCore
import Foundation
import PostgresNIO

public enum AuthStore {
    /// The principal of a live (unexpired, unrevoked) token, or nil.
    public static func authenticate(secret: String, on connection: PostgresConnection, logger: Logger) async throws -> Principal? {
        try await authenticate(hash: Token.hash(secret), on: connection, logger: logger)
    }

    /// The principal of a live token given by its hash (for re-checking a logged-in session).
    public static func authenticate(hash tokenHash: [UInt8], on connection: PostgresConnection, logger: Logger) async throws -> Principal? {
        let hash = ByteBuffer(bytes: tokenHash)
        let rows = try await connection.query(
            "SELECT agency_id, user_id, role, user_name, agency_name, company_id FROM caseload_authenticate(\(hash))",
            logger: logger
        )
        for try await (agency, user, role, userName, agencyName, company) in rows.decode((UUID, UUID, String, String, String, UUID?).self) {
            // A role this server does not know grants nothing.
            guard let role = Role(rawValue: role) else { return nil }
            return Principal(agencyID: agency, userID: user, role: role, userName: userName, agencyName: agencyName, companyID: company)
        }
        return nil
    }
}

/// Agencies, users and their tokens: created by the operator with the admin URL (the schema
/// owner), never through the server.
public enum AdminStore {
    public struct Created: Sendable, Codable {
        public var agencyID: UUID
        public var userID: UUID
        public var role: Role
        public var token: String

        enum CodingKeys: String, CodingKey {
            case agencyID = "agency_id", userID = "user_id", role, token
        }
    }

    public static let roles = Role.allCases.map(\.rawValue)

    /// Creates an agency and its first user, an owner, with a new token.
    public static func createAgency(name: String, ownerName: String = "owner", on connection: PostgresConnection, logger: Logger)
        async throws -> Created
    {
        try await connection.withTransaction(logger: logger) { connection in
            var inserted: UUID?
            for try await id in try await connection.query("INSERT INTO agencies (name) VALUES (\(name)) RETURNING agency_id", logger: logger)
                .decode(UUID.self)
            {
                inserted = id
            }
            guard let agency = inserted else { throw StorageError.forbidden }
            return try await insertUser(name: ownerName, role: .owner, in: AgencyTransaction(connection: connection, agency: agency, logger: logger))
        }
    }

    /// Creates a user in an agency, with a new token. A client needs `company`: the one
    /// company whose cases they may follow.
    public static func createUser(
        agency: UUID, name: String, role: Role, company: UUID? = nil, tokenExpiresInDays: Int? = nil,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> Created {
        try await connection.withTransaction(logger: logger) { connection in
            try await insertUser(
                name: name, role: role, company: company, tokenExpiresInDays: tokenExpiresInDays,
                in: AgencyTransaction(connection: connection, agency: agency, logger: logger))
        }
    }

    /// Inserts a user and their first token, in `tx`.
    public static func insertUser(
        name: String, role: Role, company: UUID? = nil, tokenExpiresInDays: Int? = nil, in tx: AgencyTransaction
    ) async throws -> Created {
        var inserted: UUID?
        let rows = try await tx.connection.query(
            "INSERT INTO users (agency_id, name, role, company_id) VALUES (\(tx.agency), \(name), \(role.rawValue), \(company)) RETURNING user_id",
            logger: tx.logger)
        for try await id in rows.decode(UUID.self) { inserted = id }
        guard let user = inserted else { throw StorageError.forbidden }
        let token = try await tx.tokens.create(for: user, label: "first token", expiresInDays: tokenExpiresInDays)
        return Created(agencyID: tx.agency, userID: user, role: role, token: token.secret)
    }

    public static func agencyCount(on connection: PostgresConnection, logger: Logger) async throws -> Int {
        for try await n in try await connection.query("SELECT count(*)::int FROM agencies", logger: logger).decode(Int.self) {
            return n
        }
        return 0
    }
}
