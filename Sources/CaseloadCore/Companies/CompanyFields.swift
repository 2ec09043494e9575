/// The fields of a client company as a client sends them, before validation.
public struct CompanyInput: Sendable, Hashable {
    public var name: String?
    public var creditCode: String?
    /// Why a credit code that fails its checksum is accepted anyway (early-issued codes).
    public var creditCodeOverride: String?
    public var orgCode: String?
    public var orgCodeOverride: String?
    public var district: String?
    public var hrName: String?
    public var hrPhone: String?
    public var talentCenterStatus: String?

    public init(
        name: String? = nil, creditCode: String? = nil, creditCodeOverride: String? = nil, orgCode: String? = nil,
        orgCodeOverride: String? = nil, district: String? = nil, hrName: String? = nil, hrPhone: String? = nil,
        talentCenterStatus: String? = nil
    ) {
        self.name = name
        self.creditCode = creditCode
        self.creditCodeOverride = creditCodeOverride
        self.orgCode = orgCode
        self.orgCodeOverride = orgCodeOverride
        self.district = district
        self.hrName = hrName
        self.hrPhone = hrPhone
        self.talentCenterStatus = talentCenterStatus
    }
}

/// A client company's fields after every rule held: normalised identifiers, a known
/// district, a valid mobile number.
public struct CompanyFields: Sendable, Hashable {
    public var name: String
    public var creditCode: CreditCode?
    public var creditCodeOverride: String?
    public var orgCode: OrganizationCode?
    public var orgCodeOverride: String?
    public var district: ShanghaiDistrict?
    public var hrName: String?
    public var hrPhone: MobileNumber?
    public var talentCenterStatus: TalentCenterStatus

    /// Validates every field and reports every broken rule at once.
    ///
    /// A company needs a credit code or an organization code (or both: a company registered
    /// before the three-certificates merger keeps its old code as its unit code). A code
    /// failing its checksum is refused unless an override reason is given, which is stored.
    public static func validate(_ input: CompanyInput) throws -> CompanyFields {
        var issues: [FieldIssue] = []
        func check<T>(_ body: () throws -> T) -> T? {
            do { return try body() } catch let error as ValidationError {
                issues += error.issues
                return nil
            } catch {
                return nil
            }
        }
        let name = String((input.name ?? "").trimmingWhitespace)
        if name.isEmpty {
            issues.append(FieldIssue(field: "name", rule: "required", message: "a company needs a name", zh: "公司须有名称"))
        } else if name.count > 200 {
            issues.append(FieldIssue(field: "name", rule: "max_length", message: "at most 200 characters", zh: "最多 200 个字符"))
        }
        let creditOverride = input.creditCodeOverride.nonBlank
        let orgOverride = input.orgCodeOverride.nonBlank
        let creditCode = input.creditCode.nonBlank.flatMap { raw in
            check { try CreditCode.parse(raw, field: "credit_code", acceptingBadChecksum: creditOverride != nil) }
        }
        let orgCode = input.orgCode.nonBlank.flatMap { raw in
            check { try OrganizationCode.parse(raw, field: "org_code", acceptingBadChecksum: orgOverride != nil) }
        }
        if input.creditCode.nonBlank == nil, input.orgCode.nonBlank == nil {
            issues.append(
                FieldIssue(
                    field: "credit_code", rule: "required",
                    message: "give the unified social credit code (统一社会信用代码) or the organization code (组织机构代码)", zh: "须填写统一社会信用代码或组织机构代码"))
        }
        let district = input.district.nonBlank.flatMap { raw in check { try ShanghaiDistrict.parse(raw) } }
        let phone = input.hrPhone.nonBlank.flatMap { raw in check { try MobileNumber.parse(raw, field: "hr_phone") } }
        let status = check { try TalentCenterStatus.parse(input.talentCenterStatus ?? TalentCenterStatus.unregistered.rawValue) }
        let hrName = input.hrName.nonBlank
        if let hrName, hrName.count > 100 {
            issues.append(FieldIssue(field: "hr_name", rule: "max_length", message: "at most 100 characters", zh: "最多 100 个字符"))
        }
        guard issues.isEmpty, let status else { throw ValidationError(issues) }
        return CompanyFields(
            name: name,
            creditCode: creditCode,
            // An override is kept only where it was needed, so a stored reason always explains something.
            creditCodeOverride: creditCode?.checksumValid == false ? creditOverride : nil,
            orgCode: orgCode,
            orgCodeOverride: orgCode?.checksumValid == false ? orgOverride : nil,
            district: district,
            hrName: hrName,
            hrPhone: phone,
            talentCenterStatus: status
        )
    }
}

extension Optional where Wrapped == String {
    /// nil for nil, empty or whitespace-only strings; the trimmed string otherwise.
    var nonBlank: String? {
        guard let self else { return nil }
        let trimmed = String(self.trimmingWhitespace)
        return trimmed.isEmpty ? nil : trimmed
    }
}
