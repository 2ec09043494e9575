import CaseloadCore
import Foundation
import PostgresNIO

/// An agency's settings, and the record of renewals opened automatically.
public struct SettingsStore: AgencyStore {
    public let tx: AgencyTransaction
    public init(tx: AgencyTransaction) { self.tx = tx }

    public func autoOpenRenewals() async throws -> Bool {
        let rows = try await connection.query("SELECT auto_open_renewals FROM agency_settings WHERE agency_id = \(agency)", logger: logger)
        for try await value in rows.decode(Bool.self) { return value }
        return false
    }

    /// (The time comes in with the row, not from `now()` in the update: Citus refuses a
    /// function that is not IMMUTABLE in ON CONFLICT DO UPDATE; docs/scaling.md §4.)
    public func setAutoOpenRenewals(_ value: Bool) async throws {
        try await connection.query(
            """
            INSERT INTO agency_settings (agency_id, auto_open_renewals, updated_at) VALUES (\(agency), \(value), now())
            ON CONFLICT (agency_id) DO UPDATE SET auto_open_renewals = EXCLUDED.auto_open_renewals, updated_at = EXCLUDED.updated_at
            """, logger: logger)
    }

    /// Whether a renewal was already opened automatically for this permit expiry.
    public func renewalOpened(applicant: UUID, expiry: CalendarDate)
        async throws -> Bool
    {
        let rows = try await connection.query(
            """
            SELECT 1 FROM renewals_opened WHERE agency_id = \(agency) AND applicant_id = \(applicant) AND permit_expiry = \(expiry)
            """, logger: logger)
        return try await rows.collect().count > 0
    }

    /// Records the renewal opened for this permit expiry. The key makes a second one fail (and
    /// its transaction roll back), so it happens once even with several servers.
    public func recordRenewal(applicant: UUID, expiry: CalendarDate, caseID: UUID)
        async throws
    {
        try await connection.query(
            """
            INSERT INTO renewals_opened (agency_id, applicant_id, permit_expiry, case_id)
            VALUES (\(agency), \(applicant), \(expiry), \(caseID))
            """, logger: logger)
    }
}
