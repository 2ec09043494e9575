import CaseloadCore
import CaseloadProtocol
import CaseloadStorage
import Foundation
import PostgresNIO

/// Cases: one applicant's matter of one kind (积分新办, 积分续办, …) moving through its stages.
/// The stage tables and rules live in CaseloadCore; these methods fetch the facts, run the
/// machine, and store the new state with its history entry in one transaction.
/// The methods are split by topic: `CaseMethods+Lifecycle` (open, get, list), `+Transitions`,
/// `+Rules` (time allowed, checklist), `+History`; `+Presentation` and `+Params` hold the wire
/// shapes. This file holds what they share: the one mutation path and the rules' facts.
enum CaseMethods {
    /// Request data (`{"field": value}`) as the machine's raw values; non-scalars are refused.
    static func rawData(_ data: [String: JSONValue]?) throws -> [String: RawFieldValue] {
        var raw: [String: RawFieldValue] = [:]
        var issues: [RPCError.Issue] = []
        for (name, v) in data ?? [:] {
            switch v {
            case .string(let s): raw[name] = .string(s)
            case .bool(let b): raw[name] = .bool(b)
            case .int(let i): raw[name] = .int(Int(i))
            default: issues.append(("data.\(name)", "type", "must be a string, a boolean or an integer", "须为字符串、布尔值或整数"))
            }
        }
        if !issues.isEmpty { throw RPCError.invalidParams(issues) }
        return raw
    }

    static func kind(_ id: String) throws -> CaseKind {
        guard let kind = CaseKinds.kind(id) else {
            throw ValidationError(field: "kind", rule: "enum", message: "no case kind \(id)", zh: "没有 \(id) 这种案件类型")
        }
        return kind
    }

    /// Whether the applicant has an active case of `kind`: the first one, if any (an import
    /// opens no second one; case.open asks before it does).
    static func activeCases(of kind: String, applicant: UUID, in tx: AgencyTransaction) async throws -> [CaseRecord] {
        var filter = CaseFilter()
        filter.applicantID = applicant
        filter.kind = kind
        filter.status = CaseStatus.active.rawValue
        return try await tx.cases.list(filter: filter, after: nil, limit: 1)
    }

    /// The agency's time allowed in `stage`, else the kind's default.
    static func allowedDays(kind: CaseKind, stage: String, in tx: Transaction)
        async throws -> Int?
    {
        try await tx.stageTimes.days(kind: kind.id, stage: stage)
            ?? kind.stage(stage)?.allowedDays
    }

    /// The same from the agency's days per stage of the kind as `CaseStore.lock` read them.
    static func allowedDays(kind: CaseKind, stage: String, own: [String: Int]) -> Int? {
        own[stage] ?? kind.stage(stage)?.allowedDays
    }

    /// What one change did, for the store and the history.
    struct Change {
        var state: CaseState
        var data: JSONValue = .object([:])
        var reason: String?
        var overrides: [String] = []
    }

    /// What a change sees: the case locked with what was read beside it (`LockedCase`), its
    /// kind, and the call's calendar and day. Everything is read before the change runs, so a
    /// change is a pure function of it and a refusal writes nothing.
    struct ChangeInput: Sendable {
        var locked: LockedCase
        var kind: CaseKind
        var calendar: ChineseCalendar
        var today: CalendarDate
        var current: CaseRecord { locked.record }
    }

    /// A change of one case: the new state and what the history says, or a refusal.
    typealias ChangeFunction = @Sendable (ChangeInput) throws -> Change

    /// Locks the case, checks the caller's version, applies `change`, saves and appends the
    /// history entry: all in one transaction, acknowledged only after it committed.
    static func mutate(_ context: RequestContext, id: UUID, version: Int?, action: String, _ change: ChangeFunction) async throws -> JSONValue {
        let record = try await context.withAgency { tx in
            try await mutate(id, version: version, action: action, in: tx, change)
        }
        return value(record.0, originalsOut: record.1, now: context.now)
    }

    /// One case's change inside the caller's transaction (a bulk call runs several): locks the
    /// case with what the change reads, runs `change`, saves with the history entry, settles the
    /// dates. Returns the saved case and, once it has ended, its originals still out. `change`
    /// throws before anything is written (a refused rule leaves the transaction as it was).
    ///
    /// A change that settles no date costs three statements: the lock, the save, the dates'
    /// read (`DeadlineStore.toSettle`); the calendar is read only when the agency's changed.
    static func mutate(_ id: UUID, version: Int?, action: String, in tx: Transaction, _ change: ChangeFunction) async throws -> (CaseRecord, Int) {
        let locked = try await tx.cases.lock(id, today: tx.today)
        let current = locked.record
        if let version, current.version != version { throw StorageError.versionConflict(current: current.version) }
        let kind = try kind(current.state.kind)
        let calendar = try await tx.calendar.calendar(fingerprint: locked.calendarFingerprint)
        let result = try change(ChangeInput(locked: locked, kind: kind, calendar: calendar, today: tx.today))
        let entered = result.state.stage != current.state.stage
        let saved = try await tx.cases.save(
            id, state: result.state, expectedVersion: current.version, enteredNewStage: entered,
            dueInDays: entered ? allowedDays(kind: kind, stage: result.state.stage, own: locked.stageDays) : nil, now: tx.now,
            action: action, from: current.state.stage, data: WireJSON.string(result.data), reason: result.reason, overrides: result.overrides,
            user: tx.principal.userID)
        try await DeadlineDerivation.deriveForCase(
            saved, applicant: locked.applicant, calendar: calendar, today: tx.today,
            reason: "case \(action): \(current.state.stage) → \(saved.state.stage)", user: tx.principal.userID, in: tx.storage)
        let out = saved.state.status.isTerminal ? try await tx.documents.originalsOut(case: id) : 0
        return (saved, out)
    }

    static let idVersion: [Property] = [
        .id(.case, "Case id"),
        .required("version", .integer(minimum: 1), "The version you last read; a stale one gets a conflict carrying the current version"),
    ]

    /// `case.resume`'s params: the case and the version read.
    struct VersionParams: Decodable, Sendable {
        var id: UUID
        var version: Int
    }

    /// `case.withdraw` and `case.hold`: the case, its version and why.
    struct ReasonParams: Decodable, Sendable {
        var id: UUID
        var version: Int
        var reason: String
    }

    /// `case.return`: the case, its version, the earlier stage and why.
    struct ReturnParams: Decodable, Sendable {
        var id: UUID
        var version: Int
        var to: String
        var reason: String
    }

    static func requireOverridePermission(_ principal: Principal) throws {
        guard principal.role.seesAllCompanies else {
            throw RPCError(.forbidden, "Forbidden: overriding a rule needs the owner or manager role", zh: "无权操作：越过规则需要所有者或经理角色")
        }
    }

    /// Every case method, in the order protocol.md lists them.
    static var all: [RPCMethod] {
        lifecycle + transitions + rules + history
    }

    /// What the rules need to know beyond the case itself, from what the lock read.
    static func facts(_ input: ChangeInput) -> CaseFacts {
        let applicant = input.locked.applicant
        let estimate = PointsEstimator.estimate(
            PointsProfile(birthDate: applicant.birthDate, profile: applicant.profile), asOf: input.today, rules: input.locked.pointsRules)
        return CaseFacts(
            today: input.today, companyStatus: TalentCenterStatus(rawValue: input.locked.companyTalentCenterStatus) ?? .unregistered,
            pointsTotal: estimate.total, calendar: input.calendar,
            checklist: ChecklistResult.evaluate(kind: input.current.state.kind, profile: applicant.profile, documents: input.locked.held),
            archiveStatus: input.locked.archive.status)
    }

    /// The case's document checklist: what its kind requires for this applicant, and what is held.
    static func checklist(for c: CaseRecord, applicant: ApplicantRecord, in tx: Transaction)
        async throws -> ChecklistResult
    {
        let held = try await tx.documents.held(applicant: applicant.id, company: c.companyID)
        return ChecklistResult.evaluate(kind: c.state.kind, profile: applicant.profile, documents: held)
    }
}
