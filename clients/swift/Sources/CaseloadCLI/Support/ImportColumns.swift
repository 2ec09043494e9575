/// The columns `caseload import applicants` understands: each column key the server takes,
/// and the headers (Chinese and English) that mean it. Headers match case-insensitively, with
/// spaces around them trimmed and runs of spaces inside read as one; the key itself always
/// matches. docs/import.md lists the same table (a unit test keeps the two together).
enum ImportColumns {
    struct Column: Sendable {
        var key: String
        var headers: [String]
        var meaning: String
    }

    static let applicants: [Column] = [
        Column(
            key: "company_credit_code", headers: ["统一社会信用代码", "单位统一社会信用代码", "单位信用代码", "信用代码", "credit code", "company credit code"],
            meaning: "The employer, an existing client company, found by its unified social credit code (give this or the organization code)."),
        Column(
            key: "company_org_code", headers: ["组织机构代码", "单位组织机构代码", "单位代码", "org code", "organization code", "company org code"],
            meaning: "The employer, found by its organization code, XXXXXXXX-X."),
        Column(key: "name", headers: ["姓名", "申请人姓名", "name"], meaning: "Name as on the ID card."),
        Column(
            key: "id_number", headers: ["身份证号", "身份证号码", "公民身份号码", "id number"],
            meaning: "Resident ID number, 18 characters: an applicant with this number is updated, otherwise one is added."),
        Column(key: "phone", headers: ["手机", "手机号", "手机号码", "mobile", "phone"], meaning: "Mobile number, 11 digits starting with 1."),
        Column(
            key: "education_level", headers: ["学历", "最高学历", "education"],
            meaning: "大专 (专科) associate, 本科 bachelor, 本科+学士 (学士) bachelor_degree, 硕士 (研究生) master, 博士 doctor."),
        Column(
            key: "upgraded_from_associate", headers: ["专升本", "upgraded from associate"],
            meaning: "是/否 (also yes/no, y/n, true/false, 1/0): the bachelor's degree followed an associate diploma."),
        Column(
            key: "skill_level", headers: ["职称", "技能等级", "skill", "skill level"],
            meaning: "五级 … 一级 (level5 … level1), 中级职称 or 中级 (intermediate_title), 高级职称 or 高级 (senior_title)."),
        Column(key: "permit_number", headers: ["居住证号", "居住证号码", "permit number"], meaning: "Residence permit number."),
        Column(
            key: "permit_received_date", headers: ["居住证领取日期", "permit received", "permit received date"],
            meaning: "Date the residence permit was received: 2026-03-01, 2026/3/1, 2026.3.1 or 2026年3月1日."),
        Column(
            key: "permit_expiry_date", headers: ["居住证到期日", "居住证到期日期", "居住证有效期至", "permit expiry", "permit expiry date"],
            meaning: "Date the residence permit expires, written as a date above."),
        Column(
            key: "social_insurance_months", headers: ["社保月数", "社保缴费月数", "insurance months", "social insurance months"],
            meaning: "Full months of Shanghai social insurance, 0 to 1200."),
        Column(
            key: "insurance_months_last_12", headers: ["近12个月社保月数", "近一年社保月数", "insurance months last 12"],
            meaning: "Of the last 12 months, those with Shanghai social insurance paid on time (back-payments excluded), 0 to 12: eligibility needs 6."),
        Column(key: "dispatched", headers: ["派遣", "劳务派遣", "是否派遣", "dispatched"], meaning: "是/否: employed through a dispatch agency (劳务派遣)."),
        Column(
            key: "co_resident_children", headers: ["同住子女", "随迁子女", "co-resident children", "co resident children"],
            meaning: "是/否: co-resident children (同住子女) are to be added to the permit (the personnel archive must then be retrieved)."),
        Column(
            key: "case_kind", headers: ["案件类型", "办件类型", "case kind"],
            meaning: "Open a case of this kind unless the applicant has an active one: 积分新办 points_new, 积分续办 points_renewal, 居转户 hukou_transfer, 人才引进 talent_introduction."),
        Column(
            key: "case_stage", headers: ["案件阶段", "当前阶段", "case stage"],
            meaning: "The stage a case under way is at already (stage id or Chinese name, e.g. 网上提交); empty = the kind's first stage. Needs case_kind."),
    ]

    /// A header as it is compared: lowercased, trimmed, inner runs of white space as one space.
    static func normalized(_ header: String) -> String {
        header.lowercased()
            .split(whereSeparator: { $0.isWhitespace })
            .joined(separator: " ")
    }

    private static let byHeader: [String: String] = {
        var map: [String: String] = [:]
        for column in applicants {
            map[column.key] = column.key
            for header in column.headers {
                let key = normalized(header)
                precondition(map[key] == nil || map[key] == column.key, "header \(header) means two columns")
                map[key] = column.key
            }
        }
        return map
    }()

    /// The column key a header means, or nil.
    static func key(for header: String) -> String? {
        byHeader[normalized(header)]
    }

    /// The file's columns: for each header, its key (nil for an empty header, whose cells must
    /// stay empty, and for an unknown one, whose cells are not sent), and the unknown headers
    /// (序号, 备注), for one warning. Two headers meaning one column are refused.
    static func map(headers: [String]) throws -> (keys: [String?], ignored: [Int]) {
        var keys: [String?] = []
        var ignored: [Int] = []
        var seen: [String: String] = [:]
        for (index, header) in headers.enumerated() {
            if normalized(header).isEmpty {
                keys.append(nil)
                continue
            }
            guard let key = key(for: header) else {
                ignored.append(index)
                keys.append(nil)
                continue
            }
            if let first = seen[key] {
                throw CLIError(L(en: "the columns '\(first)' and '\(header)' both mean \(key); keep one", zh: "列 '\(first)' 和 '\(header)' 都表示 \(key)；请只保留一个"))
            }
            seen[key] = header
            keys.append(key)
        }
        return (keys, ignored)
    }

    /// The warning for columns left out: lists them (headers are not personal data).
    static func ignoredWarning(_ headers: [String]) -> String {
        let listed = headers.map { "'\($0)'" }.joined(separator: ", ")
        return L(
            en: "ignoring column\(headers.count == 1 ? "" : "s") that \(headers.count == 1 ? "is" : "are") not imported: \(listed) (docs/import.md lists the columns)",
            zh: "以下列不导入，已忽略：\(listed)（可导入的列见 docs/import.md）")
    }
}
