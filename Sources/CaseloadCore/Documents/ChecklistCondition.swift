/// When a checklist entry applies: always, or only for some applicants (专升本, dispatched,
/// title used, co-resident children) or case kinds. Conditions are data inside a checklist, so
/// an agency's own table can combine them without code changes.
///
/// Codable as a flat object, e.g. `{"condition": "dispatched"}`,
/// `{"condition": "kind", "kind": "points_new"}`, `{"condition": "not", "of": {...}}`,
/// `{"condition": "all", "of": [...]}`.
public indirect enum ChecklistCondition: Sendable, Hashable, Codable {
    /// "always"
    case always
    /// "upgraded_from_associate": 专升本, so the associate diploma is needed too.
    case upgradedFromAssociate
    /// "dispatched": employed through a dispatch agency, so the dispatch agreement is needed.
    case dispatched
    /// "title_used": the profile has a skill level or title (`skillLevel != nil`), which the
    /// points claim rests on, so its certificate is needed.
    case titleUsed
    /// "co_resident_children": children are to be added to the permit, which needs the archive retrieved.
    case coResidentChildren
    /// "kind": the case is of this kind (e.g. `points_new`).
    case kind(String)
    /// "not": the inner condition does not hold.
    case not(ChecklistCondition)
    /// "all": every inner condition holds (true when empty).
    case all([ChecklistCondition])
    /// "any": at least one inner condition holds (false when empty).
    case any([ChecklistCondition])

    /// Whether the entry applies to this applicant on a case of kind `caseKind`. An unknown
    /// profile fact (nil) counts as "no": the entry appears once the fact is recorded.
    public func holds(profile: ApplicantProfile, caseKind: String) -> Bool {
        switch self {
        case .always: true
        case .upgradedFromAssociate: profile.upgradedFromAssociate == true
        case .dispatched: profile.dispatched == true
        case .titleUsed: profile.skillLevel != nil
        case .coResidentChildren: profile.coResidentChildren == true
        case .kind(let id): caseKind == id
        case .not(let inner): !inner.holds(profile: profile, caseKind: caseKind)
        case .all(let inner): inner.allSatisfy { $0.holds(profile: profile, caseKind: caseKind) }
        case .any(let inner): inner.contains { $0.holds(profile: profile, caseKind: caseKind) }
        }
    }

    /// The stable condition name, the `condition` key of the JSON form.
    public var id: String {
        switch self {
        case .always: "always"
        case .upgradedFromAssociate: "upgraded_from_associate"
        case .dispatched: "dispatched"
        case .titleUsed: "title_used"
        case .coResidentChildren: "co_resident_children"
        case .kind: "kind"
        case .not: "not"
        case .all: "all"
        case .any: "any"
        }
    }

    // MARK: Codable

    private enum CodingKeys: String, CodingKey { case condition, kind, of }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let id = try c.decode(String.self, forKey: .condition)
        switch id {
        case "always": self = .always
        case "upgraded_from_associate": self = .upgradedFromAssociate
        case "dispatched": self = .dispatched
        case "title_used": self = .titleUsed
        case "co_resident_children": self = .coResidentChildren
        case "kind": self = .kind(try c.decode(String.self, forKey: .kind))
        case "not": self = .not(try c.decode(ChecklistCondition.self, forKey: .of))
        case "all": self = .all(try c.decode([ChecklistCondition].self, forKey: .of))
        case "any": self = .any(try c.decode([ChecklistCondition].self, forKey: .of))
        default:
            throw DecodingError.dataCorruptedError(forKey: .condition, in: c, debugDescription: "unknown condition \"\(id)\"")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .condition)
        switch self {
        case .always, .upgradedFromAssociate, .dispatched, .titleUsed, .coResidentChildren: break
        case .kind(let id): try c.encode(id, forKey: .kind)
        case .not(let inner): try c.encode(inner, forKey: .of)
        case .all(let inner), .any(let inner): try c.encode(inner, forKey: .of)
        }
    }
}
