/// One row of an applicant import, validated: identifiers, the employer's code, the profile
/// fields given, and the case kind to open. Column keys are the documented import keys
/// (docs/import.md); values may be written the way a Chinese spreadsheet writes them
/// (本科, 是/否, 2026/3/1, 2026年3月1日, 积分新办), read through `InputAliases` and
/// `CalendarDate(input:)` like every param. Messages repeat a cell only where it cannot be
/// personal data: a date cell (unless it looks like an ID or phone number, `CalendarDate.echo`:
/// a shifted column could put one there) and an ID Excel turned into `3.20102E+17` (which has
/// lost the number).
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

    /// The keys of `fields` that are no import column, sorted: ignored (the import reports
    /// them once, as `ignored_columns`), so a file's 序号 or 备注 column does not stop it.
    public static func unknownColumns(_ fields: [String: String]) -> [String] {
        fields.keys.filter { !columns.contains($0) }.sorted()
    }

    /// Whether a cell is a number in scientific notation (`3.20102E+17`): what Excel shows for
    /// a long number typed into a General column, with every digit after the sixth lost.
    public static func isScientificNumber(_ text: String) -> Bool {
        let upper = text.uppercased()
        guard let e = upper.firstIndex(of: "E") else { return false }
        let mantissa = upper[..<e]
        var exponent = upper[upper.index(after: e)...]
        if exponent.first == "+" { exponent = exponent.dropFirst() }
        let digits = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        return !exponent.isEmpty && exponent.allSatisfy { $0.isASCII && $0.isNumber } && (1...2).contains(digits.count)
            && digits.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }
    }

    /// The refusal of a number Excel turned into scientific notation: repeats the cell (it has
    /// lost the number) and says how to keep the column as text.
    static func excelNumberIssue(_ key: String, _ what: Sentence, _ cell: String) -> FieldIssue {
        let shown = cell.count > 20 ? String(cell.prefix(20)) + "…" : cell
        return FieldIssue(
            field: key, rule: "excel_number",
            message: "the \(what.en) was turned into a number by Excel (\(shown)); format the column as text (设置单元格格式 → 文本) and enter the numbers again",
            zh: "\(what.zh)被 Excel 变成了数字（\(shown)）：请把这一列设为文本格式（设置单元格格式 → 文本）后重新输入")
    }

    /// Validates one row; every problem is a FieldIssue whose field is the column key. Dates
    /// are checked against `today` where their field keeps a window around it.
    public static func parse(_ fields: [String: String], today: CalendarDate) throws(ValidationError) -> ApplicantImportRow {
        var issues: [FieldIssue] = []
        func value(_ key: String) -> String? {
            guard let raw = fields[key] else { return nil }
            let trimmed = String(raw.trimmingWhitespace)
            return trimmed.isEmpty ? nil : trimmed
        }
        var identity: ApplicantIdentity?
        do { identity = try ApplicantIdentity.validate(name: value("name"), idNumber: value("id_number"), phone: value("phone"), today: today) } catch let e as ValidationError {
            // An ID or phone Excel turned into 3.20102E+17 gets the reason, not "not an ID number".
            for (key, what) in [("id_number", Sentence("ID number", zh: "身份证号")), ("phone", Sentence("phone number", zh: "手机号"))] {
                guard let cell = value(key), isScientificNumber(cell), e.issues.contains(where: { $0.field == key }) else { continue }
                issues.append(excelNumberIssue(key, what, cell))
            }
            let replaced = Set(issues.map(\.field))
            issues += e.issues.filter { !replaced.contains($0.field) }
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
            issues.append(FieldIssue(field: "company_credit_code", rule: "required", message: "give the employer's credit code or organization code",
                zh: "须填写雇主的统一社会信用代码或组织机构代码"))
        }
        var profile: [String: ProfileValue] = [:]
        func bool(_ key: String) {
            guard let raw = value(key) else { return }
            if let yes = InputAliases.bool(raw) { profile[key] = .bool(yes) } else {
                issues.append(FieldIssue(field: key, rule: "type", message: "must be 是/否 (yes/no)", zh: "须为是或否"))
            }
        }
        func date(_ key: String, _ window: DateWindow) {
            guard let raw = value(key) else { return }
            guard let d = CalendarDate(input: raw) else {
                issues.append(FieldIssue(field: key, rule: "date", message: CalendarDate.notADate(raw), zh: CalendarDate.notADateZh(raw)))
                return
            }
            if let refusal = window.refusal(of: d, today: today) {
                issues.append(FieldIssue(field: key, rule: "range", message: refusal, zh: window.refusalZh(of: d, today: today)))
            } else {
                profile[key] = .string(d.iso)
            }
        }
        if let raw = value("education_level") {
            if let level = InputAliases.canonical(raw, group: "education") { profile["education_level"] = .string(level) } else {
                issues.append(FieldIssue(field: "education_level", rule: "enum", message: "is not an education level (大专, 本科, 本科+学士, 硕士, 博士)",
                    zh: "不是学历（大专、本科、本科+学士、硕士、博士）"))
            }
        }
        if let raw = value("skill_level") {
            if let level = InputAliases.canonical(raw, group: "skill") { profile["skill_level"] = .string(level) } else {
                issues.append(FieldIssue(field: "skill_level", rule: "enum", message: "is not a skill level or title", zh: "不是职业技能等级或职称"))
            }
        }
        if let raw = value("permit_number") { profile["permit_number"] = .string(raw) }
        date("permit_received_date", .permit)
        date("permit_expiry_date", .permit)
        if let raw = value("social_insurance_months") {
            if let n = Int(raw), (0...1200).contains(n) { profile["social_insurance_months"] = .int(n) } else {
                issues.append(FieldIssue(field: "social_insurance_months", rule: "range", message: "must be a whole number of months, 0 to 1200", zh: "须为 0 到 1200 之间的整月数"))
            }
        }
        if let raw = value("insurance_months_last_12") {
            if let n = Int(raw), (0...12).contains(n) { profile["insurance_months_last_12"] = .int(n) } else {
                issues.append(FieldIssue(field: "insurance_months_last_12", rule: "range", message: "must be a whole number of months, 0 to 12", zh: "须为 0 到 12 之间的整月数"))
            }
        }
        bool("dispatched")
        bool("upgraded_from_associate")
        bool("co_resident_children")
        var kind: String?
        if let raw = value("case_kind") {
            if let k = InputAliases.canonical(raw, group: "case_kind") { kind = k } else {
                let names = CaseKinds.all.map(\.chineseName)
                issues.append(FieldIssue(
                    field: "case_kind", rule: "enum",
                    message: "is not a case kind (\(names.joined(separator: ", ")))\(Suggestion.hint(for: raw, among: CaseKinds.all.map(\.id)))",
                    zh: "不是案件类型（\(names.joined(separator: "、"))）\(Suggestion.hintZh(for: raw, among: CaseKinds.all.map(\.id)))"))
            }
        }
        var stage: String?
        if let raw = value("case_stage") {
            if let kind, let k = CaseKinds.kind(kind) {
                if let s = InputAliases.stage(raw, of: k), !s.isTerminal { stage = s.id } else {
                    issues.append(FieldIssue(
                        field: "case_stage", rule: "enum",
                        message: "is not an open stage of \(k.displayName): \(k.stages.filter { !$0.isTerminal }.map(\.chineseName).joined(separator: ", "))",
                        zh: "不是\(k.chineseName)的进行中阶段：\(k.stages.filter { !$0.isTerminal }.map(\.chineseName).joined(separator: "、"))"))
                }
            } else if value("case_kind") == nil {
                issues.append(FieldIssue(field: "case_stage", rule: "requires", message: "a case stage needs a case kind", zh: "填写案件阶段时须同时填写案件类型"))
            }
        }
        guard issues.isEmpty, let identity else { throw ValidationError(issues) }
        return ApplicantImportRow(
            identity: identity, companyCreditCode: credit, companyOrgCode: org, profileFields: profile, caseKind: kind, caseStage: stage)
    }
}
