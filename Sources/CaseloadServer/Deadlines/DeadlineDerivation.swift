import CaseloadCore
import CaseloadStorage
import Foundation
import PostgresNIO

/// Derives deadlines from their rules when the base event happens, and re-derives them when
/// the base or the calendar changes. Runs inside the caller's transaction, so a deadline is
/// never out of step with the change that caused it.
enum DeadlineDerivation {
    static var rules: [DeadlineRule] { DeadlineRules.defaults }

    /// The deadlines a case's current state gives: rules of its kind whose base is known.
    /// A stage-entry rule fires when the case is in that stage (the entry date is kept once derived).
    static func deriveForCase(
        _ c: CaseRecord, calendar: ChineseCalendar, reason: String, agency: UUID, user: UUID?, on connection: PostgresConnection, logger: Logger
    ) async throws {
        for rule in rules where rule.caseKinds.contains(c.state.kind) {
            let base: CalendarDate?
            switch rule.base {
            case .recorded(let stage, let field):
                if case .date(let d)? = c.state.value(stage, field) { base = d } else { base = nil }
            case .stageEntered(let stage):
                base = c.state.stage == stage && c.state.status == .active ? shanghaiDate(c.stageEnteredAt) : nil
            case .permitExpiry:
                base = nil
            }
            guard let base else { continue }
            let computed = ComputedDeadline.compute(rule, baseDate: base, calendar: calendar)
            try await DeadlineStore.upsert(
                DerivedDeadline(rule: rule, computed: computed, caseID: c.id, applicantID: c.applicantID, companyID: c.companyID),
                reason: reason, agency: agency, user: user, on: connection, logger: logger)
        }
    }

    /// The applicant-level deadlines: points validity and renewal reminders from the permit's expiry.
    static func applicantDeadlines(_ a: ApplicantRecord, calendar: ChineseCalendar) -> [DerivedDeadline] {
        guard let expiry = a.profile.permitExpiryDate else { return [] }
        return rules.filter { rule in
            guard rule.caseKinds.isEmpty, case .permitExpiry = rule.base else { return false }
            return true
        }.map { rule in
            DerivedDeadline(
                rule: rule, computed: ComputedDeadline.compute(rule, baseDate: expiry, calendar: calendar), caseID: nil, applicantID: a.id,
                companyID: a.companyID)
        }
    }

    /// Derives (creates or moves) the applicant-level deadlines.
    static func deriveForApplicant(
        _ a: ApplicantRecord, calendar: ChineseCalendar, reason: String, agency: UUID, user: UUID?, on connection: PostgresConnection, logger: Logger
    ) async throws {
        for derived in applicantDeadlines(a, calendar: calendar) {
            try await DeadlineStore.upsert(derived, reason: reason, agency: agency, user: user, on: connection, logger: logger)
        }
    }

    /// The applicant-level deadlines of applicants just created (who have none yet), in one batch.
    static func deriveForNewApplicants(
        _ applicants: [ApplicantRecord], calendar: ChineseCalendar, reason: String, agency: UUID, user: UUID?, on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        try await DeadlineStore.insertNew(
            applicants.flatMap { applicantDeadlines($0, calendar: calendar) }, reason: reason, agency: agency, user: user, on: connection, logger: logger)
    }

    /// Re-derives every open derived deadline of the agency with its calendar as it now is,
    /// recording each date that moved with `reason`. Returns how many moved.
    static func recomputeAll(calendar: ChineseCalendar, reason: String, agency: UUID, user: UUID?, on connection: PostgresConnection, logger: Logger)
        async throws -> Int
    {
        var moved = 0
        for d in try await DeadlineStore.derivedOpen(agency: agency, on: connection, logger: logger) {
            guard let ruleID = d.ruleID, let rule = rules.first(where: { $0.id == ruleID }), let base = d.baseDate else { continue }
            let computed = ComputedDeadline.compute(rule, baseDate: base, calendar: calendar)
            guard computed.dueDate != d.dueDate || computed.explanation != d.explanation || computed.provisional != d.provisional else { continue }
            if computed.dueDate != d.dueDate { moved += 1 }
            try await DeadlineStore.upsert(
                DerivedDeadline(rule: rule, computed: computed, caseID: d.caseID, applicantID: d.applicantID, companyID: d.companyID),
                reason: reason, agency: agency, user: user, on: connection, logger: logger)
        }
        return moved
    }

    /// The civil date in Shanghai (UTC+8 all year) of an instant.
    static func shanghaiDate(_ instant: Date) -> CalendarDate {
        CalendarDate(daysSinceEpoch: Int(((instant.timeIntervalSince1970 + 8 * 3600) / 86400).rounded(.down)))
    }
}
