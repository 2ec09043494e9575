/// One row of an applicant import, validated: identifiers, the employer's code, the profile
/// fields given, and the case kind to open. Column keys are the documented import keys
/// (docs/import.md); values may be written the way a Chinese spreadsheet writes them
/// (本科, 是/否, 2026/3/1, 积分新办). Messages never repeat the cell's value: a shifted
/// column could put an ID number where a date was expected.
public struct ApplicantImportRow: Sendable, Hashable {
    public var identity: ApplicantIdentity
    public var companyCreditCode: String?
    public var companyOrgCode: String?
    /// Only the profile fields the row gave (JSON names → normalised values for ApplicantProfile).
    public var profileFields: [String: ProfileValue]
    public var caseKind: String?
    /// The stage the case is at already (an agency moving its in-flight cases in); nil = the kind's first stage.
    public var caseStage: String?

    /// A profile value, typed as ApplicantProfile's JSON expects it.
    public enum ProfileValue: Sendable, Hashable {
        case string(String), int(Int), bool(Bool)
    }

    public static let columns = [
        "company_credit_code", "company_org_code", "name", "id_number", "phone", "education_level", "upgraded_from_associate", "skill_level",
        "permit_number", "permit_received_date", "permit_expiry_date", "social_insurance_months", "insurance_months_last_12", "dispatched",
        "co_resident_children", "case_kind", "case_stage",
    ]

    static let education: [String: EducationLevel] = [
        "大专": .associate, "专科": .associate, "本科": .bachelor, "本科+学士": .bachelorWithDegree, "本科学士": .bachelorWithDegree,
        "学士": .bachelorWithDegree, "硕士": .master, "研究生": .master, "博士": .doctor,
    ]
    static let skill: [String: SkillLevel] = [
        "五级": .level5, "四级": .level4, "三级": .level3, "二级": .level2, "一级": .level1, "中级职称": .intermediateTitle, "中级": .intermediateTitle,
        "高级职称": .seniorTitle, "高级": .seniorTitle,
    ]
    static let kinds: [String: String] = ["积分新办": "points_new", "积分续办": "points_renewal", "居转户": "hukou_transfer", "人才引进": "talent_introduction"]

    /// Validates one row; every problem is a FieldIssue whose field is the column key. Dates
    /// are checked against `today` where their field keeps a window around it.
    public static func parse(_ fields: [String: String], today: CalendarDate) throws(ValidationError) -> ApplicantImportRow {
        var issues: [FieldIssue] = []
        func value(_ key: String) -> String? {
            guard let raw = fields[key] else { return nil }
            let trimmed = String(raw.trimmingWhitespace)
            return trimmed.isEmpty ? nil : trimmed
        }
        for key in fields.keys.sorted() where !columns.contains(key) {
            issues.append(FieldIssue(field: key, rule: "unknown_field", message: "is not an import column"))
        }
        var identity: ApplicantIdentity?
        do { identity = try ApplicantIdentity.validate(name: value("name"), idNumber: value("id_number"), phone: value("phone"), today: today) } catch let e as ValidationError {
            issues += e.issues
        } catch {}
        var credit: String?
        var org: String?
        if let raw = value("company_credit_code") {
            do { credit = try CreditCode.parse(raw, field: "company_credit_code", acceptingBadChecksum: true).value } catch { issues += error.issues }
        }
        if let raw = value("company_org_code") {
            do { org = try OrganizationCode.parse(raw, field: "company_org_code", acceptingBadChecksum: true).value } catch { issues += error.issues }
        }
        if credit == nil, org == nil, value("company_credit_code") == nil, value("company_org_code") == nil {
            issues.append(FieldIssue(field: "company_credit_code", rule: "required", message: "give the employer's credit code or organization code"))
        }
        var profile: [String: ProfileValue] = [:]
        func bool(_ key: String) {
            guard let raw = value(key) else { return }
            switch raw.lowercased() {
            case "是", "y", "yes", "true", "1": profile[key] = .bool(true)
            case "否", "n", "no", "false", "0": profile[key] = .bool(false)
            default: issues.append(FieldIssue(field: key, rule: "type", message: "must be 是/否 (yes/no)"))
            }
        }
        func date(_ key: String, _ window: DateWindow) {
            guard let raw = value(key) else { return }
            let parts = raw.split(whereSeparator: { $0 == "-" || $0 == "/" || $0 == "." }).compactMap { Int($0) }
            guard parts.count == 3, let d = CalendarDate(year: parts[0], month: parts[1], day: parts[2]) else {
                issues.append(FieldIssue(field: key, rule: "date", message: "is not a date (YYYY-MM-DD)"))
                return
            }
            if let refusal = window.refusal(of: d, today: today) {
                issues.append(FieldIssue(field: key, rule: "range", message: refusal))
            } else {
                profile[key] = .string(d.iso)
            }
        }
        if let raw = value("education_level") {
            if let level = EducationLevel(rawValue: raw) ?? education[raw] { profile["education_level"] = .string(level.rawValue) } else {
                issues.append(FieldIssue(field: "education_level", rule: "enum", message: "is not an education level (大专, 本科, 本科+学士, 硕士, 博士)"))
            }
        }
        if let raw = value("skill_level") {
            if let level = SkillLevel(rawValue: raw) ?? skill[raw] { profile["skill_level"] = .string(level.rawValue) } else {
                issues.append(FieldIssue(field: "skill_level", rule: "enum", message: "is not a skill level or title"))
            }
        }
        if let raw = value("permit_number") { profile["permit_number"] = .string(raw) }
        date("permit_received_date", .permit)
        date("permit_expiry_date", .permit)
        if let raw = value("social_insurance_months") {
            if let n = Int(raw), (0...1200).contains(n) { profile["social_insurance_months"] = .int(n) } else {
                issues.append(FieldIssue(field: "social_insurance_months", rule: "range", message: "must be a whole number of months, 0 to 1200"))
            }
        }
        if let raw = value("insurance_months_last_12") {
            if let n = Int(raw), (0...12).contains(n) { profile["insurance_months_last_12"] = .int(n) } else {
                issues.append(FieldIssue(field: "insurance_months_last_12", rule: "range", message: "must be a whole number of months, 0 to 12"))
            }
        }
        bool("dispatched")
        bool("upgraded_from_associate")
        bool("co_resident_children")
        var kind: String?
        if let raw = value("case_kind") {
            if let k = CaseKinds.kind(raw)?.id ?? kinds[raw] { kind = k } else {
                issues.append(FieldIssue(field: "case_kind", rule: "enum", message: "is not a case kind (积分新办, 积分续办, 居转户, 人才引进)"))
            }
        }
        var stage: String?
        if let raw = value("case_stage") {
            if let kind, let k = CaseKinds.kind(kind) {
                if let s = k.stages.first(where: { ($0.id == raw || $0.chineseName == raw) && !$0.isTerminal }) { stage = s.id } else {
                    issues.append(FieldIssue(
                        field: "case_stage", rule: "enum",
                        message: "is not an open stage of \(k.displayName): \(k.stages.filter { !$0.isTerminal }.map(\.chineseName).joined(separator: ", "))"))
                }
            } else if value("case_kind") == nil {
                issues.append(FieldIssue(field: "case_stage", rule: "requires", message: "a case stage needs a case kind"))
            }
        }
        guard issues.isEmpty, let identity else { throw ValidationError(issues) }
        return ApplicantImportRow(
            identity: identity, companyCreditCode: credit, companyOrgCode: org, profileFields: profile, caseKind: kind, caseStage: stage)
    }
}
