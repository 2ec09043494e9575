/// Where a case stands apart from its stage: side paths (hold, withdraw) are statuses, so they
/// work the same for every case kind without rows in the tables.
public enum CaseStatus: String, Sendable, Codable, CaseIterable {
    /// Moving through its stages.
    case active
    /// Paused (e.g. waiting on the client); cannot advance until resumed.
    case onHold = "on_hold"
    /// Abandoned; terminal.
    case withdrawn
    /// Reached a terminal stage; terminal.
    case closed

    public var chineseName: String {
        switch self {
        case .active: "办理中"
        case .onHold: "暂停"
        case .withdrawn: "已撤回"
        case .closed: "已结案"
        }
    }

    /// Whether nothing more can happen to the case.
    public var isTerminal: Bool { self == .withdrawn || self == .closed }
}

/// The machine's view of one case: its kind, stage, status and the data recorded per stage.
/// The case's history (who did what, when, why) is the caller's to keep.
public struct CaseState: Sendable, Hashable, Codable {
    /// `CaseKind.id`.
    public var kind: String
    /// `Stage.id` of the current stage. Kept while on hold or withdrawn, to show where it stopped.
    public var stage: String
    public var status: CaseStatus
    /// Stage id → field name → value; re-entering a stage (after a return) or `record` overwrites
    /// the fields given and keeps the others, so the latest entry wins.
    public var recorded: [String: [String: FieldValue]]

    public init(kind: String, stage: String, status: CaseStatus = .active, recorded: [String: [String: FieldValue]] = [:]) {
        self.kind = kind
        self.stage = stage
        self.status = status
        self.recorded = recorded
    }

    /// The recorded value of `stage.field`, if any.
    public func value(_ stage: String, _ field: String) -> FieldValue? {
        recorded[stage]?[field]
    }
}

/// What the rules need to know about the world outside the case when it advances.
public struct CaseFacts: Sendable {
    /// The day the move is made (Shanghai civil date).
    public var today: CalendarDate
    /// The employer's standing with its district talent center.
    public var companyStatus: TalentCenterStatus
    /// The applicant's current points estimate total, if one exists.
    public var pointsTotal: Int?
    /// Counts working days for `working_days_after`.
    public var calendar: any WorkingDayCalendar
    /// The case's document checklist, for `documents_complete`.
    public var checklist: ChecklistResult?
    /// Where the applicant's personnel archive stands, for `archive_verified`.
    public var archiveStatus: ArchiveStatus?

    public init(
        today: CalendarDate, companyStatus: TalentCenterStatus, pointsTotal: Int? = nil,
        calendar: any WorkingDayCalendar = WeekdayCalendar(), checklist: ChecklistResult? = nil, archiveStatus: ArchiveStatus? = nil
    ) {
        self.checklist = checklist
        self.archiveStatus = archiveStatus
        self.today = today
        self.companyStatus = companyStatus
        self.pointsTotal = pointsTotal
        self.calendar = calendar
    }
}

/// The caller's decision to take a transition although some of its rules fail, and why.
/// An override is never silent: the rules it was actually used for come back in `Advance.overridden`.
public struct Override: Sendable, Hashable, Codable {
    /// Ids of the rules (`Rule.id`) the caller chooses to override.
    public var rules: [String]
    /// Why; required (non-blank) whenever `rules` is non-empty.
    public var reason: String

    public init(rules: [String], reason: String) {
        self.rules = rules
        self.reason = reason
    }
}

/// The outcome of a successful `CaseMachine.advance`.
public struct Advance: Sendable, Hashable {
    /// The case after the move.
    public var state: CaseState
    /// Ids of the rules that failed and were overridden, in rule order without duplicates;
    /// empty when every rule held. The caller records these with the override's reason.
    public var overridden: [String]

    public init(state: CaseState, overridden: [String]) {
        self.state = state
        self.overridden = overridden
    }
}
