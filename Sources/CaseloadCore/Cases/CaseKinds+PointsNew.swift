extension CaseKinds {
    /// 积分新办: a first points application, the brief's ten stages.
    ///
    /// `allowedDays` are agency defaults for "late", not city deadlines.
    public static let pointsNew = CaseKind(
        id: "points_new", chineseName: "积分新办", englishName: "Points — first application",
        stages: [
            Stage(
                id: "residence_permit", chineseName: "居住证", englishName: "Residence permit",
                fields: [.date("permit_received_date", "date the permit was received (领取居住证日期)")]),
            Stage(id: "employer_ready", chineseName: "单位注册开通", englishName: "Employer ready", allowedDays: 30),
            Stage(id: "account", chineseName: "新办账户", englishName: "Account created", allowedDays: 7),
            Stage(id: "information_entered", chineseName: "信息录入", englishName: "Information entered", allowedDays: 14),
            Stage(
                id: "submitted_online", chineseName: "网上提交", englishName: "Submitted online",
                fields: [
                    .date("delivery_open_date", "date the online system allows delivering the materials (可递交材料日期)"),
                    .integer("points_total", "points total shown online (系统估分)"),
                ],
                allowedDays: 14),
            Stage(
                id: "materials_delivered", chineseName: "材料递交", englishName: "Materials delivered",
                fields: StageField.receiptFields, allowedDays: 7),
            Stage(
                id: "verification", chineseName: "档案学历审核", englishName: "Archive and education verification",
                // Not required on entry: the checks finish while the case waits here (CaseMachine.record).
                fields: [
                    .bool("education_checked", "education background check passed (学历认证通过)"),
                ],
                allowedDays: 30),
            Stage(id: "accepted", chineseName: "正式受理", englishName: "Accepted", allowedDays: 30),
            Stage(
                id: "approved", chineseName: "审批通过", englishName: "Approved",
                fields: [.date("approved_date", "date of approval (审批通过日期)", required: false)], allowedDays: 14),
            Stage(
                id: "notice_printed", chineseName: "积分通知书已打印", englishName: "Notice printed",
                fields: [.date("printed_date", "date the notice was printed (打印日期)", required: false)], allowedDays: 7),
            .closed,
        ],
        initialStage: "residence_permit",
        transitions: [
            Transition(from: "residence_permit", to: "employer_ready"),
            Transition(
                from: "employer_ready", to: "account",
                rules: [
                    .companyActivated,
                    // Permit data must sync to the points system first (3 个工作日后).
                    .workingDaysAfter(stage: "residence_permit", field: "permit_received_date", days: 3),
                ]),
            Transition(from: "account", to: "information_entered"),
            // The system refuses applications below the standard score (120).
            Transition(from: "information_entered", to: "submitted_online", rules: [.pointsAtLeast(120)]),
            Transition(
                from: "submitted_online", to: "materials_delivered",
                rules: [.notBeforeRecordedDate(stage: "submitted_online", field: "delivery_open_date"), .documentsComplete]),
            Transition(from: "materials_delivered", to: "verification"),
            Transition(
                from: "verification", to: "accepted",
                rules: [
                    .archiveVerified,
                    .recordedTrue(stage: "verification", field: "education_checked"),
                    // 材料补齐 (seed §6): formal acceptance only once the materials are complete;
                    // papers handed to the talent center, or forwarded to the city center, count.
                    .documentsComplete,
                ]),
            // Only approved → notice_printed exists: the notice cannot be printed before approval.
        ] + Transition.chain(["accepted", "approved", "notice_printed", "closed"])
    )
}
