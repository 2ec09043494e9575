import Foundation
import PostgresNIO

/// The per-agency lock of the deadline sweep (transaction-scoped advisory locks): several
/// users and several servers may sweep, one at a time.
public enum SweepLock {
    /// Waits for the agency's sweep lock (a second sweeper then finds the work done).
    public static func lock(agency: UUID, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("SELECT pg_advisory_xact_lock(hashtext('caseload.sweep'), hashtext(\(agency.uuidString)))", logger: logger)
    }

    /// Takes the lock if it is free: false when another instance is sweeping this agency.
    public static func tryLock(agency: UUID, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query(
            "SELECT pg_try_advisory_xact_lock(hashtext('caseload.sweep'), hashtext(\(agency.uuidString)))", logger: logger)
        var acquired = false
        for try await got in rows.decode(Bool.self) { acquired = got }
        return acquired
    }
}
