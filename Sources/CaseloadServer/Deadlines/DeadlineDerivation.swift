import CaseloadCore
import CaseloadStorage
import Foundation
import PostgresNIO

/// The one mechanism that keeps deadlines true: derives a rule's date when its base event
/// happens, moves it when the base or the calendar changes, and ends it — satisfied or
/// cancelled, as the rule data says (`DeadlineRule.dischargedBy`) — when the event it waits for
/// happens. Every method that changes a case, an applicant's permit or a paper's custody calls
/// it inside its own transaction, so a deadline is never out of step with the change.
enum DeadlineDerivation {
    static var rules: [DeadlineRule] { DeadlineRules.defaults }

    /// The rule ids in rule order, for "what is next" ties.
    static var ruleOrder: [String] { rules.map(\.id) }

    /// Settles a case's dates: each rule of its kind whose base is known (a recorded date, the
    /// day it entered a stage, or the base of the date derived before) gets its date and the
    /// state the case's facts give. A renewal's change settles the applicant's permit dates too
    /// (`applicant`: the applicant as the caller read them in this transaction; nil: read here).
    /// What it reads is one statement (`DeadlineStore.toSettle`); a date that does not change
    /// costs nothing more.
    static func deriveForCase(
        _ c: CaseRecord, applicant: ApplicantRecord? = nil, calendar: ChineseCalendar, today: CalendarDate, reason: String, user: UUID?,
        in tx: AgencyTransaction
    ) async throws {
        let caseRules = rules.filter { $0.caseKinds.contains(c.state.kind) }
        guard !caseRules.isEmpty else { return }
        var permitHolder: ApplicantRecord?
        if c.state.kind == Discharge.renewalKind {
            permitHolder = if let applicant { applicant } else { try await tx.applicants.get(c.applicantID) }
        }
        let settle = try await tx.deadlines.toSettle(
            caseID: c.id, applicantID: c.applicantID, originals: caseRules.contains { $0.dischargedBy.contains(.originalsCollected) },
            renewal: permitHolder.flatMap(renewalApproval))
        var facts = DischargeFacts(kind: CaseKinds.kind(c.state.kind), stage: c.state.stage, status: c.state.status)
        facts.originalsCollected = settle.originalsCollected
        let derived = caseDeadlines(
            CaseFacts(id: c.id, applicantID: c.applicantID, companyID: c.companyID, state: c.state, stageEnteredAt: c.stageEnteredAt),
            existingBases: settle.ofCase.mapValues(\.baseDate), facts: facts, calendar: calendar)
        for deadline in derived {
            try await tx.deadlines.upsert(deadline, existing: settle.ofCase[deadline.rule.id], today: today, reason: reason, user: user)
        }
        if c.state.status.isTerminal {
            try await DeadlineStore.cancelManual(
                ofEndedCase: c.id, agency: tx.agency, reason: "the case was \(c.state.status.rawValue): \(reason)", user: user, on: tx.connection, logger: tx.logger)
        }
        if let permitHolder {
            try await settleApplicant(permitHolder, settle, calendar: calendar, today: today, reason: reason, user: user, in: tx)
        }
    }

    /// Which renewal discharges the applicant's permit dates: one approved for the permit they
    /// hold now (nil: no permit recorded, no dates to settle).
    static func renewalApproval(for a: ApplicantRecord) -> RenewalApproval? {
        a.profile.permitExpiryDate.map {
            RenewalApproval(kind: Discharge.renewalKind, stages: Discharge.renewalApprovedStages, since: $0.adding(days: -Discharge.renewalLeadDays))
        }
    }

    /// What `deriveForCase` needs of a case (a stored one, or one about to be written in bulk).
    struct CaseFacts {
        var id: UUID
        var applicantID: UUID
        var companyID: UUID
        var state: CaseState
        var stageEnteredAt: Date
    }

    /// The dates a case's rules give: each rule of its kind whose base is known (a recorded
    /// date, the day it entered a stage, or the base of the date derived before, from
    /// `existingBases`), with the state the case's facts give. Pure: no reads.
    static func caseDeadlines(
        _ c: CaseFacts, existingBases: [String: CalendarDate?], facts: DischargeFacts, calendar: ChineseCalendar
    ) -> [DerivedDeadline] {
        rules.filter { $0.caseKinds.contains(c.state.kind) }.compactMap { rule in
            let base: CalendarDate?
            switch rule.base {
            case .recorded(let stage, let field):
                if case .date(let d)? = c.state.value(stage, field) { base = d } else { base = existingBases[rule.id] ?? nil }
            case .stageEntered(let stage):
                base = c.state.stage == stage && c.state.status == .active ? CalendarDate(shanghai: c.stageEnteredAt) : existingBases[rule.id] ?? nil
            case .permitExpiry:
                base = nil
            }
            guard let base else { return nil }
            return DerivedDeadline(
                rule: rule, computed: rule.compute(baseDate: base, calendar: calendar), caseID: c.id, applicantID: c.applicantID,
                companyID: c.companyID, settlement: rule.settlement(for: facts))
        }
    }

    /// Settles the dates of every case of an applicant still under way: after a change to one
    /// of their papers' custody (originals collected discharge a date).
    static func deriveForApplicantCases(
        _ applicant: UUID, calendar: ChineseCalendar, today: CalendarDate, reason: String, user: UUID?, in tx: AgencyTransaction
    ) async throws {
        var filter = CaseFilter()
        filter.applicantID = applicant
        for c in try await tx.cases.list(filter: filter, after: nil, limit: 100)
        where c.state.status == .active || c.state.status == .onHold {
            try await deriveForCase(c, calendar: calendar, today: today, reason: reason, user: user, in: tx)
        }
    }

    /// The applicant-level deadlines: points validity, lapse thresholds and renewal reminders
    /// from the permit's expiry, each ended once a renewal for that permit is approved.
    static func applicantDeadlines(_ a: ApplicantRecord, calendar: ChineseCalendar, renewalApproved: Bool) -> [DerivedDeadline] {
        applicantDeadlines(applicantID: a.id, companyID: a.companyID, permitExpiry: a.profile.permitExpiryDate, calendar: calendar, renewalApproved: renewalApproved)
    }

    /// The same for an applicant known by its ids and permit expiry (one about to be written in bulk).
    static func applicantDeadlines(
        applicantID: UUID, companyID: UUID, permitExpiry: CalendarDate?, calendar: ChineseCalendar, renewalApproved: Bool
    ) -> [DerivedDeadline] {
        guard let expiry = permitExpiry else { return [] }
        let facts = DischargeFacts(renewalApproved: renewalApproved)
        return rules.filter { rule in
            guard rule.caseKinds.isEmpty, case .permitExpiry = rule.base else { return false }
            return true
        }.map { rule in
            DerivedDeadline(
                rule: rule, computed: rule.compute(baseDate: expiry, calendar: calendar), caseID: nil, applicantID: applicantID, companyID: companyID,
                settlement: rule.settlement(for: facts))
        }
    }

    /// Derives (creates, moves or settles) the applicant-level deadlines.
    static func deriveForApplicant(
        _ a: ApplicantRecord, calendar: ChineseCalendar, today: CalendarDate, reason: String, user: UUID?, in tx: AgencyTransaction
    ) async throws {
        guard let renewal = renewalApproval(for: a) else { return }
        let settle = try await tx.deadlines.toSettle(caseID: nil, applicantID: a.id, originals: false, renewal: renewal)
        try await settleApplicant(a, settle, calendar: calendar, today: today, reason: reason, user: user, in: tx)
    }

    /// The applicant-level deadlines from what `toSettle` read and locked.
    private static func settleApplicant(
        _ a: ApplicantRecord, _ settle: DeadlinesToSettle, calendar: ChineseCalendar, today: CalendarDate, reason: String, user: UUID?,
        in tx: AgencyTransaction
    ) async throws {
        for derived in applicantDeadlines(a, calendar: calendar, renewalApproved: settle.renewalApproved) {
            try await tx.deadlines.upsert(derived, existing: settle.ofApplicant[derived.rule.id], today: today, reason: reason, user: user)
        }
    }

    /// The applicant-level deadlines of applicants just created (who have none yet, and no
    /// renewal), in one batch.
    static func deriveForNewApplicants(
        _ applicants: [ApplicantRecord], calendar: ChineseCalendar, today: CalendarDate, reason: String, user: UUID?, in tx: AgencyTransaction
    ) async throws {
        try await tx.deadlines.insertNew(
            applicants.flatMap { applicantDeadlines($0, calendar: calendar, renewalApproved: false) }, today: today, reason: reason, user: user)
    }

    /// Re-derives every pending derived deadline of the agency with its calendar as it now is,
    /// recording each date that moved with `reason`. Returns how many moved.
    static func recomputeAll(
        calendar: ChineseCalendar, today: CalendarDate, reason: String, user: UUID?, in tx: AgencyTransaction
    ) async throws -> Int {
        var moved = 0
        for d in try await tx.deadlines.derivedPending() {
            guard let ruleID = d.ruleID, let rule = rules.first(where: { $0.id == ruleID }), let base = d.baseDate else { continue }
            let computed = rule.compute(baseDate: base, calendar: calendar)
            guard computed.dueDate != d.dueDate || computed.explanation != d.explanation || computed.provisional != d.provisional else { continue }
            if computed.dueDate != d.dueDate { moved += 1 }
            try await tx.deadlines.upsert(
                DerivedDeadline(rule: rule, computed: computed, caseID: d.caseID, applicantID: d.applicantID, companyID: d.companyID), existing: d,
                today: today, reason: reason, user: user)
        }
        return moved
    }
}
