import CaseloadCore
import CaseloadProtocol
import CaseloadStorage
import Foundation
import PostgresNIO

/// Extra users for role tests.
enum AdminStoreHelper {
    static func user(_ agency: UUID, role: Role, on connection: PostgresConnection) async throws -> String {
        try await AdminStore.createUser(agency: agency, name: "\(role.rawValue) \(UUID().uuidString.prefix(4))", role: role, on: connection, logger: TestDatabase.logger).token
    }

    /// A consultant assigned to `company` (through the server, by the agency's owner).
    static func consultant(of company: JSONValue, agency: AdminStore.Created, server: TestServer) async throws -> String {
        let created = try await server.database.admin { connection in
            try await AdminStore.createUser(agency: agency.agencyID, name: "顾问 \(UUID().uuidString.prefix(4))", role: .consultant, on: connection, logger: TestDatabase.logger)
        }
        try await server.withClient(token: agency.token) { owner in
            _ = try await owner.call("company.assign", ["company_id": company, "user_id": .string(created.userID.uuidString)])
        }
        return created.token
    }

    static func userID(_ agency: UUID, role: Role, on connection: PostgresConnection) async throws -> UUID {
        try await AdminStore.createUser(agency: agency, name: "\(role.rawValue) \(UUID().uuidString.prefix(4))", role: role, on: connection, logger: TestDatabase.logger).userID
    }
}
