extension Rule {
    /// Why the rule does not hold for entering `target`, in English and Chinese, or nil when
    /// it holds. Both languages name the same dates, counts and fields.
    ///
    /// `recorded` is the case's recorded data with the data being entered now already merged
    /// in, so a rule may read a field of the very stage it guards.
    func failure(
        entering target: Stage, kind: CaseKind, recorded: [String: [String: FieldValue]], facts: CaseFacts
    ) -> Sentence? {
        let entering = Sentence("entering \(target.displayName)", zh: "进入\(target.chineseName)")
        switch self {
        case .companyActivated:
            switch facts.companyStatus {
            case .activated:
                return nil
            case .changePending:
                let pending = TalentCenterStatus.changePending.chineseName
                return entering + Sentence(
                    " needs the company activated at its district talent center; a change of company information "
                        + "is awaiting review (\(pending)), so no new work can be filed until it passes",
                    zh: "需要公司已在区人才服务中心开通；公司信息变更正在审核中（\(pending)），审核通过前不能办理新业务")
            case .unregistered, .registeredOnline:
                let activated = TalentCenterStatus.activated.chineseName
                let now = facts.companyStatus
                return entering + Sentence(
                    " needs the company activated at its district talent center "
                        + "(\(activated)); it is \(now.chineseName) (\(now.rawValue))",
                    zh: "需要公司已在区人才服务中心开通（\(activated)）；目前为\(now.chineseName)（\(now.rawValue)）")
            }

        case .workingDaysAfter(let stage, let field, let days):
            let label = describe(stage: stage, field: field, kind: kind)
            guard case .date(let start)? = recorded[stage]?[field] else {
                return entering + Sentence(
                    " needs \(label.en) to be recorded first (it opens \(days) working days after that date)",
                    zh: "前须先记录\(label.zh)（\(target.chineseName)在该日期后 \(days) 个工作日开放）")
            }
            let count = facts.calendar.adding(workingDays: days, to: start)
            guard facts.today < count.date else { return nil }
            var message = Sentence(
                "\(target.displayName) opens \(days) working days after \(label.en), \(start.iso): not before \(count.date.iso) (today is \(facts.today.iso))",
                zh: "\(target.chineseName)在\(label.zh)（\(start.iso)）后 \(days) 个工作日开放：\(count.date.iso) 之前不能进入（今天是 \(facts.today.iso)）")
            // How the date was counted, as a deadline explains itself: the days skipped, the
            // make-up day that counted, a year not yet in the calendar.
            if let note = count.note { message += Sentence("; counted: \(note)", zh: "；计算：\(count.noteZh ?? note)") }
            return message

        case .notBeforeRecordedDate(let stage, let field):
            let label = describe(stage: stage, field: field, kind: kind)
            guard case .date(let date)? = recorded[stage]?[field] else {
                return entering + Sentence(" needs \(label.en) to be recorded first", zh: "前须先记录\(label.zh)")
            }
            guard facts.today < date else { return nil }
            return Sentence(
                "\(entering.en) is not allowed before \(label.en), \(date.iso) (today is \(facts.today.iso))",
                zh: "\(label.zh)（\(date.iso)）之前不能进入\(target.chineseName)（今天是 \(facts.today.iso)）")

        case .recordedTrue(let stage, let field):
            let label = describe(stage: stage, field: field, kind: kind)
            switch recorded[stage]?[field] {
            case .bool(true)?: return nil
            case .bool(false)?:
                return entering + Sentence(" needs \(label.en) to be true; it is recorded as false", zh: "需要\(label.zh)为“是”；记录的是“否”")
            default:
                return entering + Sentence(" needs \(label.en) to be true; nothing is recorded yet", zh: "需要\(label.zh)为“是”；尚未记录")
            }

        case .pointsAtLeast(let standard):
            let need = entering + Sentence(" needs a points estimate of at least \(standard)", zh: "需要积分估算至少 \(standard) 分")
            guard let total = facts.pointsTotal else {
                return need + Sentence("; no estimate is available", zh: "；目前没有积分估算")
            }
            guard total < standard else { return nil }
            let short = standard.saturatingSubtracting(total)
            return need + Sentence("; the estimate is \(total), \(short) short", zh: "；估算为 \(total) 分，差 \(short) 分")

        case .documentsComplete:
            guard let checklist = facts.checklist else {
                return entering + Sentence(" needs the document checklist; none was evaluated", zh: "需要材料清单；尚未核对")
            }
            let missing = checklist.missing(forEntering: target.id, of: kind)
            guard !missing.isEmpty else { return nil }
            return entering + Sentence(
                " needs every required document; missing: " + missing.map(\.displayName).joined(separator: "; "),
                zh: "需要所有必需的材料；缺少：" + missing.map(\.chineseDisplayName).joined(separator: "；"))

        case .archiveVerified:
            guard let status = facts.archiveStatus, status == .verified else {
                let verified = ArchiveStatus.verified.chineseName
                let now = facts.archiveStatus.map { Sentence("\($0.chineseName) (\($0.rawValue))", zh: "\($0.chineseName)（\($0.rawValue)）") }
                    ?? Sentence("not recorded", zh: "尚未记录")
                return entering + Sentence(
                    " needs the personnel archive (人事档案) verified (\(verified)); it is \(now.en)",
                    zh: "需要人事档案已核实（\(verified)）；目前\(facts.archiveStatus == nil ? "" : "为")\(now.zh)")
            }
            return nil
        }
    }

    /// "the date the permit was received (领取居住证日期) [residence_permit.permit_received_date]",
    /// in Chinese "领取居住证日期 [residence_permit.permit_received_date]".
    private func describe(stage: String, field: String, kind: CaseKind) -> Sentence {
        let stageField = kind.stage(stage)?.field(field)
        let label = stageField?.label ?? field
        return Sentence("the \(label) [\(stage).\(field)]", zh: "\(stageField?.chineseLabel ?? field) [\(stage).\(field)]")
    }
}
