/// The built-in notice texts, in Chinese: what an agency gets until it stores its own. Keyed
/// by case kind, step (the stage the case moves to next) and audience; a step without its
/// own text gets the general one of its audience.
public enum NoticeTemplates {
    /// The text for `kind`'s step `step` to `audience`.
    public static func builtin(kind: String, step: String, audience: NoticeAudience) -> String {
        specific["\(kind)/\(step)/\(audience.rawValue)"] ?? general(audience)
    }

    /// Whether `kind`/`step`/`audience` has a text of its own (else the general one).
    public static func hasSpecific(kind: String, step: String, audience: NoticeAudience) -> Bool {
        specific["\(kind)/\(step)/\(audience.rawValue)"] != nil
    }

    public static func general(_ audience: NoticeAudience) -> String {
        switch audience {
        case .applicant: generalApplicant
        case .hr: generalHR
        }
    }

    static let generalApplicant = """
        {applicant_name}您好！您的{case_kind_name}下一步是「{step_name}」。
        请准备以下材料（原件请带原件，复印件须加盖单位公章）：
        {documents}
        办理地点：{talent_center}。
        办理时间：{from_date}起，请于{by_date}前完成（还有{working_days}个工作日）。
        如有疑问请随时联系我们。
        """

    static let generalHR = """
        {hr_name}您好！贵司员工{applicant_name}的{case_kind_name}下一步是「{step_name}」。
        请协助准备以下材料（复印件须加盖单位公章）：
        {documents}
        递交地点：{talent_center}。
        时间：{from_date}起，请于{by_date}前完成（还有{working_days}个工作日）。
        谢谢配合！
        """

    /// Steps with their own text: where a generic line would say the wrong thing.
    static let specific: [String: String] = [
        "points_new/employer_ready/hr": """
            {hr_name}您好！{applicant_name}的居住证积分申请需要贵司（{company_name}）先在{talent_center}完成单位注册开通。
            请准备以下材料：
            {documents}
            请于{by_date}前完成（还有{working_days}个工作日），开通后告诉我们即可。谢谢！
            """,
        "points_new/account/applicant": """
            {applicant_name}您好！您的居住证信息已同步，{from_date}起可以新办积分账户。
            请于{by_date}前（还有{working_days}个工作日）把需要的信息发给我们，我们来为您录入。
            """,
        "points_new/materials_delivered/applicant": """
            {applicant_name}您好！您的积分申请已网上提交，{from_date}起可以递交纸质材料。
            请准备以下材料（原件请带原件，复印件须加盖单位公章）：
            {documents}
            递交地点：{talent_center}。请于{by_date}前递交（还有{working_days}个工作日）。
            """,
        "points_new/materials_delivered/hr": """
            {hr_name}您好！贵司员工{applicant_name}的积分申请已网上提交，{from_date}起可向{talent_center}递交纸质材料。
            请协助准备以下材料（复印件须加盖单位公章）：
            {documents}
            请于{by_date}前交给我们或直接递交（还有{working_days}个工作日）。谢谢配合！
            """,
    ]
}
