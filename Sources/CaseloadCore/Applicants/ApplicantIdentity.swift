/// The name and identifiers of an applicant, validated: what the storage layer seals.
public struct ApplicantIdentity: Sendable, Hashable {
    public var name: String
    public var idNumber: ResidentIDNumber
    public var phone: MobileNumber?

    /// Validates name, ID number and phone together, reporting every broken rule; a birth date
    /// after `today` is one.
    public static func validate(name: String?, idNumber: String?, phone: String?, today: CalendarDate) throws -> ApplicantIdentity {
        var issues: [FieldIssue] = []
        let trimmed = String((name ?? "").trimmingWhitespace)
        if trimmed.isEmpty { issues.append(FieldIssue(field: "name", rule: "required", message: "an applicant needs a name", zh: "申请人须有姓名")) }
        var id: ResidentIDNumber?
        do { id = try ResidentIDNumber.parse(idNumber ?? "", field: "id_number", today: today) } catch { issues += error.issues }
        var mobile: MobileNumber?
        if let phone, !phone.trimmingWhitespace.isEmpty {
            do { mobile = try MobileNumber.parse(phone, field: "phone") } catch { issues += error.issues }
        }
        guard issues.isEmpty, let id else { throw ValidationError(issues) }
        return ApplicantIdentity(name: trimmed, idNumber: id, phone: mobile)
    }
}
