/// Highest education (学历学位) as the points rules distinguish it.
public enum EducationLevel: String, Sendable, Hashable, Codable, CaseIterable, CodingKeyRepresentable {
    /// 大专
    case associate
    /// 本科 without a bachelor's degree
    case bachelor
    /// 本科 with a bachelor's degree (学士)
    case bachelorWithDegree = "bachelor_degree"
    /// 硕士
    case master
    /// 博士
    case doctor

    public var chineseName: String {
        switch self {
        case .associate: "大专"
        case .bachelor: "本科"
        case .bachelorWithDegree: "本科+学士"
        case .master: "硕士"
        case .doctor: "博士"
        }
    }
}

/// Vocational skill level (职业资格/技能等级) or professional title (职称): the points rules
/// put both on one scale (level 2 ≈ intermediate title, level 1 ≈ senior title).
public enum SkillLevel: String, Sendable, Hashable, Codable, CaseIterable, CodingKeyRepresentable {
    /// 五级 (初级工)
    case level5
    /// 四级 (中级工)
    case level4
    /// 三级 (高级工)
    case level3
    /// 二级 (技师)
    case level2
    /// 一级 (高级技师)
    case level1
    /// 中级职称
    case intermediateTitle = "intermediate_title"
    /// 高级职称
    case seniorTitle = "senior_title"

    public var chineseName: String {
        switch self {
        case .level5: "五级职业资格"
        case .level4: "四级职业资格"
        case .level3: "三级职业资格"
        case .level2: "二级职业资格"
        case .level1: "一级职业资格"
        case .intermediateTitle: "中级职称"
        case .seniorTitle: "高级职称"
        }
    }
}

/// Average social-insurance contribution base over recent years, as a multiple of the city's
/// average wage (社保缴费基数).
public enum ContributionBaseMultiple: String, Sendable, Hashable, Codable, CaseIterable, CodingKeyRepresentable {
    /// at least 0.8× the average wage
    case atLeast0_8 = "at_least_0.8"
    case atLeast1 = "at_least_1"
    case atLeast2 = "at_least_2"
    case atLeast3 = "at_least_3"

    public var chineseName: String {
        switch self {
        case .atLeast0_8: "社平工资0.8倍以上"
        case .atLeast1: "社平工资1倍以上"
        case .atLeast2: "社平工资2倍以上"
        case .atLeast3: "社平工资3倍以上"
        }
    }
}

/// A deduction (减分) indicator.
public enum Deduction: String, Sendable, Hashable, Codable, CaseIterable, CodingKeyRepresentable {
    /// 提供虚假材料
    case falseMaterials = "false_materials"
    /// 行政拘留
    case detention
    /// 刑事犯罪记录
    case criminalRecord = "criminal_record"

    public var chineseName: String {
        switch self {
        case .falseMaterials: "提供虚假材料"
        case .detention: "行政拘留"
        case .criminalRecord: "刑事犯罪记录"
        }
    }

    public var englishName: String {
        switch self {
        case .falseMaterials: "False materials"
        case .detention: "Administrative detention"
        case .criminalRecord: "Criminal record"
        }
    }
}
