/// Who has a paper now, as the custody ledger says. "Not yet received" is `nil` (`Holder?`).
///
/// Codable as `{"kind": "agency", "location_code": "CAB-2"}`; kinds are `client`, `agency`,
/// `talent_center`, `city_verification_center`, `returned`.
public enum Holder: Sendable, Hashable, Codable {
    /// With the client (the applicant or the company): recorded for papers the client keeps
    /// until they are needed. No ledger event leads here; `received` leads away from it.
    case client
    /// With the agency; `locationCode` is the storage location (nil: in hand, not yet put away).
    case agency(locationCode: String?)
    case talentCenter
    case cityVerificationCenter
    /// Given back to the client against a signature: the agency's custody is over.
    case returned

    /// The holder an authority's custody is.
    public init(_ authority: Authority) {
        switch authority {
        case .talentCenter: self = .talentCenter
        case .cityVerificationCenter: self = .cityVerificationCenter
        }
    }

    /// The stable kind name, the `kind` key of the JSON form.
    public var kind: String {
        switch self {
        case .client: "client"
        case .agency: "agency"
        case .talentCenter: "talent_center"
        case .cityVerificationCenter: "city_verification_center"
        case .returned: "returned"
        }
    }

    /// The authority holding the paper, if one does.
    public var authority: Authority? {
        switch self {
        case .talentCenter: .talentCenter
        case .cityVerificationCenter: .cityVerificationCenter
        case .client, .agency, .returned: nil
        }
    }

    /// Out with the talent center or the city verification center.
    public var isOutWithAuthority: Bool { authority != nil }

    /// Available to hand in: with the agency or the client (what `HeldDocument.held` means).
    public var isAvailable: Bool {
        switch self {
        case .client, .agency: true
        case .talentCenter, .cityVerificationCenter, .returned: false
        }
    }

    /// Whether the agency has it, at a location or not.
    public var isWithAgency: Bool {
        if case .agency = self { true } else { false }
    }

    public var chineseName: String {
        switch self {
        case .client: "客户处"
        case .agency(let code?): "本机构（存放位置 \(code)）"
        case .agency(nil): "本机构（未入柜）"
        case .talentCenter: Authority.talentCenter.chineseName
        case .cityVerificationCenter: Authority.cityVerificationCenter.chineseName
        case .returned: "已退还客户"
        }
    }

    public var englishName: String {
        switch self {
        case .client: "with the client"
        case .agency(let code?): "with the agency, at \(code)"
        case .agency(nil): "with the agency, not yet stored"
        case .talentCenter: Authority.talentCenter.englishName
        case .cityVerificationCenter: Authority.cityVerificationCenter.englishName
        case .returned: "returned to the client"
        }
    }

    /// "区人才服务中心 (district talent service center)", the form every message uses.
    public var displayName: String { "\(chineseName) (\(englishName))" }

    // MARK: Codable

    private enum CodingKeys: String, CodingKey {
        case kind
        case locationCode = "location_code"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try c.decode(String.self, forKey: .kind)
        guard let holder = Holder(kind: kind, locationCode: try c.decodeIfPresent(String.self, forKey: .locationCode)) else {
            throw DecodingError.dataCorruptedError(forKey: .kind, in: c, debugDescription: "unknown holder kind \"\(kind)\"")
        }
        self = holder
    }

    /// The holder stored as its `kind` and `location_code` (the two fields of its JSON form);
    /// nil for an unknown kind. `locationCode` counts only for the agency.
    public init?(kind: String, locationCode: String?) {
        switch kind {
        case "client": self = .client
        case "agency": self = .agency(locationCode: locationCode)
        case "talent_center": self = .talentCenter
        case "city_verification_center": self = .cityVerificationCenter
        case "returned": self = .returned
        default: return nil
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        if case .agency(let code) = self {
            try c.encode(code, forKey: .locationCode)
        }
    }
}

extension Optional where Wrapped == Holder {
    /// The holder's display name, or "尚未收取 (not yet received)" for nil.
    public var displayName: String { self?.displayName ?? "尚未收取 (not yet received)" }
}
