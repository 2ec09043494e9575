import CaseloadCore
import Testing

/// The case machine's and rule engine's refusals in Chinese: every one carries its own `zh`
/// (not the rule's vague fallback), and it names the same dates, stages and counts as the
/// English, computed here rather than copied from the message.
@Suite struct CaseRefusalChineseTests {
    let kind = CaseKinds.pointsNew
    let calendar = ChineseCalendar.builtin

    /// A points_new case at `stage`, the permit received on 2026-09-30.
    func state(at stage: String, recorded: [String: [String: FieldValue]] = [:], status: CaseStatus = .active) -> CaseState {
        var recorded = recorded
        recorded["residence_permit", default: [:]]["permit_received_date"] = .date(date("2026-09-30"))
        return CaseState(kind: kind.id, stage: stage, status: status, recorded: recorded)
    }

    /// The facts of a day on which only what the test breaks fails.
    func facts(today: String, company: TalentCenterStatus = .activated, points: Int? = 126, archive: ArchiveStatus? = .verified) -> CaseFacts {
        CaseFacts(
            today: date(today), companyStatus: company, pointsTotal: points, calendar: calendar,
            checklist: ChecklistResult(items: []), archiveStatus: archive)
    }

    /// Each issue's own Chinese, failing the test when one has none or it is not Chinese.
    func chinese(_ found: [FieldIssue], sourceLocation: SourceLocation = #_sourceLocation) -> [String] {
        #expect(!found.isEmpty, "expected a refusal", sourceLocation: sourceLocation)
        return found.map { issue in
            guard let zh = issue.zh else {
                Issue.record("\(issue.field) \(issue.rule) has no Chinese: \(issue.message)", sourceLocation: sourceLocation)
                return ""
            }
            #expect(zh.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) }, "not Chinese: \(zh)", sourceLocation: sourceLocation)
            return zh
        }
    }

    @Test("working_days_after names the permit date, the day it opens, today and how it was counted")
    func workingDaysAfter() throws {
        let today = "2026-10-02"
        let found = issues {
            try CaseMachine.advance(state(at: "employer_ready"), kind: kind, to: "account", data: [:], facts: facts(today: today), override: nil)
        }
        #expect(found.map(\.rule) == ["working_days_after"])
        let zh = try #require(chinese(found).first)
        let opens = calendar.adding(workingDays: 3, to: date("2026-09-30"))
        let english = try #require(found.first?.message)
        for same in ["2026-09-30", opens.date.iso, today] {
            #expect(english.contains(same))
            #expect(zh.contains(same), "\(zh) does not name \(same)")
        }
        #expect(zh.contains("3 个工作日"))
        #expect(zh.contains("新办账户"))
        #expect(zh.contains("领取居住证日期"))
        // The count explains itself in Chinese too: the National Day days it skipped.
        let noteZh = try #require(opens.noteZh)
        #expect(zh.contains(noteZh))
        #expect(noteZh.contains("跳过") && noteZh.contains("2026-10-01"))
        #expect(!zh.contains("working days"))
    }

    @Test("not_before_recorded_date names the delivery date and today")
    func notBeforeRecordedDate() throws {
        let opens = date("2026-12-01").adding(days: 9)
        let at = state(at: "submitted_online", recorded: ["submitted_online": ["delivery_open_date": .date(opens)]])
        let data: [String: FieldValue] = ["receipt_number": .text("R1"), "delivered_date": .date(date("2026-12-01"))]
        let found = issues { try CaseMachine.advance(at, kind: kind, to: "materials_delivered", data: data, facts: facts(today: "2026-12-01"), override: nil) }
        #expect(found.map(\.rule) == ["not_before_recorded_date"])
        let zh = try #require(chinese(found).first)
        #expect(found.first?.message.contains(opens.iso) == true)
        #expect(zh.contains(opens.iso) && zh.contains("2026-12-01") && zh.contains("材料递交") && zh.contains("可递交材料日期"))
    }

    @Test("points_at_least names the standard, the estimate and the shortfall")
    func pointsAtLeast() throws {
        let total = 120 - 7
        let found = issues {
            try CaseMachine.advance(
                state(at: "information_entered"), kind: kind, to: "submitted_online",
                data: ["delivery_open_date": .date(date("2026-12-05"))], facts: facts(today: "2026-12-01", points: total), override: nil)
        }
        #expect(found.map(\.rule) == ["points_at_least"])
        let zh = try #require(chinese(found).first)
        #expect(zh.contains("120") && zh.contains("\(total)") && zh.contains("差 \(120 - total) 分"))
        let none = issues {
            try CaseMachine.advance(
                state(at: "information_entered"), kind: kind, to: "submitted_online",
                data: ["delivery_open_date": .date(date("2026-12-05"))], facts: facts(today: "2026-12-01", points: nil), override: nil)
        }
        #expect(chinese(none).first?.contains("没有积分估算") == true)
    }

    @Test("company, archive and recorded-true rules name the statuses in Chinese")
    func statusRules() throws {
        for company in [TalentCenterStatus.unregistered, .changePending] {
            let found = issues {
                try CaseMachine.advance(
                    state(at: "employer_ready"), kind: kind, to: "account", data: [:], facts: facts(today: "2026-12-01", company: company), override: nil)
            }
            #expect(found.map(\.rule) == ["company_activated"])
            #expect(chinese(found).first?.contains(company.chineseName) == true)
        }
        let atVerification = state(at: "verification", recorded: ["verification": ["education_checked": .bool(false)]])
        let found = issues {
            try CaseMachine.advance(atVerification, kind: kind, to: "accepted", data: [:], facts: facts(today: "2026-12-01", archive: .located), override: nil)
        }
        #expect(found.map(\.rule) == ["archive_verified", "recorded_true"])
        let zh = chinese(found)
        #expect(zh.first?.contains(ArchiveStatus.located.chineseName) == true)
        #expect(zh.last?.contains("学历认证通过") == true && zh.last?.contains("“否”") == true)
    }

    @Test("a missing step names both stages and the ones that follow, in Chinese")
    func noSuchStep() throws {
        let found = issues {
            try CaseMachine.advance(state(at: "employer_ready"), kind: kind, to: "accepted", data: [:], facts: facts(today: "2026-12-01"), override: nil)
        }
        #expect(found.map(\.rule) == ["transition"])
        let zh = try #require(chinese(found).first)
        #expect(zh.contains("单位注册开通") && zh.contains("正式受理") && zh.contains("新办账户"))
        let unknown = issues {
            try CaseMachine.advance(state(at: "employer_ready"), kind: kind, to: "nowhere", data: [:], facts: facts(today: "2026-12-01"), override: nil)
        }
        #expect(chinese(unknown).first?.contains("nowhere") == true)
    }

    @Test("side paths, data and override refusals all carry Chinese")
    func sidePaths() throws {
        let onHold = state(at: "account", status: .onHold)
        let held = issues { try CaseMachine.advance(onHold, kind: kind, to: "information_entered", data: [:], facts: facts(today: "2026-12-01"), override: nil) }
        #expect(held.map(\.rule) == ["case_status"])
        #expect(chinese(held).first?.contains("暂停") == true && chinese(held).first?.contains("请先恢复") == true)

        let returned = issues { try CaseMachine.returnTo(state(at: "account"), kind: kind, stage: "accepted", reason: " ") }
        #expect(Set(returned.map(\.rule)) == ["required", "return"])
        let returnZh = chinese(returned).joined()
        #expect(returnZh.contains("退回案件须说明理由") && returnZh.contains("正式受理") && returnZh.contains("居住证"))

        #expect(chinese(issues { try CaseMachine.withdraw(state(at: "account", status: .closed), reason: "") }).count == 2)
        #expect(chinese(issues { try CaseMachine.resume(state(at: "account")) }).first?.contains("恢复案件") == true)

        let badData = issues {
            try CaseMachine.advance(
                state(at: "information_entered"), kind: kind, to: "submitted_online",
                data: ["delivery_open_date": .text("soon"), "colour": .text("red")], facts: facts(today: "2026-12-01"),
                override: Override(rules: ["points_at_least"], reason: ""))
        }
        #expect(Set(badData.map(\.rule)) == ["type", "unknown_field", "required"])
        _ = chinese(badData)
    }

    @Test("custody, archive and deadline refusals carry Chinese naming the statuses")
    func otherMachines() throws {
        let custody = issues { try CustodyMachine.apply(.stored(location: "A-1"), to: nil) }
        #expect(custody.map(\.rule) == ["custody"])
        #expect(chinese(custody).first?.contains("尚未收取") == true && chinese(custody).first?.contains("received") == true)

        let archive = issues { try ArchiveStatus.validateTransition(from: .verified, to: .unknown) }
        #expect(chinese(archive).first?.contains(ArchiveStatus.verified.chineseName) == true)

        let deadline = issues { try DeadlineState.validateTransition(from: .done, to: .open) }
        #expect(chinese(deadline).first?.contains(DeadlineState.done.chineseName) == true)
    }
}
