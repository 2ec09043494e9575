import CaseloadCore
import Foundation
import PostgresNIO

/// A deadline as stored.
public struct DeadlineRecord: Sendable, Hashable {
    public var id: UUID
    public var ruleID: String?
    public var caseID: UUID?
    public var applicantID: UUID
    public var companyID: UUID
    public var title: String
    public var baseDate: CalendarDate?
    public var dueDate: CalendarDate
    public var provisional: Bool
    /// A due date, a window (an earliest date) or an expectation.
    public var kind: DeadlineKind
    public var explanation: String
    public var state: DeadlineState
    public var reason: String?
    public var updatedAt: Date
    /// Bumped by every change (schema/011): pass it to deadline.done / deadline.waive.
    public var version: Int
}

/// One change of a deadline.
public struct DeadlineHistoryEntry: Sendable, Hashable {
    public var seq: Int
    public var at: Date
    public var action: String
    public var oldDue: CalendarDate?
    public var newDue: CalendarDate?
    public var reason: String?
}

/// Which deadlines `DeadlineStore.list` returns, sorted by due date.
public struct DeadlineFilter: Sendable, Hashable {
    /// Only due dates still pending after `overdueOn` (`caseload_overdue`, schema/014).
    public var overdueOn: CalendarDate?
    public var states: [String]?
    public var dueOnOrBefore: CalendarDate?
    public var dueBefore: CalendarDate?
    public var companyID: UUID?
    public var consultantID: UUID?
    public var caseID: UUID?
    public var applicantID: UUID?
    public var ruleID: String?
    public var provisionalOnly = false
    public init() {}
}

/// What to derive: the rule's result for one case or applicant, and whether an event has
/// already ended it.
public struct DerivedDeadline: Sendable, Hashable {
    public var rule: DeadlineRule
    public var computed: ComputedDeadline
    public var caseID: UUID?
    public var applicantID: UUID
    public var companyID: UUID
    public var settlement: Settlement?
    public init(rule: DeadlineRule, computed: ComputedDeadline, caseID: UUID?, applicantID: UUID, companyID: UUID, settlement: Settlement? = nil) {
        self.rule = rule
        self.computed = computed
        self.caseID = caseID
        self.applicantID = applicantID
        self.companyID = companyID
        self.settlement = settlement
    }

    /// The state it should be in on `today`: its settlement's, or what the clock gives.
    public func state(today: CalendarDate) -> DeadlineState {
        settlement?.state ?? DeadlineState.pending(rule.kind, due: computed.dueDate, today: today)
    }
}

public struct DeadlineStore: AgencyStore {
    public let tx: AgencyTransaction
    public init(tx: AgencyTransaction) { self.tx = tx }

    static let columns = """
        deadline_id, rule_id, case_id, applicant_id, company_id, title, base_date, due_date, provisional, kind,
        explanation, state, reason, updated_at, version
        """
    typealias Row = (UUID, String?, UUID?, UUID, UUID, String, CalendarDate?, CalendarDate, Bool, String, String, String, String?, Date, Int)

    static func record(_ r: Row) throws -> DeadlineRecord {
        try DeadlineRecord(
            id: r.0, ruleID: r.1, caseID: r.2, applicantID: r.3, companyID: r.4, title: r.5, baseDate: r.6,
            dueDate: r.7, provisional: r.8, kind: DeadlineKind(rawValue: r.9) ?? .due,
            explanation: r.10, state: DeadlineState(rawValue: r.11) ?? .open, reason: r.12, updatedAt: r.13, version: r.14)
    }

    /// The history action recording a move into `state`.
    static func action(entering state: DeadlineState, from previous: DeadlineState) -> String {
        switch state {
        case .open: previous == .waiting ? "opened" : "reopened"
        case .waiting: "waiting"
        case .done, .waived, .missed, .satisfied, .cancelled: state.rawValue
        }
    }

    /// Creates or re-derives a rule's deadline: its date (a move recorded with `reason`) and its
    /// state — the settlement's when an event ended it, else what the clock gives on `today`.
    /// A deadline already final (done, waived, satisfied, cancelled) is left alone, unless it
    /// is an applicant's permit date and the permit changed: then it is the new permit's.
    ///
    /// `existing` is the rule's deadline as `derived` or `derivedPending` read and locked it in
    /// this transaction (nil: it has none), so settling a case's dates reads them once, not
    /// once per rule; a date that does not change costs no statement at all.
    @discardableResult
    public func upsert(_ d: DerivedDeadline, existing: DeadlineRecord?, today: CalendarDate, reason: String, user: UUID?) async throws
        -> DeadlineRecord
    {
        let c = d.computed
        let target = d.state(today: today)
        guard let existing else {
            let title = "\(d.rule.chineseName) \(d.rule.englishName)"
            let rows = try await connection.query(
                """
                INSERT INTO deadlines (agency_id, rule_id, case_id, applicant_id, company_id, title, base_date, due_date, provisional,
                                       is_expectation, kind, explanation, state, reason)
                VALUES (\(agency), \(d.rule.id), \(d.caseID), \(d.applicantID), \(d.companyID), \(title), \(c.baseDate),
                        \(c.dueDate), \(c.provisional), \(d.rule.isExpectation), \(d.rule.kind.rawValue), \(c.explanation),
                        \(target.rawValue), \(d.settlement?.reason))
                RETURNING \(unescaped: Self.columns)
                """, logger: logger)
            let created = try await Self.returned(rows)
            try await appendHistory(created.id, action: "created", oldDue: nil, newDue: c.dueDate, reason: reason, user: user)
            if target != .open, target != .waiting {
                try await appendHistory(
                    created.id, action: target.rawValue, oldDue: nil, newDue: nil, reason: d.settlement?.reason ?? "its date had passed", user: user)
            }
            return created
        }
        // A final date stays final — except an applicant's permit date whose permit changed:
        // that is the next permit's date, pending again (`newCycle`).
        let newCycle = !existing.state.isPending && d.caseID == nil && existing.baseDate != c.baseDate
        guard existing.state.isPending || newCycle else { return existing }
        let moved = existing.dueDate != c.dueDate || existing.explanation != c.explanation || existing.provisional != c.provisional
        // A transfer moves the deadline with the applicant to the new employer.
        let transferred = existing.companyID != d.companyID
        guard moved || transferred || existing.state != target || existing.kind != d.rule.kind else { return existing }
        let rows = try await connection.query(
            """
            UPDATE deadlines SET base_date = \(c.baseDate), due_date = \(c.dueDate), provisional = \(c.provisional),
                explanation = \(c.explanation), kind = \(d.rule.kind.rawValue), is_expectation = \(d.rule.isExpectation),
                state = \(target.rawValue), reason = coalesce(\(d.settlement?.reason), reason), company_id = \(d.companyID), updated_at = now()
            WHERE agency_id = \(agency) AND deadline_id = \(existing.id)
            RETURNING \(unescaped: Self.columns)
            """, logger: logger)
        let updated = try await Self.returned(rows)
        if existing.dueDate != c.dueDate {
            try await appendHistory(
                existing.id, action: "recomputed", oldDue: existing.dueDate, newDue: c.dueDate, reason: reason, user: user)
        }
        if target != existing.state {
            // What moved it, and the change that caused it ("…: case advance: x → y", "…: re-derived").
            let cause = newCycle ? "a new permit" : existing.dueDate != c.dueDate ? "its date moved" : nil
            let why = [d.settlement?.reason ?? cause, reason].compactMap { $0 }.joined(separator: ": ")
            try await appendHistory(
                existing.id, action: Self.action(entering: target, from: existing.state), oldDue: nil, newDue: nil, reason: why, user: user)
        }
        return updated
    }

    /// The row an `INSERT`/`UPDATE … RETURNING` gave back (a row comes back or the statement throws).
    private static func returned(_ rows: PostgresRowSequence) async throws -> DeadlineRecord {
        for try await row in rows.decode(Row.self) { return try record(row) }
        throw StorageError.forbidden
    }

    /// The id an `INSERT … RETURNING` gave back (a row comes back or the statement throws).
    private static func returnedID(_ rows: PostgresRowSequence) async throws -> UUID {
        for try await id in rows.decode(UUID.self) { return id }
        throw StorageError.forbidden
    }

    /// Creates derived deadlines known to be new (their case or applicant has none of these
    /// rules yet, e.g. applicants just added), each with its "created" history entry: what
    /// `upsert` does for a new one, in two statements for the whole batch.
    public func insertNew(_ deadlines: [DerivedDeadline], today: CalendarDate, reason: String, user: UUID?) async throws {
        guard !deadlines.isEmpty else { return }
        // Arrays of nullable values do not bind: no case is an empty value, made NULL by nullif.
        let rules = deadlines.map(\.rule.id)
        let cases = deadlines.map { $0.caseID?.uuidString ?? "" }
        let applicants = deadlines.map(\.applicantID)
        let companies = deadlines.map(\.companyID)
        let titles = deadlines.map { "\($0.rule.chineseName) \($0.rule.englishName)" }
        let bases = deadlines.map { $0.computed.baseDate.iso }
        let dues = deadlines.map { $0.computed.dueDate.iso }
        let provisional = deadlines.map(\.computed.provisional)
        let expectations = deadlines.map(\.rule.isExpectation)
        let kinds = deadlines.map(\.rule.kind.rawValue)
        let states = deadlines.map { $0.state(today: today).rawValue }
        let explanations = deadlines.map(\.computed.explanation)
        let rows = try await connection.query(
            """
            INSERT INTO deadlines (agency_id, rule_id, case_id, applicant_id, company_id, title, base_date, due_date, provisional,
                                   is_expectation, kind, state, explanation)
            SELECT \(agency), rule_id, nullif(case_id, '')::uuid, applicant_id, company_id, title, base_date, due_date, provisional,
                   is_expectation, kind, state, explanation
            FROM unnest(\(rules)::text[], \(cases)::text[], \(applicants)::uuid[], \(companies)::uuid[], \(titles)::text[], \(bases)::date[],
                        \(dues)::date[], \(provisional)::bool[], \(expectations)::bool[], \(kinds)::text[], \(states)::text[], \(explanations)::text[])
                WITH ORDINALITY AS t(rule_id, case_id, applicant_id, company_id, title, base_date, due_date, provisional, is_expectation, kind,
                                     state, explanation, n)
            ORDER BY t.n
            RETURNING deadline_id
            """, logger: logger)
        var ids: [UUID] = []
        for try await id in rows.decode(UUID.self) { ids.append(id) }
        // A second statement: row-level security checks a history row against its deadline,
        // which a statement cannot see if it inserted it itself (one snapshot per statement).
        // Each history row takes its agency from its deadline's row, so that on Citus the
        // INSERT … SELECT reads and writes one shard group and runs there (an agency given as
        // a parameter, or rows from unnest alone, are pulled to the coordinator and copied
        // back, and PostgreSQL refuses COPY FROM into a table with row-level security).
        try await connection.query(
            """
            INSERT INTO deadline_history (agency_id, deadline_id, seq, user_id, action, old_due, new_due, reason)
            SELECT d.agency_id, d.deadline_id, 1, \(user), 'created', NULL, d.due_date, \(reason)
            FROM unnest(\(ids)::uuid[]) WITH ORDINALITY AS t(id, n)
            JOIN deadlines d ON d.agency_id = \(agency) AND d.deadline_id = t.id
            ORDER BY t.n
            """, logger: logger)
    }

    /// A deadline set by hand on a case or an applicant.
    public func addManual(
        title: String, due: CalendarDate, explanation: String, caseID: UUID?, applicantID: UUID, companyID: UUID, user: UUID
    ) async throws -> DeadlineRecord {
        let rows = try await connection.query(
            """
            INSERT INTO deadlines (agency_id, case_id, applicant_id, company_id, title, due_date, explanation)
            VALUES (\(agency), \(caseID), \(applicantID), \(companyID), \(title), \(due), \(explanation))
            RETURNING deadline_id
            """, logger: logger)
        let id = try await Self.returnedID(rows)
        try await appendHistory(id, action: "created", oldDue: nil, newDue: due, reason: nil, user: user)
        return try await get(id)
    }

    public func get(_ id: UUID, forUpdate: Bool = false) async throws
        -> DeadlineRecord
    {
        let rows = try await connection.query(
            "SELECT \(unescaped: Self.columns) FROM deadlines WHERE agency_id = \(agency) AND deadline_id = \(id) \(unescaped: forUpdate ? "FOR UPDATE" : "")",
            logger: logger)
        for try await row in rows.decode(Row.self) { return try Self.record(row) }
        throw StorageError.notFound(entity: "deadline")
    }

    /// Moves a deadline to `state`, recording who and why.
    public func setState(_ id: UUID, to state: DeadlineState, from previous: DeadlineState, reason: String?, user: UUID?) async throws {
        try await connection.query(
            "UPDATE deadlines SET state = \(state.rawValue), reason = \(reason), updated_at = now() WHERE agency_id = \(agency) AND deadline_id = \(id)",
            logger: logger)
        try await appendHistory(id, action: Self.action(entering: state, from: previous), oldDue: nil, newDue: nil, reason: reason, user: user)
    }

    /// What the clock does to pending dates on `today`: open due dates whose day has passed
    /// become missed; windows whose day has come open. Expectations are left alone.
    ///
    /// At most `limit` of each (nil: all), so the scheduled job can take a large backlog in
    /// short transactions; rows another transaction holds locked (a case being advanced
    /// settles its own dates) are skipped and taken next time. Returns how many moved.
    @discardableResult
    public func sweep(today: CalendarDate, limit: Int? = nil) async throws -> Int {
        let missed = try await connection.query(
            """
            UPDATE deadlines d SET state = 'missed', updated_at = now()
            FROM (SELECT deadline_id FROM deadlines
                  WHERE agency_id = \(agency) AND state = 'open' AND kind = 'due' AND due_date < \(today)
                  ORDER BY deadline_id LIMIT \(limit) FOR UPDATE SKIP LOCKED) due
            WHERE d.agency_id = \(agency) AND d.deadline_id = due.deadline_id
            RETURNING d.deadline_id
            """, logger: logger)
        let missedCount = try await recordMoves(missed, action: "missed", reason: "the due date passed")
        let opened = try await connection.query(
            """
            UPDATE deadlines d SET state = 'open', updated_at = now()
            FROM (SELECT deadline_id FROM deadlines
                  WHERE agency_id = \(agency) AND state = 'waiting' AND kind = 'window' AND due_date <= \(today)
                  ORDER BY deadline_id LIMIT \(limit) FOR UPDATE SKIP LOCKED) come
            WHERE d.agency_id = \(agency) AND d.deadline_id = come.deadline_id
            RETURNING d.deadline_id
            """, logger: logger)
        return try await missedCount + recordMoves(opened, action: "opened", reason: "its day came: the step may be taken now")
    }

    /// Cancels the pending dates set by hand on cases that have ended (withdrawn or closed):
    /// of one case, or (`caseID` and `agency` nil, as the schema owner) of every agency.
    public static func cancelManual(
        ofEndedCase caseID: UUID?, agency: UUID?, reason: String, user: UUID?, on connection: PostgresConnection, logger: Logger
    ) async throws {
        let rows = try await connection.query(
            """
            UPDATE deadlines d SET state = 'cancelled', reason = \(reason), updated_at = now()
            FROM cases c
            WHERE c.agency_id = d.agency_id AND c.case_id = d.case_id AND c.status IN ('withdrawn', 'closed')
              AND d.rule_id IS NULL AND d.state IN ('waiting', 'open', 'missed')
              AND (\(agency)::uuid IS NULL OR d.agency_id = \(agency)::uuid) AND (\(caseID)::uuid IS NULL OR d.case_id = \(caseID)::uuid)
            RETURNING d.agency_id, d.deadline_id
            """, logger: logger)
        var moved: [(UUID, UUID)] = []
        for try await row in rows.decode((UUID, UUID).self) { moved.append(row) }
        for (agency, id) in moved {
            try await AgencyTransaction(connection: connection, agency: agency, logger: logger).deadlines.appendHistory(
                id, action: "cancelled", oldDue: nil, newDue: nil, reason: reason, user: user)
        }
    }

    /// One history row for each deadline an `UPDATE … RETURNING deadline_id` moved.
    /// Writes the history of the rows an UPDATE … RETURNING deadline_id moved; how many.
    private func recordMoves(_ rows: PostgresRowSequence, action: String, reason: String) async throws -> Int {
        // Every id first: a query sent on the connection while this result is still being read
        // waits for it to end, and the rest of the result waits for the loop, so a sweep with
        // more missed deadlines than postgres-nio buffers hung with its transaction (and the
        // rows' locks) held for good. Then the history, one statement for all.
        var ids: [UUID] = []
        for try await id in rows.decode(UUID.self) { ids.append(id) }
        guard !ids.isEmpty else { return 0 }
        try await connection.query(
            """
            INSERT INTO deadline_history (agency_id, deadline_id, seq, user_id, action, old_due, new_due, reason)
            SELECT d.agency_id, d.deadline_id, coalesce(max(h.seq), 0) + 1, NULL, \(action), NULL, NULL, \(reason)
            FROM unnest(\(ids)::uuid[]) WITH ORDINALITY AS t(id, n)
            JOIN deadlines d ON d.agency_id = \(agency) AND d.deadline_id = t.id
            LEFT JOIN deadline_history h ON h.agency_id = d.agency_id AND h.deadline_id = d.deadline_id
            GROUP BY d.agency_id, d.deadline_id ORDER BY min(t.n)
            """, logger: logger)
        return ids.count
    }

    func appendHistory(
        _ id: UUID, action: String, oldDue: CalendarDate?, newDue: CalendarDate?, reason: String?, user: UUID?
    ) async throws {
        try await connection.query(
            """
            INSERT INTO deadline_history (agency_id, deadline_id, seq, user_id, action, old_due, new_due, reason)
            SELECT d.agency_id, d.deadline_id, coalesce(max(h.seq), 0) + 1, \(user), \(action), \(oldDue)::date, \(newDue)::date, \(reason)
            FROM deadlines d LEFT JOIN deadline_history h ON h.agency_id = d.agency_id AND h.deadline_id = d.deadline_id
            WHERE d.agency_id = \(agency) AND d.deadline_id = \(id)
            GROUP BY d.agency_id, d.deadline_id
            """, logger: logger)
    }

    public func history(_ id: UUID) async throws -> [DeadlineHistoryEntry] {
        let rows = try await connection.query(
            """
            SELECT seq, at, action, old_due::text, new_due::text, reason FROM deadline_history
            WHERE agency_id = \(agency) AND deadline_id = \(id) ORDER BY seq
            """, logger: logger)
        var entries: [DeadlineHistoryEntry] = []
        for try await r in rows.decode((Int, Date, String, String?, String?, String?).self) {
            entries.append(
                DeadlineHistoryEntry(
                    seq: r.0, at: r.1, action: r.2, oldDue: r.3.flatMap(CalendarDate.init(iso:)), newDue: r.4.flatMap(CalendarDate.init(iso:)),
                    reason: r.5))
        }
        return entries
    }

    public func list(filter: DeadlineFilter, limit: Int) async throws
        -> [DeadlineRecord]
    {
        let rows = try await connection.query(
            """
            SELECT \(unescaped: Self.columns) FROM deadlines d
            WHERE d.agency_id = \(agency)
              AND (\(filter.states)::text[] IS NULL OR d.state = ANY(\(filter.states)::text[]))
              AND (\(filter.dueOnOrBefore)::date IS NULL OR d.due_date <= \(filter.dueOnOrBefore)::date)
              AND (\(filter.dueBefore)::date IS NULL OR d.due_date < \(filter.dueBefore)::date)
              AND (\(filter.overdueOn)::date IS NULL OR caseload_overdue(d.kind, d.state, d.due_date, \(filter.overdueOn)::date))
              AND (\(filter.companyID)::uuid IS NULL OR d.company_id = \(filter.companyID)::uuid)
              AND (\(filter.caseID)::uuid IS NULL OR d.case_id = \(filter.caseID)::uuid)
              AND (\(filter.applicantID)::uuid IS NULL OR d.applicant_id = \(filter.applicantID)::uuid)
              AND (\(filter.ruleID)::text IS NULL OR d.rule_id = \(filter.ruleID)::text)
              AND (NOT \(filter.provisionalOnly) OR d.provisional)
              AND (\(filter.consultantID)::uuid IS NULL OR d.company_id = ANY(ARRAY(SELECT cc.company_id FROM company_consultants cc WHERE cc.agency_id = \(agency) AND cc.user_id = \(filter.consultantID)::uuid)))
            ORDER BY d.due_date, d.deadline_id
            LIMIT \(limit)
            """, logger: logger)
        var records: [DeadlineRecord] = []
        for try await row in rows.decode(Row.self) { records.append(try Self.record(row)) }
        return records
    }

    /// Every pending (waiting, open or missed) deadline derived from a rule: what a calendar
    /// change may move.
    public func derivedPending() async throws -> [DeadlineRecord] {
        let rows = try await connection.query(
            """
            SELECT \(unescaped: Self.columns) FROM deadlines
            WHERE agency_id = \(agency) AND rule_id IS NOT NULL AND state IN ('waiting', 'open', 'missed') FOR UPDATE
            """, logger: logger)
        var records: [DeadlineRecord] = []
        for try await row in rows.decode(Row.self) { records.append(try Self.record(row)) }
        return records
    }
}
