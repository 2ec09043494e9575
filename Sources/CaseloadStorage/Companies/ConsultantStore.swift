import Foundation
import PostgresNIO

/// Users of an agency and which client companies each consultant looks after.
public enum ConsultantStore {
    public struct User: Sendable, Hashable {
        public var id: UUID
        public var name: String
        public var role: String
    }

    public static func users(agency: UUID, on connection: PostgresConnection, logger: Logger) async throws -> [User] {
        let rows = try await connection.query(
            "SELECT user_id, name, role FROM users WHERE agency_id = \(agency) ORDER BY name, user_id", logger: logger)
        var users: [User] = []
        for try await (id, name, role) in rows.decode((UUID, String, String).self) { users.append(User(id: id, name: name, role: role)) }
        return users
    }

    /// Assigns (or unassigns) a consultant to a company; idempotent.
    public static func assign(company: UUID, user: UUID, assigned: Bool, agency: UUID, on connection: PostgresConnection, logger: Logger)
        async throws
    {
        if assigned {
            try await connection.query(
                """
                INSERT INTO company_consultants (agency_id, company_id, user_id) VALUES (\(agency), \(company), \(user))
                ON CONFLICT DO NOTHING
                """, logger: logger)
        } else {
            try await connection.query(
                "DELETE FROM company_consultants WHERE agency_id = \(agency) AND company_id = \(company) AND user_id = \(user)", logger: logger)
        }
    }

    /// The users assigned to a company.
    public static func consultants(company: UUID, agency: UUID, on connection: PostgresConnection, logger: Logger) async throws -> [User] {
        let rows = try await connection.query(
            """
            SELECT u.user_id, u.name, u.role FROM company_consultants cc
            JOIN users u ON u.agency_id = cc.agency_id AND u.user_id = cc.user_id
            WHERE cc.agency_id = \(agency) AND cc.company_id = \(company) ORDER BY u.name
            """, logger: logger)
        var users: [User] = []
        for try await (id, name, role) in rows.decode((UUID, String, String).self) { users.append(User(id: id, name: name, role: role)) }
        return users
    }
}
