extension CaseKinds {
    /// 积分续办: a renewal. Most pass the online review (网上直接审核, since 2017-01-22); those
    /// returned by it deliver the renewal's paper materials at the window, as a first application does.
    public static let pointsRenewal = CaseKind(
        id: "points_renewal", chineseName: "积分续办", englishName: "Points — renewal",
        stages: [
            Stage(id: "information_updated", chineseName: "信息更新", englishName: "Information updated", allowedDays: 14),
            Stage(id: "submitted", chineseName: "单位提交", englishName: "Submitted by the employer", allowedDays: 7),
            Stage(id: "online_review", chineseName: "网上审核", englishName: "Online review", allowedDays: 21),
            Stage(
                id: "paper_materials", chineseName: "书面材料递交", englishName: "Paper materials delivered",
                fields: StageField.receiptFields, allowedDays: 7),
            Stage(id: "accepted", chineseName: "受理", englishName: "Accepted", allowedDays: 30),
            Stage(
                id: "approved", chineseName: "审批通过", englishName: "Approved",
                fields: [.date("approved_date", "date of approval (审批通过日期)", required: false)], allowedDays: 14),
            Stage(
                id: "notice_printed", chineseName: "积分通知书已打印", englishName: "Notice printed",
                fields: [.date("printed_date", "date the notice was printed (打印日期)", required: false)], allowedDays: 7),
            .closed,
        ],
        initialStage: "information_updated",
        transitions: Transition.chain(["information_updated", "submitted", "online_review", "approved", "notice_printed", "closed"])
            // Returned by the online review (退回): the renewal's papers go in at the window, all
            // of them, as a first application's do at delivery.
            + [Transition(from: "online_review", to: "paper_materials", rules: [.documentsComplete])]
            + Transition.chain(["paper_materials", "accepted", "approved"])
    )

    /// 居转户: residence permit to hukou transfer. A lighter template from general knowledge;
    /// agencies are expected to refine it.
    public static let hukouTransfer = CaseKind(
        id: "hukou_transfer", chineseName: "居转户", englishName: "Residence permit to hukou",
        stages: [
            Stage(id: "preparing_materials", chineseName: "准备材料", englishName: "Preparing materials", allowedDays: 30),
            Stage(id: "submitted_online", chineseName: "网上申报", englishName: "Submitted online", allowedDays: 14),
            Stage(
                id: "materials_delivered", chineseName: "材料递交", englishName: "Materials delivered",
                fields: StageField.receiptFields, allowedDays: 60),
            Stage(id: "accepted", chineseName: "受理", englishName: "Accepted", allowedDays: 90),
            Stage(
                id: "public_notice", chineseName: "公示", englishName: "Public notice",
                fields: [.date("notice_date", "first day of the public notice (公示日期)", required: false)], allowedDays: 30),
            Stage(
                id: "approved", chineseName: "审批通过", englishName: "Approved",
                fields: [.date("approved_date", "date of approval (审批通过日期)", required: false)]),
            .closed,
        ],
        initialStage: "preparing_materials",
        transitions: Transition.chain([
            "preparing_materials", "submitted_online", "materials_delivered", "accepted", "public_notice", "approved", "closed",
        ])
    )

    /// 人才引进: talent introduction (direct hukou). A lighter template from general knowledge.
    public static let talentIntroduction = CaseKind(
        id: "talent_introduction", chineseName: "人才引进", englishName: "Talent introduction",
        stages: [
            Stage(id: "preparing_materials", chineseName: "准备材料", englishName: "Preparing materials", allowedDays: 30),
            Stage(id: "submitted_online", chineseName: "网上申报", englishName: "Submitted online", allowedDays: 30),
            Stage(id: "accepted", chineseName: "受理", englishName: "Accepted", allowedDays: 60),
            Stage(
                id: "public_notice", chineseName: "公示", englishName: "Public notice",
                fields: [.date("notice_date", "first day of the public notice (公示日期)", required: false)], allowedDays: 30),
            Stage(
                id: "approved", chineseName: "审批通过", englishName: "Approved",
                fields: [.date("approved_date", "date of approval (审批通过日期)", required: false)]),
            .closed,
        ],
        initialStage: "preparing_materials",
        transitions: Transition.chain(["preparing_materials", "submitted_online", "accepted", "public_notice", "approved", "closed"])
    )
}
