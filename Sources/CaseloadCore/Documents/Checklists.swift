/// The built-in materials checklists per case kind, from the typical lists in the domain brief
/// (consultancy pages agree on them; they are not regulation text, so agencies may keep their
/// own tables: `ChecklistEntry` is Codable).
public enum Checklists {
    /// The checklist of the built-in case kind `kind`; empty for an unknown kind.
    public static func entries(for kind: String) -> [ChecklistEntry] {
        switch kind {
        case "points_new": pointsNew
        case "points_renewal": pointsRenewal
        case "hukou_transfer": hukouTransfer
        case "talent_introduction": talentIntroduction
        default: []
        }
    }

    /// Every case kind id with a built-in checklist.
    public static let kinds: [String] = ["points_new", "points_renewal", "hukou_transfer", "talent_introduction"]

    /// Company papers for activation at the district talent center (单位注册/审核开通,
    /// stage `employer_ready`). A company-level prerequisite done once, not per case, so it is
    /// kept apart from `entries(for:)`; evaluate it with `ChecklistResult.evaluate(entries:...)`.
    /// The credit-code certificate stands for the pre-merger pair (licence + organization-code
    /// certificate), which an agency that still sees them can list in its own table.
    public static let employerActivation: [ChecklistEntry] =
        lines("credit_code_certificate", [.original, .sealedCopy], by: "employer_ready")
        + lines("social_insurance_registration", [.original, .sealedCopy], by: "employer_ready")
        + lines("company_ic_card", [.original], by: "employer_ready")
        + lines("introduction_letter", [.original], by: "employer_ready")
        + lines("hr_officer_id", [.original, .sealedCopy], by: "employer_ready")

    /// 积分新办: everything is handed in at `materials_delivered`. Diploma and degree originals
    /// are listed because the center sends them for the education check.
    static let pointsNew: [ChecklistEntry] = {
        let by = "materials_delivered"
        return lines("introduction_letter", [.original], by: by)
            + lines("hr_officer_id", [.original, .sealedCopy], by: by)
            + lines("business_licence", [.sealedCopy], by: by)
            + lines("residence_permit", [.original, .copy], by: by)
            + lines("application_form", [.original], by: by)
            + lines("id_card", [.original, .copy], by: by)
            + lines("household_register", [.original, .copy], by: by)
            + lines("labour_contract", [.original, .copy], by: by)
            + lines("dispatch_agreement", [.original, .copy], when: .dispatched, by: by)
            + lines("graduation_certificate", [.original, .copy], by: by)
            + lines("degree_certificate", [.original, .copy], by: by)
            + lines("xuexin_record", [.original], by: by)
            + lines("degree_verification_report", [.original], by: by)
            + lines("associate_diploma", [.original, .copy], when: .upgradedFromAssociate, by: by)
            + lines("title_certificate", [.original, .copy], when: .titleUsed, by: by)
            + lines("archive_retrieval", [.original], when: .coResidentChildren, by: by)
    }()

    /// 积分续办: paper is needed only when the online review fails and the case goes to
    /// `paper_materials`. "Proof of any change" has no profile fact to key on yet, so it is
    /// not listed.
    static let pointsRenewal: [ChecklistEntry] = {
        let by = "paper_materials"
        return lines("introduction_letter", [.original], by: by)
            + lines("hr_officer_id", [.original, .sealedCopy], by: by)
            + lines("residence_permit", [.original, .copy], by: by)
            + lines("id_card", [.original, .copy], by: by)
            + lines("application_form", [.original], by: by)
            + lines("archive_retrieval", [.original], when: .coResidentChildren, by: by)
    }()

    /// 居转户: a lighter list of the core papers (the full list depends on the route taken);
    /// delivered at `materials_delivered`.
    static let hukouTransfer: [ChecklistEntry] = {
        let by = "materials_delivered"
        return lines("introduction_letter", [.original], by: by)
            + lines("hr_officer_id", [.original, .sealedCopy], by: by)
            + lines("application_form", [.original], by: by)
            + lines("id_card", [.original, .copy], by: by)
            + lines("residence_permit", [.original, .copy], by: by)
            + lines("household_register", [.original, .copy], by: by)
            + lines("labour_contract", [.original, .copy], by: by)
            + lines("dispatch_agreement", [.original, .copy], when: .dispatched, by: by)
            + lines("graduation_certificate", [.original, .copy], by: by)
            + lines("degree_certificate", [.original, .copy], by: by)
            + lines("title_certificate", [.original, .copy], when: .titleUsed, by: by)
    }()

    /// 人才引进: a lighter list; the kind has no delivery stage, so papers are due at `accepted`.
    static let talentIntroduction: [ChecklistEntry] = {
        let by = "accepted"
        return lines("introduction_letter", [.original], by: by)
            + lines("application_form", [.original], by: by)
            + lines("id_card", [.original, .copy], by: by)
            + lines("labour_contract", [.original, .copy], by: by)
            + lines("graduation_certificate", [.original, .copy], by: by)
            + lines("degree_certificate", [.original, .copy], by: by)
            + lines("title_certificate", [.original, .copy], when: .titleUsed, by: by)
    }()
}

/// One entry per form, all under the same condition and stage: `lines("id_card", [.original, .copy], by: ...)`.
private func lines(
    _ documentType: String, _ forms: [DocumentForm], when condition: ChecklistCondition = .always, by stage: String
) -> [ChecklistEntry] {
    forms.map { ChecklistEntry(documentType: documentType, form: $0, condition: condition, requiredBy: stage) }
}
