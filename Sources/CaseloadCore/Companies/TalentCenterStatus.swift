/// Where a client company stands with its district talent service center (单位注册/审核开通):
/// registered online, then activated at the window with its papers. A change of company
/// information sends it back for re-review, during which no new applicant accounts can be made.
public enum TalentCenterStatus: String, CaseIterable, Sendable, Codable {
    case unregistered
    case registeredOnline = "registered_online"
    case activated
    case changePending = "change_pending"

    public var chineseName: String {
        switch self {
        case .unregistered: "未注册"
        case .registeredOnline: "已网上注册"
        case .activated: "已审核开通"
        case .changePending: "信息变更待审核"
        }
    }

    public static func parse(_ raw: String, field: String = "talent_center_status") throws -> TalentCenterStatus {
        guard let status = TalentCenterStatus(rawValue: raw) else {
            throw ValidationError(
                field: field, rule: "enum",
                message: "must be one of \(allCases.map(\.rawValue).joined(separator: ", "))", zh: "须为 \(allCases.map(\.rawValue).joined(separator: "、")) 之一")
        }
        return status
    }
}
