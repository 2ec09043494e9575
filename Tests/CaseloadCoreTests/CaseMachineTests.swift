import CaseloadCore
import Testing

@Suite struct CaseMachineTests {
    let kind = CaseKinds.pointsNew

    /// Steps of a first application with data that satisfies every rule on 2026-12-01.
    static let walk: [(String, [String: FieldValue])] = [
        ("employer_ready", [:]),
        ("account", [:]),
        ("information_entered", [:]),
        ("submitted_online", ["delivery_open_date": .date(date("2026-11-20")), "points_total": .integer(126)]),
        ("materials_delivered", ["receipt_number": .text("PD-2026-0001"), "delivered_date": .date(date("2026-11-21"))]),
        ("verification", ["education_checked": .bool(true)]),
        ("accepted", [:]),
        ("approved", ["approved_date": .date(date("2026-11-28"))]),
        ("notice_printed", ["printed_date": .date(date("2026-11-30"))]),
        ("closed", [:]),
    ]

    /// A case at `stage`, walked there with passing facts, the permit received on 2026-09-30.
    func caseAt(_ stage: String) throws -> CaseState {
        var state = CaseMachine.open(kind: kind)
        state.recorded["residence_permit"] = ["permit_received_date": .date(date("2026-09-30"))]
        for (target, data) in Self.walk {
            if state.stage == stage { return state }
            state = try CaseMachine.advance(state, kind: kind, to: target, data: data, facts: passingFacts(), override: nil).state
        }
        try #require(state.stage == stage)
        return state
    }

    @Test func opensAtTheInitialStage() {
        let state = CaseMachine.open(kind: kind)
        #expect(state == CaseState(kind: "points_new", stage: "residence_permit", status: .active, recorded: [:]))
    }

    @Test func fullWalkThroughEveryStage() throws {
        var state = CaseMachine.open(kind: kind)
        // Entering data on the initial stage is done with `record`.
        state = try CaseMachine.record(state, kind: kind, data: ["permit_received_date": .date(date("2026-09-30"))])
        var visited = [state.stage]
        for (target, data) in Self.walk {
            let advance = try CaseMachine.advance(state, kind: kind, to: target, data: data, facts: passingFacts(), override: nil)
            #expect(advance.overridden.isEmpty)
            state = advance.state
            visited.append(state.stage)
            #expect(state.status == (target == "closed" ? .closed : .active))
        }
        #expect(visited == kind.stages.map(\.id))
        #expect(state.value("materials_delivered", "receipt_number") == .text("PD-2026-0001"))
        #expect(state.value("residence_permit", "permit_received_date") == .date(date("2026-09-30")))
        // Closed is the end: nothing more can happen.
        #expect(issues { try CaseMachine.hold(state, reason: "x") }.map(\.rule) == ["case_status"])
    }

    // MARK: Rules, each refused then overridden

    @Test func accountNeedsThreeWorkingDaysAfterThePermit() throws {
        let state = try caseAt("employer_ready")
        let facts = CaseFacts(today: date("2026-10-02"), companyStatus: .activated, pointsTotal: 126, checklist: ChecklistResult(items: []), archiveStatus: .verified)
        let found = issues { try CaseMachine.advance(state, kind: kind, to: "account", data: [:], facts: facts, override: nil) }
        #expect(found.map(\.rule) == ["working_days_after"])
        #expect(found.first?.field == "to")
        let message = try #require(found.first?.message)
        #expect(message.contains("3 working days"))
        #expect(message.contains("2026-09-30"))
        #expect(message.contains("not before 2026-10-05"))

        let advance = try CaseMachine.advance(
            state, kind: kind, to: "account", data: [:], facts: facts,
            override: Override(rules: ["working_days_after"], reason: "permit data already synced, checked online"))
        #expect(advance.overridden == ["working_days_after"])
        #expect(advance.state.stage == "account")

        // On the day itself the rule holds.
        let onTime = CaseFacts(today: date("2026-10-05"), companyStatus: .activated, checklist: ChecklistResult(items: []), archiveStatus: .verified)
        #expect(try CaseMachine.advance(state, kind: kind, to: "account", data: [:], facts: onTime, override: nil).overridden == [])
    }

    @Test(arguments: [TalentCenterStatus.unregistered, .registeredOnline, .changePending])
    func accountNeedsAnActivatedCompany(status: TalentCenterStatus) throws {
        let state = try caseAt("employer_ready")
        let facts = CaseFacts(today: date("2026-12-01"), companyStatus: status, checklist: ChecklistResult(items: []), archiveStatus: .verified)
        let found = issues { try CaseMachine.advance(state, kind: kind, to: "account", data: [:], facts: facts, override: nil) }
        #expect(found.map(\.rule) == ["company_activated"])
        let advance = try CaseMachine.advance(
            state, kind: kind, to: "account", data: [:], facts: facts,
            override: Override(rules: ["company_activated"], reason: "activation done at the window today"))
        #expect(advance.overridden == ["company_activated"])
    }

    @Test func submissionNeedsTheStandardScore() throws {
        let state = try caseAt("information_entered")
        let data: [String: FieldValue] = ["delivery_open_date": .date(date("2026-12-05"))]
        for total in [nil, 119] as [Int?] {
            let facts = CaseFacts(today: date("2026-12-01"), companyStatus: .activated, pointsTotal: total, checklist: ChecklistResult(items: []), archiveStatus: .verified)
            let found = issues { try CaseMachine.advance(state, kind: kind, to: "submitted_online", data: data, facts: facts, override: nil) }
            #expect(found.map(\.rule) == ["points_at_least"])
            #expect(found.first?.message.contains("120") == true)
        }
        let low = CaseFacts(today: date("2026-12-01"), companyStatus: .activated, pointsTotal: 119, checklist: ChecklistResult(items: []), archiveStatus: .verified)
        let advance = try CaseMachine.advance(
            state, kind: kind, to: "submitted_online", data: data, facts: low,
            override: Override(rules: ["points_at_least"], reason: "title certificate not yet in the estimate"))
        #expect(advance.overridden == ["points_at_least"])
    }

    @Test func noDeliveryBeforeTheSystemsDate() throws {
        let state = try CaseMachine.advance(
            try caseAt("information_entered"), kind: kind, to: "submitted_online",
            data: ["delivery_open_date": .date(date("2026-12-10"))], facts: passingFacts(), override: nil
        ).state
        let data: [String: FieldValue] = ["receipt_number": .text("R1"), "delivered_date": .date(date("2026-12-01"))]
        let found = issues { try CaseMachine.advance(state, kind: kind, to: "materials_delivered", data: data, facts: passingFacts(), override: nil) }
        #expect(found.map(\.rule) == ["not_before_recorded_date"])
        #expect(found.first?.message.contains("2026-12-10") == true)
        let advance = try CaseMachine.advance(
            state, kind: kind, to: "materials_delivered", data: data, facts: passingFacts(),
            override: Override(rules: ["not_before_recorded_date"], reason: "window accepted early"))
        #expect(advance.overridden == ["not_before_recorded_date"])
        // On the date itself delivery is allowed.
        #expect(try CaseMachine.advance(state, kind: kind, to: "materials_delivered", data: data,
                                        facts: passingFacts(today: "2026-12-10"), override: nil).overridden == [])
    }

    @Test func acceptanceNeedsArchiveVerifiedAndEducationChecked() throws {
        let atDelivery = try caseAt("materials_delivered")
        var state = try CaseMachine.advance(atDelivery, kind: kind, to: "verification", data: [:], facts: passingFacts(), override: nil).state
        var archiveAway = passingFacts()
        archiveAway.archiveStatus = .retrievalRequested
        var found = issues { try CaseMachine.advance(state, kind: kind, to: "accepted", data: [:], facts: archiveAway, override: nil) }
        #expect(found.map(\.rule) == ["archive_verified", "recorded_true"])
        #expect(found.contains { $0.message.contains("retrieval_requested") })
        #expect(found.contains { $0.message.contains("verification.education_checked") })

        // The archive is verified while the case waits; the education check fails.
        state = try CaseMachine.record(state, kind: kind, data: ["education_checked": .bool(false)])
        found = issues { try CaseMachine.advance(state, kind: kind, to: "accepted", data: [:], facts: passingFacts(), override: nil) }
        #expect(found.count == 1)
        #expect(found.first?.message.contains("recorded as false") == true)

        let advance = try CaseMachine.advance(
            state, kind: kind, to: "accepted", data: [:], facts: passingFacts(),
            override: Override(rules: ["recorded_true"], reason: "center confirmed by phone"))
        #expect(advance.overridden == ["recorded_true"])
    }

    @Test func deliveryNeedsEveryRequiredDocument() throws {
        let state = try caseAt("submitted_online")
        let data: [String: FieldValue] = ["receipt_number": .text("R1"), "delivered_date": .date(date("2026-11-21"))]
        var facts = passingFacts(today: "2026-12-10")
        facts.checklist = ChecklistResult.evaluate(kind: "points_new", profile: ApplicantProfile(), documents: [])
        let found = issues { try CaseMachine.advance(state, kind: kind, to: "materials_delivered", data: data, facts: facts, override: nil) }
        #expect(found.map(\.rule) == ["documents_complete"])
        #expect(found.first?.message.contains("missing") == true)
        facts.checklist = nil
        #expect(issues { try CaseMachine.advance(state, kind: kind, to: "materials_delivered", data: data, facts: facts, override: nil) }
            .map(\.rule) == ["documents_complete"])
    }

    @Test func overrideNeedsAReason() throws {
        let state = try caseAt("employer_ready")
        let facts = CaseFacts(today: date("2026-10-01"), companyStatus: .activated, checklist: ChecklistResult(items: []), archiveStatus: .verified)
        for reason in ["", "  "] {
            let found = issues {
                try CaseMachine.advance(state, kind: kind, to: "account", data: [:], facts: facts,
                                        override: Override(rules: ["working_days_after"], reason: reason))
            }
            #expect(found.contains { $0.field == "override.reason" && $0.rule == "required" })
            // Without a reason the override does not apply: the rule is still reported.
            #expect(found.contains { $0.rule == "working_days_after" })
        }
    }

    @Test func overridingOneRuleLeavesTheOthers() throws {
        let state = try caseAt("employer_ready")
        let facts = CaseFacts(today: date("2026-10-01"), companyStatus: .registeredOnline, checklist: ChecklistResult(items: []), archiveStatus: .verified)
        let found = issues {
            try CaseMachine.advance(state, kind: kind, to: "account", data: [:], facts: facts,
                                    override: Override(rules: ["working_days_after"], reason: "synced"))
        }
        #expect(found.map(\.rule) == ["company_activated"])
    }

    @Test func unusedOverrideIsNotReported() throws {
        let state = try caseAt("employer_ready")
        let advance = try CaseMachine.advance(
            state, kind: kind, to: "account", data: [:], facts: passingFacts(),
            override: Override(rules: ["working_days_after", "company_activated"], reason: "just in case"))
        #expect(advance.overridden == [])
    }

    // MARK: Transitions and data

    @Test func transitionNotInTableIsRefused() throws {
        let state = try caseAt("information_entered")
        let found = issues { try CaseMachine.advance(state, kind: kind, to: "accepted", data: [:], facts: passingFacts(), override: nil) }
        #expect(found.map(\.rule) == ["transition"])
        #expect(found.first?.field == "to")
        let message = try #require(found.first?.message)
        for name in ["信息录入", "Information entered", "正式受理", "Accepted", "网上提交"] {
            #expect(message.contains(name), "\(name) in \(message)")
        }
        // Notice printing before approval is a missing transition.
        let accepted = try caseAt("accepted")
        #expect(issues { try CaseMachine.advance(accepted, kind: kind, to: "notice_printed", data: [:], facts: passingFacts(), override: nil) }
            .map(\.rule) == ["transition"])
        #expect(issues { try CaseMachine.advance(accepted, kind: kind, to: "moon", data: [:], facts: passingFacts(), override: nil) }
            .map(\.rule) == ["transition"])
    }

    @Test func dataIsValidatedAgainstTheTargetStage() throws {
        let state = try caseAt("submitted_online")
        let found = issues {
            try CaseMachine.advance(
                state, kind: kind, to: "materials_delivered",
                data: ["delivered_date": .text("yesterday"), "colour": .text("red")], facts: passingFacts(), override: nil)
        }
        let pairs = Set(found.map { "\($0.field) \($0.rule)" })
        #expect(pairs == ["data.receipt_number required", "data.delivered_date type", "data.colour unknown_field"])
        // A blank required text counts as missing.
        let blank = issues {
            try CaseMachine.advance(
                state, kind: kind, to: "materials_delivered",
                data: ["receipt_number": .text(" "), "delivered_date": .date(date("2026-11-21"))], facts: passingFacts(), override: nil)
        }
        #expect(blank.map(\.rule) == ["required"])
    }

    @Test func everyIssueIsReportedAtOnce() throws {
        var state = try caseAt("employer_ready")
        state = try CaseMachine.hold(state, reason: "client travelling")
        let facts = CaseFacts(today: date("2026-10-01"), companyStatus: .unregistered, checklist: ChecklistResult(items: []), archiveStatus: .verified)
        let found = issues { try CaseMachine.advance(state, kind: kind, to: "account", data: ["x": .bool(true)], facts: facts, override: nil) }
        #expect(Set(found.map(\.rule)) == ["case_status", "unknown_field", "company_activated", "working_days_after"])
    }

    @Test func parsesRawRequestData() throws {
        let stage = try #require(kind.stage("submitted_online"))
        let values = try stage.parseData(["delivery_open_date": .string("2026-11-20"), "points_total": .int(126)])
        #expect(values == ["delivery_open_date": .date(date("2026-11-20")), "points_total": .integer(126)])
        let found = issues { try stage.parseData(["delivery_open_date": .string("2026-13-01"), "points_total": .string("126"), "x": .bool(true)]) }
        #expect(Set(found.map { "\($0.field) \($0.rule)" }) == [
            "data.delivery_open_date type", "data.points_total type", "data.x unknown_field",
        ])
    }

    @Test func anAllDigitReceiptNumberSentAsANumberIsText() throws {
        let stage = try #require(kind.stage("materials_delivered"))
        let values = try stage.parseData(["receipt_number": .int(20260001), "delivered_date": .string("2026-11-20")])
        #expect(values["receipt_number"] == .text("20260001"))
        #expect(issues { try stage.parseData(["delivered_date": .int(20261120)]) }.map(\.rule) == ["type"])
    }
}
