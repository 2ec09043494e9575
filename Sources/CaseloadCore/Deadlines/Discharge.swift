/// The event that discharges a rule's date: when it happens, the date is `satisfied` in the
/// same transaction, by one mechanism (`DeadlineRule.settlement(for:)`), whichever method
/// caused the event. Part of the rule data.
///
/// Codable as `{"event": "stage_reached", "stage": "account"}`, `{"event": "originals_collected"}`,
/// `{"event": "renewal_approved"}`.
public enum Discharge: Sendable, Hashable, Codable {
    /// The case entered this stage, or one after it on its kind's path.
    case stageReached(String)
    /// Originals that went out with an authority (diplomas sent for checking) are all back:
    /// collected by the agency or returned to the client.
    case originalsCollected
    /// A renewal (积分续办) of the applicant was approved for the permit the date counts from.
    case renewalApproved

    /// A renewal is a case of this kind…
    public static let renewalKind = CaseKinds.pointsRenewal.id
    /// …that reached approval: in one of these stages (approved, or any stage after it).
    public static let renewalApprovedStages: [String] = {
        let kind = CaseKinds.pointsRenewal
        let facts = { (stage: String) in DischargeFacts(kind: kind, stage: stage) }
        return kind.stages.map(\.id).filter { facts($0).reached("approved") }
    }()
    /// …opened at most this many days before the permit expires (an earlier renewal was for
    /// the permit before).
    public static let renewalLeadDays = 180

    public var event: String {
        switch self {
        case .stageReached: "stage_reached"
        case .originalsCollected: "originals_collected"
        case .renewalApproved: "renewal_approved"
        }
    }

    private enum CodingKeys: String, CodingKey { case event, stage }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(String.self, forKey: .event) {
        case "stage_reached": self = .stageReached(try c.decode(String.self, forKey: .stage))
        case "originals_collected": self = .originalsCollected
        case "renewal_approved": self = .renewalApproved
        case let other: throw DecodingError.dataCorruptedError(forKey: .event, in: c, debugDescription: "unknown discharge event \"\(other)\"")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(event, forKey: .event)
        if case .stageReached(let stage) = self { try c.encode(stage, forKey: .stage) }
    }
}

/// What is known, when a date is settled, about the events that discharge dates.
public struct DischargeFacts: Sendable, Hashable {
    /// The case the date belongs to (nil for an applicant-level date).
    public var kind: CaseKind?
    public var stage: String?
    public var status: CaseStatus?
    /// Some original went out with an authority, and every such original is back.
    public var originalsCollected: Bool
    /// A renewal of the applicant was approved for the permit that expires on this date's base.
    public var renewalApproved: Bool

    public init(kind: CaseKind? = nil, stage: String? = nil, status: CaseStatus? = nil, originalsCollected: Bool = false, renewalApproved: Bool = false) {
        self.kind = kind
        self.stage = stage
        self.status = status
        self.originalsCollected = originalsCollected
        self.renewalApproved = renewalApproved
    }

    /// Whether the case has reached `stage`: is in it, or in a stage after it on some path.
    public func reached(_ target: String) -> Bool {
        guard let kind, let stage else { return false }
        return stage == target || kind.earlierStages(than: stage).contains { $0.id == target }
    }
}

/// How an event ended a date.
public enum Settlement: Sendable, Hashable {
    /// The event it waits for happened.
    case satisfied(reason: String)
    /// Its case was withdrawn or closed: it no longer applies.
    case cancelled(reason: String)

    public var state: DeadlineState {
        switch self {
        case .satisfied: .satisfied
        case .cancelled: .cancelled
        }
    }

    public var reason: String {
        switch self {
        case .satisfied(let reason), .cancelled(let reason): reason
        }
    }
}

extension DeadlineRule {
    /// Whether `facts` end this rule's date, and how: the first of its discharge events that
    /// happened satisfies it; otherwise a withdrawn or closed case cancels it.
    public func settlement(for facts: DischargeFacts) -> Settlement? {
        for discharge in dischargedBy {
            switch discharge {
            case .stageReached(let stage) where facts.reached(stage):
                let name = facts.kind?.stage(stage).map { "\($0.chineseName) \($0.englishName)" } ?? stage
                return .satisfied(reason: "the case reached \(name) (\(stage))")
            case .originalsCollected where facts.originalsCollected:
                return .satisfied(reason: "the originals are back from the authorities (原件已取回)")
            case .renewalApproved where facts.renewalApproved:
                return .satisfied(reason: "a renewal for this permit was approved (续办已通过)")
            default:
                continue
            }
        }
        switch facts.status {
        case .withdrawn?: return .cancelled(reason: "the case was withdrawn (已撤回)")
        case .closed?: return .cancelled(reason: "the case was closed (已结案)")
        default: return nil
        }
    }
}
