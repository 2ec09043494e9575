import CaseloadCore
import CaseloadStorage
import Foundation
import PostgresNIO

/// The time-driven part of deadlines: open due dates whose day passed become missed, windows
/// whose day came open, and (when
/// the agency wants it) a renewal case is opened once per permit expiry at the first
/// reminder. Run before deadlines are listed; a scheduler will run it on its own later.
enum DeadlineSweep {
    /// `now` is the business clock's; today is its date in Shanghai.
    static func run(now: Date, user: UUID, in tx: AgencyTransaction) async throws {
        let today = CalendarDate(shanghai: now)
        // One sweep per agency at a time (several users, several servers): the second waits,
        // then finds the work done.
        try await tx.deadlineLock.lock()
        try await tx.deadlines.sweep(today: today)
        guard try await tx.settings.autoOpenRenewals() else { return }
        let lead = DeadlineRules.defaults.compactMap { rule -> Int? in
            guard case .permitExpiry = rule.base, case .calendarDays(let days) = rule.offset, days < 0 else { return nil }
            return -days
        }.max() ?? 30
        let kind = CaseKinds.pointsRenewal
        for applicant in try await tx.applicants.expiring(from: today, until: today.adding(days: lead)) {
            guard let expiry = applicant.profile.permitExpiryDate,
                try await !tx.settings.renewalOpened(applicant: applicant.id, expiry: expiry)
            else { continue }
            let opened = try await tx.cases.open(
                CaseMachine.open(kind: kind), applicantID: applicant.id, companyID: applicant.companyID, dueInDays: kind.stage(kind.initialStage)?.allowedDays, now: now, user: user, data: "{\"opened_by\":\"renewal reminder: permit expires \(expiry.iso)\"}")
            try await tx.settings.recordRenewal(applicant: applicant.id, expiry: expiry, caseID: opened.id)
        }
    }
}
