/// The generic stage machine: moves a `CaseState` through a `CaseKind`'s table and along the
/// side paths (return, hold, resume, withdraw). Pure: it returns new states and throws
/// `ValidationError`s listing every problem; storing states and history is the caller's job.
public enum CaseMachine {
    /// A new active case at the kind's initial stage, with nothing recorded.
    public static func open(kind: CaseKind) -> CaseState {
        CaseState(kind: kind.id, stage: kind.initialStage)
    }

    /// Validates `data` against the target stage's fields (types, required, unknown fields →
    /// FieldIssue with field "data.<name>" and rules "required"/"type"/"unknown_field"), checks
    /// the transition exists ("transition" rule, message names from/to in Chinese and English),
    /// the case is active ("case_status"), then every rule; a failing rule throws unless its id
    /// is in `override.rules` with a non-empty reason (empty reason → FieldIssue field
    /// "override.reason" rule "required"). Throws ValidationError listing every issue; a failing
    /// rule's issue has field "to" and rule = the rule's id, and a message saying exactly why.
    ///
    /// Rules see the recorded data with `data` already merged in. Reaching a terminal stage
    /// sets status `closed`.
    public static func advance(
        _ state: CaseState, kind: CaseKind, to target: String, data: [String: FieldValue], facts: CaseFacts,
        override: Override?
    ) throws(ValidationError) -> Advance {
        var issues = kindIssues(state, kind)
        if state.status != .active {
            issues.append(FieldIssue(
                field: "case_status", rule: "case_status",
                statusIs(state.status) + Sentence("; only an active case can advance", zh: "；只有办理中的案件才能推进")
                    + (state.status == .onHold ? Sentence(": resume it first", zh: "：请先恢复") : Sentence("", zh: ""))))
        }
        let current = kind.stage(state.stage)
        guard let targetStage = kind.stage(target) else {
            let ids = kind.stages.map(\.id)
            issues.append(FieldIssue(
                field: "to", rule: "transition",
                message: "\(kind.displayName) has no stage \"\(target)\"; its stages are \(ids.joined(separator: ", "))",
                zh: "\(kind.chineseName)没有“\(target)”这个阶段；它的阶段是 \(ids.joined(separator: "、"))"))
            throw ValidationError(issues)
        }
        issues += targetStage.dataIssues(data, requireAll: true)

        let overrideReasonGiven = override.map { !$0.reason.trimmingWhitespace.isEmpty } ?? false
        if let override, !override.rules.isEmpty, !overrideReasonGiven {
            issues.append(FieldIssue(
                field: "override.reason", rule: "required",
                message: "overriding \(override.rules.joined(separator: ", ")) needs a reason, which is kept with the case",
                zh: "越过 \(override.rules.joined(separator: "、")) 须说明理由，理由会随案件保存"))
        }

        var overridden: [String] = []
        var recorded = state.recorded
        recorded[target, default: [:]].merge(data) { _, new in new }
        if let transition = kind.transition(from: state.stage, to: target) {
            for rule in transition.rules {
                guard let why = rule.failure(entering: targetStage, kind: kind, recorded: recorded, facts: facts) else { continue }
                if overrideReasonGiven, override?.rules.contains(rule.id) == true {
                    if !overridden.contains(rule.id) { overridden.append(rule.id) }
                } else {
                    issues.append(FieldIssue(field: "to", rule: rule.id, why))
                }
            }
        } else {
            let from = current?.displayName ?? state.stage
            let fromZh = current?.chineseName ?? state.stage
            let next = kind.transitions(from: state.stage).compactMap { kind.stage($0.to) }
            let allowed = next.map(\.displayName)
            issues.append(FieldIssue(
                field: "to", rule: "transition",
                message: "\(kind.displayName) has no step from \(from) to \(targetStage.displayName); "
                    + (allowed.isEmpty ? "nothing follows \(from)" : "from \(from) a case can go to \(allowed.joined(separator: ", "))"),
                zh: "\(kind.chineseName)不能从\(fromZh)直接进入\(targetStage.chineseName)；"
                    + (next.isEmpty ? "\(fromZh)之后没有下一阶段" : "从\(fromZh)只能进入\(next.map(\.chineseName).joined(separator: "、"))")))
        }
        guard issues.isEmpty else { throw ValidationError(issues) }

        var next = state
        next.stage = target
        next.recorded = recorded
        if targetStage.isTerminal { next.status = .closed }
        return Advance(state: next, overridden: overridden)
    }

    /// Records data on the current stage without moving, e.g. the verification checks passing
    /// while the case waits at 档案学历审核. Unknown fields and wrong types are refused, as is an
    /// empty text for a required field; a withdrawn or closed case is refused ("case_status").
    public static func record(_ state: CaseState, kind: CaseKind, data: [String: FieldValue]) throws(ValidationError) -> CaseState {
        var issues = kindIssues(state, kind)
        if state.status.isTerminal {
            issues.append(FieldIssue(
                field: "case_status", rule: "case_status",
                statusIs(state.status) + Sentence("; nothing more can be recorded", zh: "；不能再记录任何内容")))
        }
        guard let stage = kind.stage(state.stage) else {
            issues.append(FieldIssue(
                field: "stage", rule: "transition", message: "\(kind.displayName) has no stage \"\(state.stage)\"",
                zh: "\(kind.chineseName)没有“\(state.stage)”这个阶段"))
            throw ValidationError(issues)
        }
        issues += stage.dataIssues(data, requireAll: false)
        for (name, value) in data where stage.field(name)?.required == true {
            if case .text(let s) = value, s.trimmingWhitespace.isEmpty {
                issues.append(FieldIssue(
                    field: "data.\(name)", rule: "required", message: "\(stage.displayName) needs \(name); it cannot be blank",
                    zh: "\(stage.chineseName)需要 \(name)，不能为空"))
            }
        }
        guard issues.isEmpty else { throw ValidationError(issues) }
        var next = state
        next.recorded[state.stage, default: [:]].merge(data) { _, new in new }
        return next
    }

    /// Returns (退回) an active case to an earlier stage of its kind: one that comes before the
    /// current stage on some path from the initial stage (`CaseKind.earlierStages(than:)`).
    /// Rules: "case_status", "required" on "reason", "return" on "stage". Recorded data is kept;
    /// re-entering a stage overwrites it.
    public static func returnTo(_ state: CaseState, kind: CaseKind, stage: String, reason: String) throws(ValidationError) -> CaseState {
        var issues = kindIssues(state, kind)
        if state.status != .active {
            issues.append(FieldIssue(
                field: "case_status", rule: "case_status",
                statusIs(state.status) + Sentence("; only an active case can be returned", zh: "；只有办理中的案件才能退回")))
        }
        issues += reasonIssues(reason, for: Sentence("returning a case (退回)", zh: "退回案件"))
        let earlier = kind.earlierStages(than: state.stage)
        if !earlier.contains(where: { $0.id == stage }) {
            let current = kind.stage(state.stage)?.displayName ?? state.stage
            let currentZh = kind.stage(state.stage)?.chineseName ?? state.stage
            let target = kind.stage(stage)?.displayName ?? "\"\(stage)\""
            let targetZh = kind.stage(stage)?.chineseName ?? "“\(stage)”"
            issues.append(FieldIssue(
                field: "stage", rule: "return",
                message: "a case at \(current) can be returned only to an earlier stage, not to \(target); "
                    + (earlier.isEmpty ? "there is none" : "earlier stages are \(earlier.map(\.id).joined(separator: ", "))"),
                zh: "处于\(currentZh)的案件只能退回到更早的阶段，不能退回到\(targetZh)；"
                    + (earlier.isEmpty
                        ? "没有更早的阶段"
                        : "更早的阶段是 \(earlier.map { "\($0.chineseName)（\($0.id)）" }.joined(separator: "、"))")))
        }
        guard issues.isEmpty else { throw ValidationError(issues) }
        var next = state
        next.stage = stage
        return next
    }

    /// Withdraws (撤回) an active or on-hold case; withdrawn is terminal. The reason is required.
    public static func withdraw(_ state: CaseState, reason: String) throws(ValidationError) -> CaseState {
        try sideStep(state, from: [.active, .onHold], to: .withdrawn, reason: reason, doing: Sentence("withdrawing a case (撤回)", zh: "撤回案件"))
    }

    /// Puts an active case on hold (暂停); it cannot advance until resumed. The reason is required.
    public static func hold(_ state: CaseState, reason: String) throws(ValidationError) -> CaseState {
        try sideStep(state, from: [.active], to: .onHold, reason: reason, doing: Sentence("putting a case on hold (暂停)", zh: "暂停案件"))
    }

    /// Resumes an on-hold case at the stage where it stopped.
    public static func resume(_ state: CaseState) throws(ValidationError) -> CaseState {
        try sideStep(state, from: [.onHold], to: .active, reason: nil, doing: Sentence("resuming a case", zh: "恢复案件"))
    }

    // MARK: Helpers

    private static func sideStep(
        _ state: CaseState, from allowed: Set<CaseStatus>, to status: CaseStatus, reason: String?, doing action: Sentence
    ) throws(ValidationError) -> CaseState {
        var issues: [FieldIssue] = []
        if !allowed.contains(state.status) {
            let sorted = allowed.sorted { $0.rawValue < $1.rawValue }
            issues.append(FieldIssue(
                field: "case_status", rule: "case_status",
                message: "\(action.en) needs a case that is \(sorted.map(\.rawValue).joined(separator: " or ")); "
                    + "this one is \(state.status.chineseName) (\(state.status.rawValue))",
                zh: "\(action.zh)要求案件为\(sorted.map { "\($0.chineseName)（\($0.rawValue)）" }.joined(separator: "或"))；"
                    + "这个案件是\(state.status.chineseName)（\(state.status.rawValue)）"))
        }
        if let reason { issues += reasonIssues(reason, for: action) }
        guard issues.isEmpty else { throw ValidationError(issues) }
        var next = state
        next.status = status
        return next
    }

    private static func reasonIssues(_ reason: String, for action: Sentence) -> [FieldIssue] {
        reason.trimmingWhitespace.isEmpty
            ? [FieldIssue(
                field: "reason", rule: "required", message: "\(action.en) needs a reason, which is kept with the case",
                zh: "\(action.zh)须说明理由，理由会随案件保存")]
            : []
    }

    /// "the case is 暂停 (on_hold)" / "案件目前为暂停（on_hold）", the start of every status refusal.
    private static func statusIs(_ status: CaseStatus) -> Sentence {
        Sentence("the case is \(status.chineseName) (\(status.rawValue))", zh: "案件目前为\(status.chineseName)（\(status.rawValue)）")
    }

    /// The state must belong to the table it is moved with: a mismatch is a caller bug, but
    /// reporting it beats silently moving a case through the wrong process.
    private static func kindIssues(_ state: CaseState, _ kind: CaseKind) -> [FieldIssue] {
        state.kind == kind.id
            ? []
            : [FieldIssue(
                field: "kind", rule: "kind", message: "the case is a \(state.kind) case, not \(kind.id)",
                zh: "案件类型是 \(state.kind)，不是 \(kind.id)")]
    }
}
