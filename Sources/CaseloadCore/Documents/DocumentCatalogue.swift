/// The built-in document types, from the typical materials lists for company activation, a
/// first application and a renewal (the domain brief's "(A)" facts: consultancy pages, not
/// the regulation), plus the papers the process itself produces (receipt, notice).
public enum DocumentCatalogue {
    public static let all: [DocumentType] = company + applicant

    /// Papers of the client company. Activation at the talent center wants originals and
    /// sealed copies of the certificates; a case's delivery wants the sealed licence copy.
    static let company: [DocumentType] = [
        DocumentType(
            id: "business_licence", chineseName: "营业执照", englishName: "Business licence", owner: .company,
            expectedForms: [.sealedCopy]),
        DocumentType(
            id: "credit_code_certificate", chineseName: "统一社会信用代码证书", englishName: "Unified social credit code certificate",
            owner: .company, expectedForms: [.original, .sealedCopy]),
        DocumentType(
            id: "social_insurance_registration", chineseName: "社会保险登记证", englishName: "Social insurance registration certificate",
            owner: .company, expectedForms: [.original, .sealedCopy]),
        DocumentType(
            id: "company_ic_card", chineseName: "单位IC卡", englishName: "Company IC card", owner: .company, expectedForms: [.original]),
        // The letter is itself issued under the company's seal: there is no copy of it to seal.
        DocumentType(
            id: "introduction_letter", chineseName: "单位介绍信", englishName: "Introduction letter", owner: .company,
            expectedForms: [.original]),
        DocumentType(
            id: "hr_officer_id", chineseName: "经办人身份证", englishName: "HR officer's ID card", owner: .company,
            expectedForms: [.original, .sealedCopy]),
    ]

    /// Papers of the applicant, and those the case produces for the applicant.
    static let applicant: [DocumentType] = [
        DocumentType(
            id: "id_card", chineseName: "身份证", englishName: "ID card", owner: .applicant, expectedForms: [.original, .copy]),
        DocumentType(
            id: "residence_permit", chineseName: "居住证", englishName: "Residence permit", owner: .applicant,
            expectedForms: [.original, .copy]),
        // Printed only after online submission, signed by the applicant and sealed by the company.
        DocumentType(
            id: "application_form", chineseName: "申请表（本人签名、单位盖章）", englishName: "Application form (signed and sealed)",
            owner: .applicant, expectedForms: [.original]),
        DocumentType(
            id: "household_register", chineseName: "户口簿（或集体户口证明）", englishName: "Household register (or collective-household proof)",
            owner: .applicant, expectedForms: [.original, .copy]),
        DocumentType(
            id: "labour_contract", chineseName: "劳动合同", englishName: "Labour contract", owner: .applicant,
            expectedForms: [.original, .copy]),
        DocumentType(
            id: "dispatch_agreement", chineseName: "劳务派遣协议", englishName: "Dispatch agreement", owner: .applicant,
            expectedForms: [.original, .copy]),
        DocumentType(
            id: "graduation_certificate", chineseName: "毕业证书", englishName: "Graduation certificate", owner: .applicant,
            expectedForms: [.original, .copy]),
        DocumentType(
            id: "degree_certificate", chineseName: "学位证书", englishName: "Degree certificate", owner: .applicant,
            expectedForms: [.original, .copy]),
        // Printouts from online services: the printout is the original.
        DocumentType(
            id: "xuexin_record", chineseName: "学信网电子注册备案表", englishName: "Xuexin (CHSI) registration record",
            owner: .applicant, expectedForms: [.original]),
        DocumentType(
            id: "degree_verification_report", chineseName: "学位认证报告", englishName: "Degree verification report",
            owner: .applicant, expectedForms: [.original]),
        DocumentType(
            id: "associate_diploma", chineseName: "专科毕业证书（专升本）", englishName: "Associate diploma (associate → bachelor)",
            owner: .applicant, expectedForms: [.original, .copy]),
        DocumentType(
            id: "title_certificate", chineseName: "职称或职业资格证书", englishName: "Title or skill certificate", owner: .applicant,
            expectedForms: [.original, .copy]),
        // Produced by the process: kept so the agency can prove delivery and hand over the notice.
        DocumentType(
            id: "receipt", chineseName: "收件凭证", englishName: "Receipt of materials", owner: .applicant, expectedForms: [.original]),
        DocumentType(
            id: "points_notice", chineseName: "积分通知书", englishName: "Points notice", owner: .applicant, expectedForms: [.original]),
        DocumentType(
            id: "archive_retrieval", chineseName: "调档函（同住子女）", englishName: "Archive retrieval letter (co-resident children)",
            owner: .applicant, expectedForms: [.original]),
    ]

    /// The type with id `id`, if the catalogue has one.
    public static func type(_ id: String) -> DocumentType? {
        all.first { $0.id == id }
    }

    /// The type named by a request, or a ValidationError (rule "unknown") naming the field.
    public static func parse(_ raw: String, field: String = "document_type") throws(ValidationError) -> DocumentType {
        let id = String(raw.trimmingWhitespace)
        guard let type = type(id) else {
            throw ValidationError(
                field: field, rule: "unknown", message: "no document type \"\(id)\"; known types: \(all.map(\.id).joined(separator: ", "))",
                zh: "没有“\(id)”这种材料类型；已知的类型有 \(all.map(\.id).joined(separator: "、"))")
        }
        return type
    }
}
