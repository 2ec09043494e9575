/// Shanghai's sixteen districts: where a company is registered decides which district talent
/// service center (区人才服务中心) accepts its applications.
public enum ShanghaiDistrict: String, CaseIterable, Sendable, Codable {
    case huangpu, xuhui, changning, jingan, putuo, hongkou, yangpu, minhang
    case baoshan, jiading, pudong, jinshan, songjiang, qingpu, fengxian, chongming

    /// The Chinese name as written on forms, e.g. 浦东新区, 徐汇区.
    public var chineseName: String {
        switch self {
        case .huangpu: "黄浦区"
        case .xuhui: "徐汇区"
        case .changning: "长宁区"
        case .jingan: "静安区"
        case .putuo: "普陀区"
        case .hongkou: "虹口区"
        case .yangpu: "杨浦区"
        case .minhang: "闵行区"
        case .baoshan: "宝山区"
        case .jiading: "嘉定区"
        case .pudong: "浦东新区"
        case .jinshan: "金山区"
        case .songjiang: "松江区"
        case .qingpu: "青浦区"
        case .fengxian: "奉贤区"
        case .chongming: "崇明区"
        }
    }

    /// Accepts the code (`pudong`), the Chinese name with or without 区/新区 (`浦东`, `浦东新区`).
    public static func parse(_ raw: String, field: String = "district") throws -> ShanghaiDistrict {
        let trimmed = String(raw.trimmingWhitespace)
        if let d = ShanghaiDistrict(rawValue: trimmed.lowercased()) { return d }
        for d in allCases {
            let full = d.chineseName
            let short = full.hasSuffix("新区") ? String(full.dropLast(2)) : String(full.dropLast())
            if trimmed == full || trimmed == short { return d }
        }
        throw ValidationError(
            field: field, rule: "district",
            message: "'\(trimmed)' is not a Shanghai district: use a code such as pudong or a name such as 浦东新区", zh: "“\(trimmed)”不是上海的区：请用 pudong 这样的代码或浦东新区这样的名称")
    }
}
