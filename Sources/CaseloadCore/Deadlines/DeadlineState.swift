/// Where a deadline stands.
///
/// ```
/// waiting ─(its date comes)─▶ open ─(the date passes, due dates only)─▶ missed
///    │                         │                                          │
///    └───────────┬─────────────┴──────────────────────┬───────────────────┘
///                ▼                                    ▼
///   satisfied (its event happened)      cancelled (case withdrawn or closed)
///   done (marked by hand)               waived (by hand, with a reason)
/// ```
///
/// Only a window (`DeadlineKind.window`) waits; only a due date is ever missed; a date that
/// moves goes back to the pending state its new date gives. The four states at the bottom are
/// final. Staying put is a no-op and allowed. Whether a move needs a
/// reason (waiving should) is the caller's policy, not the state machine's.
public enum DeadlineState: String, Codable, CaseIterable, Sendable {
    /// A window whose date has not come yet: the step may not be taken before it.
    case waiting
    /// Not yet met; for a due date, its date may or may not have passed (see `missed`).
    case open
    /// Met, as someone marked it (possibly late, from `missed`).
    case done
    /// Not applicable any more; needs a reason.
    case waived
    /// A due date that passed while open.
    case missed
    /// Discharged by the event it waits for (the stage reached, the originals collected, the
    /// renewal approved), in the same transaction as the event.
    case satisfied
    /// Ended because its case was withdrawn or closed.
    case cancelled

    public var chineseName: String {
        switch self {
        case .waiting: "未到期"
        case .open: "待办"
        case .done: "已完成"
        case .waived: "已免除"
        case .missed: "已逾期"
        case .satisfied: "已办结"
        case .cancelled: "已取消"
        }
    }

    /// Whether no move leaves this state.
    public var isFinal: Bool { [.done, .waived, .satisfied, .cancelled].contains(self) }

    /// Still to be met: waiting, open or missed.
    public var isPending: Bool { !isFinal }

    /// Whether the state may move from this one to `next`.
    public func canMove(to next: DeadlineState) -> Bool {
        guard self != next else { return true }
        guard !isFinal else { return false }
        // Between the pending states only as the clock or a moved date says (a window's
        // date coming, a due date passing, either moving when its base is corrected).
        switch next {
        case .waiting: return self == .open
        case .open: return self == .waiting || self == .missed
        case .missed: return self == .open
        case .done, .waived, .satisfied, .cancelled: return true
        }
    }

    /// The states this one may move to, other than itself, in `allCases` order.
    public var allowedNext: [DeadlineState] {
        DeadlineState.allCases.filter { $0 != self && canMove(to: $0) }
    }

    /// The state of a pending date of `kind` due on `due`, on `today`, from the clock alone: a
    /// window waits until its date and is open from it; a due date is missed once it has
    /// passed; an expectation stays open.
    public static func pending(_ kind: DeadlineKind, due: CalendarDate, today: CalendarDate) -> DeadlineState {
        switch kind {
        case .window: today < due ? .waiting : .open
        case .due: due < today ? .missed : .open
        case .expectation: .open
        }
    }

    /// Throws a ValidationError (field "state", rule "transition") naming both states and the
    /// allowed next ones when `canMove(to:)` is false.
    public static func validateTransition(from: DeadlineState, to: DeadlineState) throws(ValidationError) {
        guard !from.canMove(to: to) else { return }
        throw ValidationError(
            field: "state", rule: "transition",
            .statusMove(
                Sentence("a deadline", zh: "期限"), from: (from.chineseName, from.rawValue), to: (to.chineseName, to.rawValue),
                allowed: from.allowedNext.map { ($0.chineseName, $0.rawValue) }))
    }
}
