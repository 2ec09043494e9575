/// The date a deadline is counted from.
///
/// Codable as a flat object: `{"kind": "recorded", "stage": "residence_permit", "field":
/// "permit_received_date"}`, `{"kind": "stage_entered", "stage": "accepted"}`,
/// `{"kind": "permit_expiry"}`.
public enum DeadlineBase: Sendable, Codable, Hashable {
    /// A date recorded on a case stage, e.g. residence_permit.permit_received_date.
    case recorded(stage: String, field: String)
    /// The date the case entered that stage.
    case stageEntered(String)
    /// The applicant's permit_expiry_date.
    case permitExpiry

    /// "recorded", "stage_entered", "permit_expiry".
    public var kind: String {
        switch self {
        case .recorded: "recorded"
        case .stageEntered: "stage_entered"
        case .permitExpiry: "permit_expiry"
        }
    }

    /// A fallback phrase for explanations when a rule has no `baseLabel`.
    public var defaultLabel: String {
        switch self {
        case .recorded(let stage, let field): "\(stage).\(field) was recorded"
        case .stageEntered(let stage): "the case entered \(stage)"
        case .permitExpiry: "the residence permit expires (居住证到期)"
        }
    }

    private enum CodingKeys: String, CodingKey { case kind, stage, field }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try c.decode(String.self, forKey: .kind)
        switch kind {
        case "recorded":
            self = .recorded(stage: try c.decode(String.self, forKey: .stage), field: try c.decode(String.self, forKey: .field))
        case "stage_entered":
            self = .stageEntered(try c.decode(String.self, forKey: .stage))
        case "permit_expiry":
            self = .permitExpiry
        default:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: c, debugDescription: "unknown deadline base \"\(kind)\"")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        switch self {
        case .recorded(let stage, let field):
            try c.encode(stage, forKey: .stage)
            try c.encode(field, forKey: .field)
        case .stageEntered(let stage):
            try c.encode(stage, forKey: .stage)
        case .permitExpiry:
            break
        }
    }
}

/// How far the deadline lies from its base date; negative = before it.
///
/// Codable as `{"unit": "working_days", "days": 3}` or `{"unit": "calendar_days", "days": -30}`.
public enum DeadlineOffset: Sendable, Codable, Hashable {
    /// Chinese working days (`ChineseCalendar`).
    case workingDays(Int)
    /// Plain days, whatever the calendar says.
    case calendarDays(Int)

    /// The signed number of days.
    public var days: Int {
        switch self {
        case .workingDays(let days), .calendarDays(let days): days
        }
    }

    /// "working_days" or "calendar_days".
    public var unit: String {
        switch self {
        case .workingDays: "working_days"
        case .calendarDays: "calendar_days"
        }
    }

    private enum CodingKeys: String, CodingKey { case unit, days }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let unit = try c.decode(String.self, forKey: .unit)
        let days = try c.decode(Int.self, forKey: .days)
        switch unit {
        case "working_days": self = .workingDays(days)
        case "calendar_days": self = .calendarDays(days)
        default:
            throw DecodingError.dataCorruptedError(forKey: .unit, in: c, debugDescription: "unknown deadline unit \"\(unit)\"")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(unit, forKey: .unit)
        try c.encode(days, forKey: .days)
    }
}

/// A deadline as data: "N (working) days after/before <base>", for some case kinds or for
/// every applicant holding a permit. An agency may change the defaults (several numbers are
/// consultancy lore, not regulation), so nothing here is hard-wired into the case machine.
///
/// Codable with snake_case keys (`chinese_name`, `case_kinds`, `is_expectation`,
/// `reminder_lead_days`, `base_label`); `base` and `offset` as described on their types.
public struct DeadlineRule: Sendable, Hashable, Codable {
    /// Stable machine name, e.g. "account_opens".
    public var id: String
    public var chineseName: String
    public var englishName: String
    /// Case kind ids the rule applies to; empty = applicant-level (counted from the permit).
    public var caseKinds: [String]
    public var base: DeadlineBase
    public var offset: DeadlineOffset
    /// A latest date that can be missed, an earliest date (a window that opens), or an
    /// expectation (shown as "expected by", never overdue).
    public var kind: DeadlineKind
    /// The events that satisfy the date once they happen (the first that happened counts).
    /// A case's dates also end, cancelled, when it is withdrawn or closed.
    public var dischargedBy: [Discharge]
    /// Calendar days before the due date to remind on (0 = on the day), descending.
    public var reminderLeadDays: [Int]
    /// The base event as a clause for explanations: "the permit was received (领取居住证)".
    /// nil → `base.defaultLabel`.
    public var baseLabel: String?

    /// True for an expectation (`kind == .expectation`).
    public var isExpectation: Bool { kind == .expectation }

    public init(
        id: String, chineseName: String, englishName: String, caseKinds: [String], base: DeadlineBase,
        offset: DeadlineOffset, kind: DeadlineKind = .due, dischargedBy: [Discharge] = [], reminderLeadDays: [Int] = [],
        baseLabel: String? = nil
    ) {
        self.id = id
        self.chineseName = chineseName
        self.englishName = englishName
        self.caseKinds = caseKinds
        self.base = base
        self.offset = offset
        self.kind = kind
        self.dischargedBy = dischargedBy
        self.reminderLeadDays = reminderLeadDays
        self.baseLabel = baseLabel
    }

    private enum CodingKeys: String, CodingKey {
        case id, base, offset, kind
        case chineseName = "chinese_name", englishName = "english_name", caseKinds = "case_kinds"
        case dischargedBy = "discharged_by", isExpectation = "is_expectation", reminderLeadDays = "reminder_lead_days", baseLabel = "base_label"
    }

    /// Hand-written so an agency's JSON may leave out `case_kinds` ([]), `kind` (`due`, or
    /// `expectation` when the older `is_expectation` is true), `discharged_by` ([]),
    /// `reminder_lead_days` ([]) and `base_label` (nil).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let legacyExpectation = try c.decodeIfPresent(Bool.self, forKey: .isExpectation) ?? false
        self.init(
            id: try c.decode(String.self, forKey: .id),
            chineseName: try c.decode(String.self, forKey: .chineseName),
            englishName: try c.decode(String.self, forKey: .englishName),
            caseKinds: try c.decodeIfPresent([String].self, forKey: .caseKinds) ?? [],
            base: try c.decode(DeadlineBase.self, forKey: .base),
            offset: try c.decode(DeadlineOffset.self, forKey: .offset),
            kind: try c.decodeIfPresent(DeadlineKind.self, forKey: .kind) ?? (legacyExpectation ? .expectation : .due),
            dischargedBy: try c.decodeIfPresent([Discharge].self, forKey: .dischargedBy) ?? [],
            reminderLeadDays: try c.decodeIfPresent([Int].self, forKey: .reminderLeadDays) ?? [],
            baseLabel: try c.decodeIfPresent(String.self, forKey: .baseLabel))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(chineseName, forKey: .chineseName)
        try c.encode(englishName, forKey: .englishName)
        try c.encode(caseKinds, forKey: .caseKinds)
        try c.encode(base, forKey: .base)
        try c.encode(offset, forKey: .offset)
        try c.encode(kind, forKey: .kind)
        try c.encode(dischargedBy, forKey: .dischargedBy)
        try c.encode(reminderLeadDays, forKey: .reminderLeadDays)
        try c.encodeIfPresent(baseLabel, forKey: .baseLabel)
    }

    /// "可新办账户 (Points account may be created)".
    public var displayName: String { "\(chineseName) (\(englishName))" }

    /// Whether the rule belongs to the applicant rather than to a case.
    public var isApplicantLevel: Bool { caseKinds.isEmpty }

    /// Whether the rule applies to a case of kind `caseKind`.
    public func applies(toCaseKind caseKind: String) -> Bool {
        caseKinds.contains(caseKind)
    }

    /// The dates to remind on for a deadline due on `due`, ascending, one per distinct lead day.
    public func reminderDates(due: CalendarDate) -> [CalendarDate] {
        Set(reminderLeadDays).sorted(by: >).map { due.adding(days: -$0) }
    }
}

/// The deadline rules Caseload starts with; an agency may override them.
public enum DeadlineRules {
    public static let defaults: [DeadlineRule] = [
        DeadlineRule(
            id: "account_opens", chineseName: "可新办账户", englishName: "Points account may be created",
            caseKinds: ["points_new"],
            base: .recorded(stage: "residence_permit", field: "permit_received_date"),
            offset: .workingDays(3), kind: .window, dischargedBy: [.stageReached("account")], reminderLeadDays: [0],
            baseLabel: "the permit was received (领取居住证)"),
        DeadlineRule(
            id: "delivery_opens", chineseName: "可递交材料", englishName: "Paper materials may be delivered",
            caseKinds: ["points_new"],
            base: .recorded(stage: "submitted_online", field: "delivery_open_date"),
            offset: .calendarDays(0), kind: .window, dischargedBy: [.stageReached("materials_delivered")], reminderLeadDays: [1, 0],
            baseLabel: "the online system allows delivering the materials (可递交材料日期)"),
        DeadlineRule(
            id: "city_review", chineseName: "市级审核", englishName: "City review expected",
            caseKinds: ["points_new", "points_renewal"],
            base: .stageEntered("accepted"),
            offset: .workingDays(15), kind: .expectation, dischargedBy: [.stageReached("approved")], reminderLeadDays: [0],
            baseLabel: "the case was accepted (正式受理)"),
        DeadlineRule(
            id: "originals_collect", chineseName: "取回学历原件", englishName: "Collect the diploma originals at notice printing",
            caseKinds: ["points_new"],
            base: .stageEntered("approved"),
            offset: .workingDays(10), dischargedBy: [.originalsCollected], reminderLeadDays: [3, 0],
            baseLabel: "the case was approved (审批通过)"),
        // The permit's dates: a renewal approved for this permit discharges all of them.
        DeadlineRule(
            id: "renewal_reminder_30", chineseName: "续办提醒（30天）", englishName: "Renewal reminder, 30 days before expiry",
            caseKinds: [], base: .permitExpiry, offset: .calendarDays(-30), dischargedBy: [.renewalApproved], reminderLeadDays: [0],
            baseLabel: "the residence permit expires (居住证到期)"),
        DeadlineRule(
            id: "renewal_reminder_7", chineseName: "续办提醒（7天）", englishName: "Renewal reminder, 7 days before expiry",
            caseKinds: [], base: .permitExpiry, offset: .calendarDays(-7), dischargedBy: [.renewalApproved], reminderLeadDays: [0],
            baseLabel: "the residence permit expires (居住证到期)"),
        DeadlineRule(
            id: "points_expire", chineseName: "积分到期", englishName: "Points expire with the permit",
            caseKinds: [], base: .permitExpiry, offset: .calendarDays(0), dischargedBy: [.renewalApproved], reminderLeadDays: [0],
            baseLabel: "the residence permit expires (居住证到期)"),
        DeadlineRule(
            id: "lapse_60", chineseName: "断档60天：累计年限作废", englishName: "60 days lapsed: accumulated years at risk",
            caseKinds: [], base: .permitExpiry, offset: .calendarDays(60), dischargedBy: [.renewalApproved], reminderLeadDays: [14, 3, 0],
            baseLabel: "the residence permit expires (居住证到期)"),
        DeadlineRule(
            id: "lapse_90", chineseName: "断档90天：须重新登记", englishName: "90 days lapsed: register again and wait 6 months",
            caseKinds: [], base: .permitExpiry, offset: .calendarDays(90), dischargedBy: [.renewalApproved], reminderLeadDays: [14, 3, 0],
            baseLabel: "the residence permit expires (居住证到期)"),
    ]

    /// The rule with `id` among `defaults`.
    public static func rule(id: String) -> DeadlineRule? {
        defaults.first { $0.id == id }
    }

    /// Checks an agency's rule set: ids unique and non-empty (snake_case), names non-empty,
    /// case kinds given for a rule counted from a case stage, reminder lead days ≥ 0. Every problem is reported, with field `rules[i].<json key>`.
    public static func validate(_ rules: [DeadlineRule]) throws(ValidationError) {
        var issues: [FieldIssue] = []
        var seen: [String: Int] = [:]
        for (index, rule) in rules.enumerated() {
            let prefix = "rules[\(index)]"
            let idOK = !rule.id.isEmpty && rule.id.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
            }
            if !idOK {
                issues.append(FieldIssue(field: "\(prefix).id", rule: "format", message: "an id is lower-case letters, digits and _; got \"\(rule.id)\"",
                    zh: "id 只能由小写字母、数字和 _ 组成；这里是“\(rule.id)”"))
            } else if let first = seen[rule.id] {
                issues.append(FieldIssue(field: "\(prefix).id", rule: "duplicate", message: "\(rule.id) is already used by rules[\(first)]",
                    zh: "\(rule.id) 已被 rules[\(first)] 使用"))
            } else {
                seen[rule.id] = index
            }
            if rule.chineseName.trimmingWhitespace.isEmpty {
                issues.append(FieldIssue(field: "\(prefix).chinese_name", rule: "required", message: "the Chinese name is empty", zh: "中文名称为空"))
            }
            if rule.englishName.trimmingWhitespace.isEmpty {
                issues.append(FieldIssue(field: "\(prefix).english_name", rule: "required", message: "the English name is empty", zh: "英文名称为空"))
            }
            switch rule.base {
            case .recorded, .stageEntered:
                if rule.caseKinds.isEmpty {
                    issues.append(FieldIssue(
                        field: "\(prefix).case_kinds", rule: "required",
                        message: "a deadline counted from a case stage needs at least one case kind",
                        zh: "从案件阶段起算的期限至少须适用于一种案件类型"))
                }
            case .permitExpiry:
                break
            }
            if rule.reminderLeadDays.contains(where: { !(0...366).contains($0) }) {
                issues.append(FieldIssue(field: "\(prefix).reminder_lead_days", rule: "range", message: "reminder lead days must be 0 to 366",
                    zh: "提前提醒天数须在 0 到 366 之间"))
            }
            if !(-3660...3660).contains(rule.offset.days) {
                issues.append(FieldIssue(field: "\(prefix).offset.days", rule: "range", message: "an offset is at most 3660 days either way",
                    zh: "偏移量前后最多 3660 天"))
            }
            for case .stageReached(let stage) in rule.dischargedBy {
                let kinds = rule.caseKinds.compactMap(CaseKinds.kind)
                if kinds.isEmpty || kinds.contains(where: { $0.stage(stage) == nil }) {
                    issues.append(FieldIssue(
                        field: "\(prefix).discharged_by", rule: "stage",
                        message: "\(stage) is not a stage of every case kind the rule applies to",
                        zh: "\(stage) 不是这条规则适用的每种案件都有的阶段"))
                }
            }
        }
        guard issues.isEmpty else { throw ValidationError(issues) }
    }
}
