import CaseloadCore
import Foundation
import PostgresNIO

/// The data migrations that run in the server's code after the SQL ones (schema/014's
/// `caseload_data_migrations`), and the queries the deadline re-derivation needs. Run as the
/// schema owner, across agencies.
public enum DataMigrationStore {
    /// Whether the data migration `name` has run.
    public static func hasRun(_ name: String, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query("SELECT count(*)::int FROM caseload_data_migrations WHERE name = \(name)", logger: logger)
        var count = 0
        for try await n in rows.decode(Int.self) { count = n }
        return count > 0
    }

    /// Records that `name` ran, with what it did.
    public static func record(_ name: String, summary: String, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("INSERT INTO caseload_data_migrations (name, summary) VALUES (\(name), \(summary))", logger: logger)
    }

    /// Names the work in the audit log (`method`) for the rest of the transaction.
    public static func auditAs(_ method: String, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("SELECT set_config('caseload.method', \(method), true)", logger: logger)
    }

    /// Every agency, case (nil for applicant-level) and applicant with deadlines derived from a rule.
    public static func deadlineOwners(on connection: PostgresConnection, logger: Logger) async throws -> [(agency: UUID, caseID: UUID?, applicant: UUID)] {
        let rows = try await connection.query(
            "SELECT DISTINCT agency_id, case_id, applicant_id FROM deadlines WHERE rule_id IS NOT NULL ORDER BY agency_id, case_id, applicant_id",
            logger: logger)
        var owners: [(UUID, UUID?, UUID)] = []
        for try await row in rows.decode((UUID, UUID?, UUID).self) { owners.append(row) }
        return owners.map { (agency: $0.0, caseID: $0.1, applicant: $0.2) }
    }

    /// How many deadlines are in each state, in all agencies.
    public static func deadlineStates(on connection: PostgresConnection, logger: Logger) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        let rows = try await connection.query("SELECT state, count(*)::int FROM deadlines GROUP BY state", logger: logger)
        for try await (state, n) in rows.decode((String, Int).self) { counts[state] = n }
        return counts
    }

    /// Checks the rule "only a due date is missed" for every stored row (schema/014 added it
    /// NOT VALID, for rows the re-derivation then repairs).
    public static func validateDeadlineKinds(on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("ALTER TABLE deadlines VALIDATE CONSTRAINT deadlines_missed_is_due", logger: logger)
    }
}
