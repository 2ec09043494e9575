extension Rule {
    /// Why the rule does not hold for entering `target`, or nil when it holds.
    ///
    /// `recorded` is the case's recorded data with the data being entered now already merged
    /// in, so a rule may read a field of the very stage it guards.
    func failure(
        entering target: Stage, kind: CaseKind, recorded: [String: [String: FieldValue]], facts: CaseFacts
    ) -> String? {
        let entering = "entering \(target.displayName)"
        switch self {
        case .companyActivated:
            switch facts.companyStatus {
            case .activated:
                return nil
            case .changePending:
                return "\(entering) needs the company activated at its district talent center; a change of company information "
                    + "is awaiting review (\(TalentCenterStatus.changePending.chineseName)), so no new work can be filed until it passes"
            case .unregistered, .registeredOnline:
                return "\(entering) needs the company activated at its district talent center "
                    + "(\(TalentCenterStatus.activated.chineseName)); it is \(facts.companyStatus.chineseName) (\(facts.companyStatus.rawValue))"
            }

        case .workingDaysAfter(let stage, let field, let days):
            let label = describe(stage: stage, field: field, kind: kind)
            guard case .date(let start)? = recorded[stage]?[field] else {
                return "\(entering) needs \(label) to be recorded first (it opens \(days) working days after that date)"
            }
            let count = facts.calendar.adding(workingDays: days, to: start)
            guard facts.today < count.date else { return nil }
            var message = "\(target.displayName) opens \(days) working days after \(label), \(start.iso): not before \(count.date.iso) (today is \(facts.today.iso))"
            // How the date was counted, as a deadline explains itself: the days skipped, the
            // make-up day that counted, a year not yet in the calendar.
            if let note = count.note { message += "; counted: \(note)" }
            return message

        case .notBeforeRecordedDate(let stage, let field):
            let label = describe(stage: stage, field: field, kind: kind)
            guard case .date(let date)? = recorded[stage]?[field] else {
                return "\(entering) needs \(label) to be recorded first"
            }
            guard facts.today < date else { return nil }
            return "\(entering) is not allowed before \(label), \(date.iso) (today is \(facts.today.iso))"

        case .recordedTrue(let stage, let field):
            let label = describe(stage: stage, field: field, kind: kind)
            switch recorded[stage]?[field] {
            case .bool(true)?: return nil
            case .bool(false)?: return "\(entering) needs \(label) to be true; it is recorded as false"
            default: return "\(entering) needs \(label) to be true; nothing is recorded yet"
            }

        case .pointsAtLeast(let standard):
            guard let total = facts.pointsTotal else {
                return "\(entering) needs a points estimate of at least \(standard); no estimate is available"
            }
            guard total < standard else { return nil }
            return "\(entering) needs a points estimate of at least \(standard); the estimate is \(total), \(standard - total) short"

        case .documentsComplete:
            guard let checklist = facts.checklist else {
                return "\(entering) needs the document checklist; none was evaluated"
            }
            let missing = checklist.missing(forEntering: target.id, of: kind)
            guard !missing.isEmpty else { return nil }
            return "\(entering) needs every required document; missing: " + missing.map(\.displayName).joined(separator: "; ")

        case .archiveVerified:
            guard let status = facts.archiveStatus, status == .verified else {
                let now = facts.archiveStatus.map { "\($0.chineseName) (\($0.rawValue))" } ?? "not recorded"
                return "\(entering) needs the personnel archive (人事档案) verified (\(ArchiveStatus.verified.chineseName)); it is \(now)"
            }
            return nil
        }
    }

    /// "the date the permit was received (领取居住证日期) [residence_permit.permit_received_date]".
    private func describe(stage: String, field: String, kind: CaseKind) -> String {
        let label = kind.stage(stage)?.field(field)?.label ?? field
        return "the \(label) [\(stage).\(field)]"
    }
}
