/// Where a deadline stands.
///
/// open → done, waived or missed; missed → done (late) or waived; done and waived are final.
/// Staying put is a no-op and allowed. Whether a move needs a reason (waiving should) is the
/// caller's policy, not the state machine's.
public enum DeadlineState: String, Codable, CaseIterable, Sendable {
    /// Not yet met; the due date may or may not have passed (see `missed`).
    case open
    /// Met (possibly late, from `missed`).
    case done
    /// Not applicable any more, e.g. the case was withdrawn; needs a reason.
    case waived
    /// The due date passed while open.
    case missed

    public var chineseName: String {
        switch self {
        case .open: "待办"
        case .done: "已完成"
        case .waived: "已免除"
        case .missed: "已逾期"
        }
    }

    /// Whether no move leaves this state.
    public var isFinal: Bool { self == .done || self == .waived }

    /// Whether the state may move from this one to `next`.
    public func canMove(to next: DeadlineState) -> Bool {
        switch (self, next) {
        case _ where self == next: true
        case (.open, .done), (.open, .waived), (.open, .missed), (.missed, .done), (.missed, .waived): true
        default: false
        }
    }

    /// The states this one may move to, other than itself, in `allCases` order.
    public var allowedNext: [DeadlineState] {
        DeadlineState.allCases.filter { $0 != self && canMove(to: $0) }
    }

    /// Throws a ValidationError (field "state", rule "transition") naming both states and the
    /// allowed next ones when `canMove(to:)` is false.
    public static func validateTransition(from: DeadlineState, to: DeadlineState) throws(ValidationError) {
        guard !from.canMove(to: to) else { return }
        let allowed = from.allowedNext.map { "\($0.chineseName) (\($0.rawValue))" }
        throw ValidationError(
            field: "state", rule: "transition",
            message: "a deadline cannot go from \(from.chineseName) (\(from.rawValue)) to \(to.chineseName) (\(to.rawValue)); "
                + (allowed.isEmpty ? "\(from.rawValue) is final" : "from \(from.rawValue) it can go to \(allowed.joined(separator: ", "))"))
    }
}
