import CaseloadCore
import Foundation
import PostgresNIO

/// Users of an agency and which client companies each consultant looks after.
public struct ConsultantStore: AgencyStore {
    public let tx: AgencyTransaction
    public init(tx: AgencyTransaction) { self.tx = tx }

    public struct User: Sendable, Hashable {
        public var id: UUID
        public var name: String
        public var role: Role
        /// A client's company.
        public var companyID: UUID?
        /// Bumped by every change (schema/011): pass it to user.update.
        public var version: Int

        public init(id: UUID, name: String, role: Role, companyID: UUID? = nil, version: Int = 1) {
            self.id = id
            self.name = name
            self.role = role
            self.companyID = companyID
            self.version = version
        }
    }

    public func users() async throws -> [User] {
        let rows = try await connection.query(
            "SELECT user_id, name, role, company_id, version FROM users WHERE agency_id = \(agency) ORDER BY name, user_id", logger: logger)
        var users: [User] = []
        for try await (id, name, role, company, version) in rows.decode((UUID, String, String, UUID?, Int).self) {
            users.append(User(id: id, name: name, role: Role(rawValue: role) ?? .viewer, companyID: company, version: version))
        }
        return users
    }

    /// Changes a user's name, role and (client) company if their version is still
    /// `user.version`; returns the user as stored (with the new version).
    public func update(_ user: User) async throws -> User {
        let rows = try await connection.query(
            """
            UPDATE users SET name = \(user.name), role = \(user.role.rawValue), company_id = \(user.companyID)
            WHERE agency_id = \(agency) AND user_id = \(user.id) AND version = \(user.version) RETURNING version
            """, logger: logger)
        for try await version in rows.decode(Int.self) {
            var updated = user
            updated.version = version
            return updated
        }
        guard let current = try await users().first(where: { $0.id == user.id }) else {
            throw StorageError.notFound(entity: "user")
        }
        throw StorageError.versionConflict(current: current.version)
    }

    /// Assigns (or unassigns) a consultant to a company; idempotent.
    public func assign(company: UUID, user: UUID, assigned: Bool)
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
    public func consultants(company: UUID) async throws -> [User] {
        let rows = try await connection.query(
            """
            SELECT u.user_id, u.name, u.role FROM company_consultants cc
            JOIN users u ON u.agency_id = cc.agency_id AND u.user_id = cc.user_id
            WHERE cc.agency_id = \(agency) AND cc.company_id = \(company) ORDER BY u.name
            """, logger: logger)
        var users: [User] = []
        for try await (id, name, role) in rows.decode((UUID, String, String).self) { users.append(User(id: id, name: name, role: Role(rawValue: role) ?? .viewer)) }
        return users
    }
}
