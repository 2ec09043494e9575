import CaseloadCore
import Foundation
import Testing

@Suite struct DeadlineTests {
    let calendar = ChineseCalendar.builtin

    func computed(_ id: String, _ base: String) -> ComputedDeadline {
        guard let rule = DeadlineRules.rule(id: id) else { fatalError("no rule \(id)") }
        return ComputedDeadline.compute(rule, baseDate: date(base), calendar: calendar)
    }

    @Test func defaultIDsAndShapes() throws {
        #expect(DeadlineRules.defaults.map(\.id) == [
            "account_opens", "delivery_opens", "city_review", "originals_collect",
            "renewal_reminder_30", "renewal_reminder_7", "points_expire", "lapse_60", "lapse_90",
        ])
        try DeadlineRules.validate(DeadlineRules.defaults)
        let byID = Dictionary(uniqueKeysWithValues: DeadlineRules.defaults.map { ($0.id, $0) })
        #expect(byID["account_opens"]?.base == .recorded(stage: "residence_permit", field: "permit_received_date"))
        #expect(byID["account_opens"]?.offset == .workingDays(3))
        #expect(byID["delivery_opens"]?.base == .recorded(stage: "submitted_online", field: "delivery_open_date"))
        #expect(byID["delivery_opens"]?.offset == .calendarDays(0))
        #expect(byID["city_review"]?.caseKinds == ["points_new", "points_renewal"])
        #expect(byID["city_review"]?.isExpectation == true)
        #expect(byID["city_review"]?.base == .stageEntered("accepted"))
        #expect(byID["originals_collect"]?.base == .stageEntered("approved"))
        #expect(byID["originals_collect"]?.offset == .workingDays(10))
        for id in ["renewal_reminder_30", "renewal_reminder_7", "points_expire", "lapse_60", "lapse_90"] {
            #expect(byID[id]?.isApplicantLevel == true)
            #expect(byID[id]?.base == .permitExpiry)
        }
        #expect(byID["renewal_reminder_30"]?.offset == .calendarDays(-30))
        #expect(byID["renewal_reminder_7"]?.offset == .calendarDays(-7))
        #expect(byID["lapse_60"]?.offset == .calendarDays(60))
        #expect(byID["lapse_90"]?.offset == .calendarDays(90))
        #expect(DeadlineRules.defaults.filter(\.isExpectation).map(\.id) == ["city_review"])
        // The rule tables' stages exist in the case kinds they name.
        for rule in DeadlineRules.defaults {
            for kindID in rule.caseKinds {
                let kind = [CaseKinds.pointsNew, CaseKinds.pointsRenewal].first { $0.id == kindID }
                #expect(kind != nil, "\(rule.id): \(kindID)")
                switch rule.base {
                case .recorded(let stage, let field):
                    #expect(kind?.stage(stage)?.field(field) != nil, "\(rule.id)")
                case .stageEntered(let stage):
                    #expect(kind?.stage(stage) != nil, "\(rule.id)")
                case .permitExpiry:
                    break
                }
            }
        }
    }

    @Test func accountOpens() {
        let deadline = computed("account_opens", "2026-09-30")
        #expect(deadline.ruleID == "account_opens")
        #expect(deadline.baseDate == date("2026-09-30"))
        #expect(deadline.dueDate == date("2026-10-10"))
        #expect(!deadline.provisional)
        #expect(deadline.skipped.count == 7)
        #expect(deadline.explanation == "3 working days after the permit was received (领取居住证) on 2026-09-30: opens Saturday 2026-10-10; "
            + "skipped 2026-10-01..2026-10-07 (国庆 National Day); counted Saturday 2026-10-10 (国庆调休 National Day make-up workday)")
    }

    @Test func accountOpensAgreesWithTheCaseMachinesCount() {
        let rule = DeadlineRules.rule(id: "account_opens")!
        for offset in 0..<400 {
            let base = date("2025-01-01").adding(days: offset)
            #expect(rule.compute(baseDate: base, calendar: calendar).dueDate == calendar.adding(workingDays: 3, to: base).date)
        }
    }

    @Test func deliveryOpens() {
        let deadline = computed("delivery_opens", "2026-10-08")
        #expect(deadline.dueDate == date("2026-10-08"))
        #expect(deadline.skipped.isEmpty)
        #expect(deadline.explanation
            == "on the day the online system allows delivering the materials (可递交材料日期): Thursday 2026-10-08")
        #expect(computed("delivery_opens", "2026-10-03").explanation.hasSuffix("Saturday 2026-10-03; not a working day (国庆 National Day)"))
    }

    @Test func cityReviewIsAnExpectation() {
        let deadline = computed("city_review", "2026-09-15")
        // 16 17 18 | (19) 20* 21 22 23 24 | (25–27) 28 29 30 | (1–7) 8 9 10* | (11) 12
        #expect(deadline.dueDate == date("2026-10-12"))
        #expect(deadline.explanation.hasPrefix("15 working days after the case was accepted (正式受理) on 2026-09-15: expected by Monday 2026-10-12; "))
        #expect(deadline.explanation.contains("2026-09-25..2026-09-27 (中秋 Mid-Autumn), 2026-10-01..2026-10-07 (国庆 National Day)"))
        #expect(deadline.explanation.contains(
            "counted Sunday 2026-09-20 (国庆调休 National Day make-up workday), Saturday 2026-10-10 (国庆调休 National Day make-up workday)"))
        #expect(calendar.workingDays(from: date("2026-09-15"), to: deadline.dueDate) == 15)
    }

    @Test func originalsCollectAcrossSpringFestival() {
        let deadline = computed("originals_collect", "2026-02-10")
        #expect(deadline.dueDate == date("2026-03-02"))
        #expect(deadline.explanation == "10 working days after the case was approved (审批通过) on 2026-02-10: due Monday 2026-03-02; "
            + "skipped 2026-02-15..2026-02-23 (春节 Spring Festival), 2026-03-01 (weekend); "
            + "counted Saturday 2026-02-14 (春节调休 Spring Festival make-up workday), Saturday 2026-02-28 (春节调休 Spring Festival make-up workday)")
    }

    @Test func renewalRemindersAndExpiry() {
        let thirty = computed("renewal_reminder_30", "2027-01-05")
        #expect(thirty.dueDate == date("2026-12-06"))
        #expect(!thirty.provisional)
        #expect(thirty.skipped.isEmpty)
        #expect(thirty.explanation == "30 days before the residence permit expires (居住证到期) on 2027-01-05: due Sunday 2026-12-06; not a working day (weekend)")
        let seven = computed("renewal_reminder_7", "2027-01-05")
        #expect(seven.dueDate == date("2026-12-29"))
        #expect(seven.explanation == "7 days before the residence permit expires (居住证到期) on 2027-01-05: due Tuesday 2026-12-29")
        let expire = computed("points_expire", "2027-01-05")
        #expect(expire.dueDate == date("2027-01-05"))
        #expect(!expire.provisional)
        #expect(expire.explanation == "on the day the residence permit expires (居住证到期): Tuesday 2027-01-05")
    }

    @Test func lapses() {
        let sixty = computed("lapse_60", "2026-08-03")
        #expect(sixty.dueDate == date("2026-10-02"))
        #expect(sixty.explanation == "60 days after the residence permit expires (居住证到期) on 2026-08-03: due Friday 2026-10-02; not a working day (国庆 National Day)")
        let ninety = computed("lapse_90", "2026-08-03")
        #expect(ninety.dueDate == date("2026-11-01"))
        #expect(ninety.explanation.hasPrefix("90 days after the residence permit expires (居住证到期) on 2026-08-03: due Sunday 2026-11-01"))
        // Calendar days are exact even in an unknown year; nothing is claimed about 2027's holidays.
        let later = computed("lapse_60", "2027-01-05")
        #expect(later.dueDate == date("2027-03-06"))
        #expect(!later.provisional)
        #expect(later.explanation == "60 days after the residence permit expires (居住证到期) on 2027-01-05: due Saturday 2027-03-06")
        #expect(computed("lapse_90", "2027-01-05").dueDate == date("2027-04-05"))
    }

    @Test func workingDayDeadlinePastTheCalendarIsProvisional() {
        let deadline = computed("city_review", "2026-12-20")
        #expect(deadline.provisional)
        #expect(deadline.explanation.hasSuffix("provisional: 2027 is not in the calendar yet: statutory days only; 调休 not yet published"))
    }

    @Test func negativeWorkingDaysAndReminderDates() {
        let rule = DeadlineRule(
            id: "prepare", chineseName: "准备", englishName: "Prepare", caseKinds: ["points_new"],
            base: .stageEntered("accepted"), offset: .workingDays(-2), reminderLeadDays: [0, 3, 3])
        let deadline = rule.compute(baseDate: date("2026-10-08"), calendar: calendar)
        #expect(deadline.dueDate == date("2026-09-29"))
        #expect(deadline.explanation.hasPrefix("2 working days before the case entered accepted on 2026-10-08: due Tuesday 2026-09-29; skipped 2026-10-01..2026-10-07"))
        #expect(rule.reminderDates(due: date("2026-10-10")) == [date("2026-10-07"), date("2026-10-10")])
    }

    @Test func rulesAreCodableAsFlatObjects() throws {
        #expect(try roundTrip(DeadlineRules.defaults) == DeadlineRules.defaults)
        let base = DeadlineBase.recorded(stage: "residence_permit", field: "permit_received_date")
        #expect(try json(base) == #"{"field":"permit_received_date","kind":"recorded","stage":"residence_permit"}"#)
        #expect(try json(DeadlineBase.stageEntered("accepted")) == #"{"kind":"stage_entered","stage":"accepted"}"#)
        #expect(try json(DeadlineBase.permitExpiry) == #"{"kind":"permit_expiry"}"#)
        #expect(try json(DeadlineOffset.calendarDays(-30)) == #"{"days":-30,"unit":"calendar_days"}"#)
        let deadline = computed("account_opens", "2026-09-30")
        #expect(try roundTrip(deadline) == deadline)
        #expect(try json(deadline).hasPrefix(#"{"base_date":"2026-09-30","due_date":"2026-10-10","explanation":"#))
        let rule = try json(DeadlineRules.rule(id: "city_review")!)
        #expect(rule.contains(#""case_kinds":["points_new","points_renewal"]"#))
        #expect(rule.contains(#""kind":"expectation""#))
        #expect(rule.contains(#""discharged_by":[{"event":"stage_reached","stage":"approved"}]"#))
        // The older flag still reads as the kind it meant.
        let legacy = #"{"id":"x","chinese_name":"某","english_name":"X","base":{"kind":"permit_expiry"},"offset":{"unit":"calendar_days","days":1},"is_expectation":true}"#
        #expect(try JSONDecoder().decode(DeadlineRule.self, from: Data(legacy.utf8)).kind == .expectation)
        // Optional keys may be left out by an agency.
        let minimal = #"{"id":"x","chinese_name":"某","english_name":"X","base":{"kind":"permit_expiry"},"offset":{"unit":"calendar_days","days":-14}}"#
        let decoded = try JSONDecoder().decode(DeadlineRule.self, from: Data(minimal.utf8))
        #expect(decoded == DeadlineRule(id: "x", chineseName: "某", englishName: "X", caseKinds: [], base: .permitExpiry, offset: .calendarDays(-14)))
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(DeadlineOffset.self, from: Data(#"{"unit":"weeks","days":2}"#.utf8))
        }
    }

    private func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    private func roundTrip<T: Codable>(_ value: T) throws -> T {
        try JSONDecoder().decode(T.self, from: JSONEncoder().encode(value))
    }

    @Test func validatesAgencyRules() {
        var bad = DeadlineRules.defaults
        bad[1].id = "account_opens"
        bad[2].chineseName = " "
        bad[3].caseKinds = []
        bad[4].reminderLeadDays = [-1]
        bad[5].id = "Bad Id"
        let found = issues { try DeadlineRules.validate(bad) }
        #expect(found.map(\.field) == ["rules[1].id", "rules[2].chinese_name", "rules[3].case_kinds", "rules[4].reminder_lead_days", "rules[5].id"])
        #expect(found.map(\.rule) == ["duplicate", "required", "required", "range", "format"])
    }

    // MARK: State

    @Test func stateTransitions() throws {
        for to in [DeadlineState.done, .waived, .missed, .satisfied, .cancelled, .waiting] {
            try DeadlineState.validateTransition(from: .open, to: to)
        }
        for to in [DeadlineState.done, .waived, .open, .satisfied, .cancelled] {
            try DeadlineState.validateTransition(from: .missed, to: to)
        }
        try DeadlineState.validateTransition(from: .waiting, to: .open)
        try DeadlineState.validateTransition(from: .done, to: .done)
        #expect(DeadlineState.waiting.allowedNext == [.open, .done, .waived, .satisfied, .cancelled], "a window never goes straight to missed")
        #expect(DeadlineState.open.allowedNext == [.waiting, .done, .waived, .missed, .satisfied, .cancelled])
        #expect(DeadlineState.missed.allowedNext == [.open, .done, .waived, .satisfied, .cancelled])
        for final in [DeadlineState.done, .waived, .satisfied, .cancelled] {
            #expect(final.allowedNext.isEmpty && final.isFinal && !final.isPending)
        }
        let reopen = issue { try DeadlineState.validateTransition(from: .done, to: .open) }
        #expect(reopen?.field == "state")
        #expect(reopen?.rule == "transition")
        #expect(reopen?.message.contains("done is final") == true)
        #expect(issue { try DeadlineState.validateTransition(from: .waiting, to: .missed) }?.message.contains("it can go to") == true)
        #expect(issue { try DeadlineState.validateTransition(from: .satisfied, to: .open) } != nil)
        #expect(DeadlineState(rawValue: "missed") == .missed)
    }

    @Test("the clock alone: a window waits, then opens; a due date is missed once past; an expectation stays open")
    func pendingStates() {
        let due = date("2026-10-10")
        #expect(DeadlineState.pending(.window, due: due, today: date("2026-10-09")) == .waiting)
        #expect(DeadlineState.pending(.window, due: due, today: due) == .open)
        #expect(DeadlineState.pending(.window, due: due, today: date("2027-01-01")) == .open, "never missed")
        #expect(DeadlineState.pending(.due, due: due, today: due) == .open)
        #expect(DeadlineState.pending(.due, due: due, today: date("2026-10-11")) == .missed)
        #expect(DeadlineState.pending(.expectation, due: due, today: date("2027-01-01")) == .open)
        // The rule data says which kind each default is.
        let kinds = Dictionary(uniqueKeysWithValues: DeadlineRules.defaults.map { ($0.id, $0.kind) })
        #expect(kinds["account_opens"] == .window && kinds["delivery_opens"] == .window && kinds["city_review"] == .expectation)
        for id in ["originals_collect", "renewal_reminder_30", "renewal_reminder_7", "points_expire", "lapse_60", "lapse_90"] {
            #expect(kinds[id] == .due, "\(id)")
        }
        #expect(throws: Never.self) { try DeadlineRules.validate(DeadlineRules.defaults) }
    }
}
