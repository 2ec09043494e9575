/// How far the agency has got with an applicant's personnel archive: find it, have it
/// retrieved (调档) to the talent center, and see it verified there, which the points
/// `verification` stage waits for.
public enum ArchiveStatus: String, CaseIterable, Sendable, Hashable, Codable {
    /// Nobody has yet found out where the archive is.
    case unknown
    /// Its holder is known (see `ArchiveHolderType`), elsewhere than the talent center.
    case located
    /// A retrieval (调档) has been asked for; the archive is on its way.
    case retrievalRequested = "retrieval_requested"
    /// At the talent center, either retrieved or already there; it stays there for free.
    case atTalentCenter = "at_talent_center"
    /// The talent center has checked it (档案已核实). Final.
    case verified

    public var chineseName: String {
        switch self {
        case .unknown: "存档情况未知"
        case .located: "已查明存档机构"
        case .retrievalRequested: "已申请调档"
        case .atTalentCenter: "档案已在人才中心"
        case .verified: "档案已核实"
        }
    }

    public var englishName: String {
        switch self {
        case .unknown: "unknown"
        case .located: "located"
        case .retrievalRequested: "retrieval requested"
        case .atTalentCenter: "at the talent center"
        case .verified: "verified"
        }
    }

    public static func parse(_ raw: String, field: String = "status") throws(ValidationError) -> ArchiveStatus {
        try parseEnum(raw, as: ArchiveStatus.self, field: field)
    }
}
