/// Who keeps an applicant's personnel archive (人事档案). Usually the district talent center or
/// district employment agency (职介所) of the household-registration place; also universities
/// (for recent graduates), companies with their own archive rooms, other provinces' centers.
public enum ArchiveHolderType: String, CaseIterable, Sendable, Hashable, Codable {
    case districtTalentCenter = "district_talent_center"
    case districtEmploymentAgency = "district_employment_agency"
    case university
    case company
    case otherProvinceCenter = "other_province_center"
    case unknown

    public var chineseName: String {
        switch self {
        case .districtTalentCenter: "区人才服务中心"
        case .districtEmploymentAgency: "区职业介绍所"
        case .university: "高校"
        case .company: "单位"
        case .otherProvinceCenter: "外省市人才服务中心"
        case .unknown: "未知"
        }
    }

    public var englishName: String {
        switch self {
        case .districtTalentCenter: "district talent service center"
        case .districtEmploymentAgency: "district employment agency"
        case .university: "university"
        case .company: "company"
        case .otherProvinceCenter: "other province's talent center"
        case .unknown: "unknown"
        }
    }

    public static func parse(_ raw: String, field: String = "holder_type") throws(ValidationError) -> ArchiveHolderType {
        try parseEnum(raw, as: ArchiveHolderType.self, field: field)
    }
}
