/// A prerequisite that must hold before a transition may be taken. Rules are data attached to
/// `Transition`s, so an agency's table can add or drop them without code changes.
///
/// Codable as a flat object, e.g. `{"rule": "working_days_after", "stage": "residence_permit",
/// "field": "permit_received_date", "days": 3}` or `{"rule": "points_at_least", "points": 120}`.
public enum Rule: Sendable, Hashable, Codable {
    /// "company_activated": the company's `TalentCenterStatus` must be `.activated`
    /// (`change_pending` also blocks: the center is re-reviewing the company).
    case companyActivated
    /// "working_days_after": today ≥ (that recorded date + N working days), e.g. permit_received_date + 3.
    case workingDaysAfter(stage: String, field: String, days: Int)
    /// "not_before_recorded_date": today ≥ the recorded date (e.g. delivery_open_date).
    case notBeforeRecordedDate(stage: String, field: String)
    /// "recorded_true": the recorded bool is true (e.g. verification.archive_verified).
    case recordedTrue(stage: String, field: String)
    /// "points_at_least": the points estimate (from `CaseFacts.pointsTotal`) ≥ N (120).
    case pointsAtLeast(Int)
    /// "documents_complete": every document the kind's checklist requires by the target stage
    /// is held in the required form (from `CaseFacts.checklist`).
    case documentsComplete
    /// "archive_verified": the applicant's personnel archive (人事档案) is verified at the
    /// talent center (from `CaseFacts.archiveStatus`).
    case archiveVerified

    /// The stable rule name, used in error data and override records.
    public var id: String {
        switch self {
        case .companyActivated: "company_activated"
        case .workingDaysAfter: "working_days_after"
        case .notBeforeRecordedDate: "not_before_recorded_date"
        case .recordedTrue: "recorded_true"
        case .pointsAtLeast: "points_at_least"
        case .documentsComplete: "documents_complete"
        case .archiveVerified: "archive_verified"
        }
    }

    /// The recorded stage field the rule reads, if any.
    public var recordedField: (stage: String, field: String)? {
        switch self {
        case .workingDaysAfter(let stage, let field, _), .notBeforeRecordedDate(let stage, let field),
            .recordedTrue(let stage, let field):
            (stage, field)
        case .companyActivated, .pointsAtLeast, .documentsComplete, .archiveVerified:
            nil
        }
    }

    /// The field type the rule needs to find at `recordedField`.
    var recordedFieldType: FieldType? {
        switch self {
        case .workingDaysAfter, .notBeforeRecordedDate: .date
        case .recordedTrue: .bool
        case .companyActivated, .pointsAtLeast, .documentsComplete, .archiveVerified: nil
        }
    }

    // MARK: Codable

    private enum CodingKeys: String, CodingKey { case rule, stage, field, days, points }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let id = try c.decode(String.self, forKey: .rule)
        switch id {
        case "company_activated":
            self = .companyActivated
        case "documents_complete":
            self = .documentsComplete
        case "archive_verified":
            self = .archiveVerified
        case "working_days_after":
            self = .workingDaysAfter(
                stage: try c.decode(String.self, forKey: .stage), field: try c.decode(String.self, forKey: .field),
                days: try c.decode(Int.self, forKey: .days))
        case "not_before_recorded_date":
            self = .notBeforeRecordedDate(
                stage: try c.decode(String.self, forKey: .stage), field: try c.decode(String.self, forKey: .field))
        case "recorded_true":
            self = .recordedTrue(
                stage: try c.decode(String.self, forKey: .stage), field: try c.decode(String.self, forKey: .field))
        case "points_at_least":
            self = .pointsAtLeast(try c.decode(Int.self, forKey: .points))
        default:
            throw DecodingError.dataCorruptedError(forKey: .rule, in: c, debugDescription: "unknown rule \"\(id)\"")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .rule)
        switch self {
        case .companyActivated, .documentsComplete, .archiveVerified:
            break
        case .workingDaysAfter(let stage, let field, let days):
            try c.encode(stage, forKey: .stage)
            try c.encode(field, forKey: .field)
            try c.encode(days, forKey: .days)
        case .notBeforeRecordedDate(let stage, let field), .recordedTrue(let stage, let field):
            try c.encode(stage, forKey: .stage)
            try c.encode(field, forKey: .field)
        case .pointsAtLeast(let points):
            try c.encode(points, forKey: .points)
        }
    }
}
