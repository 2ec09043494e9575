import Foundation
import PostgresNIO

/// The per-agency lock of changes that rewrite many of an agency's deadlines at once: the
/// deadline sweep and calendar changes (transaction-scoped advisory locks). Several users and
/// several servers may do either, one at a time, so two such rewrites never lock the same
/// deadlines in different orders (a deadlock the semantic fuzzer found between concurrent
/// calendar changes).
///
/// The key still says `caseload.sweep`, the name from when the sweep alone took it, so servers
/// of the previous version and this one exclude each other during a rolling upgrade.
public struct DeadlineLock: AgencyStore {
    public let tx: AgencyTransaction
    public init(tx: AgencyTransaction) { self.tx = tx }

    /// Waits for the agency's lock (a second sweeper then finds the work done).
    public func lock() async throws {
        try await connection.query("SELECT pg_advisory_xact_lock(hashtext('caseload.sweep'), hashtext(\(agency.uuidString)))", logger: logger)
    }

    /// Takes the lock if it is free: false when another instance is sweeping this agency.
    public func tryLock() async throws -> Bool {
        let rows = try await connection.query(
            "SELECT pg_try_advisory_xact_lock(hashtext('caseload.sweep'), hashtext(\(agency.uuidString)))", logger: logger)
        var acquired = false
        for try await got in rows.decode(Bool.self) { acquired = got }
        return acquired
    }
}
