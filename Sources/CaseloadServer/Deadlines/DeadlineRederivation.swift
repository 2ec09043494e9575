import CaseloadCore
import CaseloadStorage
import Foundation
import Logging
import PostgresNIO

/// The data step of migration 014: every stored deadline's state re-derived with today's rules
/// — the two kinds of dates, and the events that discharge them — from what the database
/// already knows: each case's stage and status (its history put it there), and the custody
/// ledger of the applicant's originals. An agency upgraded today does not keep its false
/// alarms: a window marked missed becomes open or satisfied, a passed stage's date satisfied,
/// a withdrawn case's dates cancelled. Each change is in the deadline's history with reason
/// "re-derived".
///
/// It runs once per database, from `caseload-server migrate` (as the schema owner, across
/// agencies), and is recorded in `caseload_data_migrations`.
public enum DeadlineRederivation {
    public static let name = "014_deadline_states"

    /// Runs the step unless it ran before; returns a summary of what it did, or nil.
    public static func runIfNeeded(url: DatabaseURL, today: CalendarDate, logger: Logger) async throws -> String? {
        try await withAdminConnection(url: url, logger: logger) { connection in
            try await connection.withTransaction(logger: logger) { connection in
                guard try await !DataMigrationStore.hasRun(name, on: connection, logger: logger) else { return nil }
                let summary = try await run(today: today, on: connection, logger: logger)
                try await DataMigrationStore.record(name, summary: summary, on: connection, logger: logger)
                // Now that no window or expectation is missed any more, the rule holds for every row.
                try await DataMigrationStore.validateDeadlineKinds(on: connection, logger: logger)
                return summary
            }
        }
    }

    /// Re-derives every case's and applicant's deadlines, agency by agency.
    static func run(today: CalendarDate, on connection: PostgresConnection, logger: Logger) async throws -> String {
        try await DataMigrationStore.auditAs("migrate: re-derive deadlines", on: connection, logger: logger)
        let before = try await DataMigrationStore.deadlineStates(on: connection, logger: logger)
        let work = try await DataMigrationStore.deadlineOwners(on: connection, logger: logger)
        for (agency, caseID, applicant) in work {
            let tx = AgencyTransaction(connection: connection, agency: agency, logger: logger)
            let calendar = try await tx.calendar.calendar()
            if let caseID {
                let c = try await tx.cases.get(caseID)
                try await DeadlineDerivation.deriveForCase(c, calendar: calendar, today: today, reason: "re-derived", user: nil, in: tx)
            } else {
                let a = try await tx.applicants.get(applicant)
                try await DeadlineDerivation.deriveForApplicant(a, calendar: calendar, today: today, reason: "re-derived", user: nil, in: tx)
            }
        }
        // Dates set by hand on cases that have ended end with them.
        try await DeadlineStore.cancelManual(ofEndedCase: nil, agency: nil, reason: "the case has ended: re-derived", user: nil, on: connection, logger: logger)
        let after = try await DataMigrationStore.deadlineStates(on: connection, logger: logger)
        let changes = Set(before.keys).union(after.keys).sorted().compactMap { state -> String? in
            let (was, now) = (before[state] ?? 0, after[state] ?? 0)
            return was == now ? nil : "\(state) \(was) → \(now)"
        }
        return "\(work.count) cases and applicants re-derived" + (changes.isEmpty ? "; no state changed" : ": " + changes.joined(separator: ", "))
    }
}
