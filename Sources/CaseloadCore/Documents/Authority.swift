/// An office a paper can be out with: the district talent center (the acceptance point) or
/// the city center that checks diplomas (学历认证). Papers out with either are out of the
/// agency's and the client's hands, the agency's biggest risk with originals.
public enum Authority: String, CaseIterable, Sendable, Hashable, Codable {
    case talentCenter = "talent_center"
    case cityVerificationCenter = "city_verification_center"

    public var chineseName: String {
        switch self {
        case .talentCenter: "区人才服务中心"
        case .cityVerificationCenter: "市级审核中心（学历认证）"
        }
    }

    public var englishName: String {
        switch self {
        case .talentCenter: "district talent service center"
        case .cityVerificationCenter: "city verification center"
        }
    }

    public static func parse(_ raw: String, field: String = "authority") throws(ValidationError) -> Authority {
        try parseEnum(raw, as: Authority.self, field: field)
    }
}
