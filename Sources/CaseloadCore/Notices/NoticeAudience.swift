/// Who a case notice is for: the applicant, or the employer's HR officer (人事).
public enum NoticeAudience: String, CaseIterable, Sendable, Codable {
    case applicant, hr

    public static func parse(_ raw: String, field: String = "audience") throws(ValidationError) -> NoticeAudience {
        try parseEnum(raw, as: NoticeAudience.self, field: field)
    }

    public var chineseName: String {
        switch self {
        case .applicant: "申请人"
        case .hr: "单位人事"
        }
    }
}
