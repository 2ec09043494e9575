import CaseloadStorage
import Foundation
import PostgresNIO

/// Extra users for role tests.
enum AdminStoreHelper {
    static func user(_ agency: UUID, role: String, on connection: PostgresConnection) async throws -> String {
        try await AdminStore.createUser(agency: agency, name: "\(role) \(UUID().uuidString.prefix(4))", role: role, on: connection, logger: TestDatabase.logger).token
    }

    static func userID(_ agency: UUID, role: String, on connection: PostgresConnection) async throws -> UUID {
        try await AdminStore.createUser(agency: agency, name: "\(role) \(UUID().uuidString.prefix(4))", role: role, on: connection, logger: TestDatabase.logger).userID
    }
}
