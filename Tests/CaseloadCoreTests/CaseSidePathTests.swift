import CaseloadCore
import Foundation  // JSONEncoder/JSONDecoder only.
import Testing

@Suite struct CaseSidePathTests {
    let kind = CaseKinds.pointsNew

    func state(at stage: String, status: CaseStatus = .active) -> CaseState {
        CaseState(kind: kind.id, stage: stage, status: status)
    }

    @Test func returnOnlyToAnEarlierStageWithAReason() throws {
        let at = state(at: "verification")
        let back = try CaseMachine.returnTo(at, kind: kind, stage: "information_entered", reason: "diploma scan unreadable")
        #expect(back.stage == "information_entered")
        #expect(back.status == .active)

        #expect(issues { try CaseMachine.returnTo(at, kind: kind, stage: "approved", reason: "r") }.map(\.rule) == ["return"])
        #expect(issues { try CaseMachine.returnTo(at, kind: kind, stage: "verification", reason: "r") }.map(\.rule) == ["return"])
        #expect(issues { try CaseMachine.returnTo(at, kind: kind, stage: "nowhere", reason: "r") }.map(\.rule) == ["return"])
        let noReason = issues { try CaseMachine.returnTo(at, kind: kind, stage: "account", reason: " ") }
        #expect(noReason.map { "\($0.field) \($0.rule)" } == ["reason required"])
        #expect(issues { try CaseMachine.returnTo(state(at: "residence_permit"), kind: kind, stage: "residence_permit", reason: "r") }
            .map(\.rule) == ["return"])
    }

    @Test func returnKeepsRecordedDataUntilReentered() throws {
        var at = state(at: "materials_delivered")
        at.recorded["materials_delivered"] = ["receipt_number": .text("R1"), "delivered_date": .date(date("2026-11-21"))]
        let back = try CaseMachine.returnTo(at, kind: kind, stage: "submitted_online", reason: "materials incomplete")
        let again = try CaseMachine.advance(
            back, kind: kind, to: "materials_delivered",
            data: ["receipt_number": .text("R2"), "delivered_date": .date(date("2026-11-25"))],
            facts: passingFacts(), override: Override(rules: ["not_before_recorded_date"], reason: "test: no open date recorded"))
        #expect(again.state.value("materials_delivered", "receipt_number") == .text("R2"))
    }

    @Test func earlierStagesInRenewalFollowPaths() {
        let renewal = CaseKinds.pointsRenewal
        // From approved, both branches lie behind.
        #expect(renewal.earlierStages(than: "approved").map(\.id) == [
            "information_updated", "submitted", "online_review", "paper_materials", "accepted",
        ])
        // paper_materials is not behind online_review.
        #expect(renewal.earlierStages(than: "online_review").map(\.id) == ["information_updated", "submitted"])
    }

    @Test func holdBlocksAdvanceAndResumeRestores() throws {
        let at = state(at: "account")
        let held = try CaseMachine.hold(at, reason: "waiting for the client's diploma")
        #expect(held.status == .onHold)
        #expect(held.stage == "account")
        let found = issues { try CaseMachine.advance(held, kind: kind, to: "information_entered", data: [:], facts: passingFacts(), override: nil) }
        #expect(found.map(\.rule) == ["case_status"])
        #expect(issues { try CaseMachine.hold(held, reason: "again") }.map(\.rule) == ["case_status"])
        #expect(issues { try CaseMachine.returnTo(held, kind: kind, stage: "residence_permit", reason: "r") }.map(\.rule) == ["case_status"])

        let resumed = try CaseMachine.resume(held)
        #expect(resumed == at)
        #expect(try CaseMachine.advance(resumed, kind: kind, to: "information_entered", data: [:], facts: passingFacts(), override: nil)
            .state.stage == "information_entered")
        #expect(issues { try CaseMachine.resume(resumed) }.map(\.rule) == ["case_status"])
        #expect(issues { try CaseMachine.hold(at, reason: "") }.map(\.rule) == ["required"])
    }

    @Test func withdrawnIsTerminal() throws {
        let withdrawn = try CaseMachine.withdraw(state(at: "verification"), reason: "applicant left the company")
        #expect(withdrawn.status == .withdrawn)
        #expect(withdrawn.status.isTerminal)
        #expect(issues { try CaseMachine.advance(withdrawn, kind: kind, to: "accepted", data: [:], facts: passingFacts(), override: nil) }
            .contains { $0.rule == "case_status" })
        #expect(issues { try CaseMachine.resume(withdrawn) }.map(\.rule) == ["case_status"])
        #expect(issues { try CaseMachine.hold(withdrawn, reason: "r") }.map(\.rule) == ["case_status"])
        #expect(issues { try CaseMachine.withdraw(withdrawn, reason: "r") }.map(\.rule) == ["case_status"])
        #expect(issues { try CaseMachine.returnTo(withdrawn, kind: kind, stage: "account", reason: "r") }.map(\.rule) == ["case_status"])
        #expect(issues { try CaseMachine.record(withdrawn, kind: kind, data: ["education_checked": .bool(true)]) }.map(\.rule) == ["case_status"])
        // An on-hold case may be withdrawn; a withdrawal needs a reason.
        let held = try CaseMachine.hold(state(at: "account"), reason: "r")
        #expect(try CaseMachine.withdraw(held, reason: "client cancelled").status == .withdrawn)
        #expect(issues { try CaseMachine.withdraw(held, reason: "") }.map(\.rule) == ["required"])
    }

    @Test func renewalReturnedByOnlineReviewGoesThroughTheWindow() throws {
        let renewal = CaseKinds.pointsRenewal
        var s = CaseMachine.open(kind: renewal)
        let facts = passingFacts()
        for target in ["submitted", "online_review"] {
            s = try CaseMachine.advance(s, kind: renewal, to: target, data: [:], facts: facts, override: nil).state
        }
        s = try CaseMachine.advance(
            s, kind: renewal, to: "paper_materials",
            data: ["receipt_number": .text("XH-77"), "delivered_date": .date(date("2026-11-03"))], facts: facts, override: nil
        ).state
        for target in ["accepted", "approved", "notice_printed", "closed"] {
            s = try CaseMachine.advance(s, kind: renewal, to: target, data: [:], facts: facts, override: nil).state
        }
        #expect(s.stage == "closed")
        #expect(s.status == .closed)
        #expect(s.value("paper_materials", "receipt_number") == .text("XH-77"))
    }

    @Test func renewalPassingOnlineReviewSkipsTheWindow() throws {
        let renewal = CaseKinds.pointsRenewal
        let s = CaseState(kind: renewal.id, stage: "online_review")
        #expect(try CaseMachine.advance(s, kind: renewal, to: "approved", data: [:], facts: passingFacts(), override: nil).state.stage == "approved")
        #expect(issues { try CaseMachine.advance(s, kind: renewal, to: "accepted", data: [:], facts: passingFacts(), override: nil) }
            .map(\.rule) == ["transition"])
    }

    @Test func wrongKindIsRefused() {
        let renewalCase = CaseState(kind: "points_renewal", stage: "submitted")
        #expect(issues { try CaseMachine.advance(renewalCase, kind: kind, to: "account", data: [:], facts: passingFacts(), override: nil) }
            .contains { $0.rule == "kind" })
    }

    @Test func stateRoundTripsThroughJSON() throws {
        var s = state(at: "verification", status: .onHold)
        s.recorded = ["verification": ["education_checked": .bool(true)], "x": ["n": .integer(3), "t": .text("2026-01-01"), "d": .date(date("2026-01-01"))]]
        let data = try JSONEncoder().encode(s)
        #expect(try JSONDecoder().decode(CaseState.self, from: data) == s)
        #expect(String(decoding: data, as: UTF8.self).contains("\"on_hold\""))
    }
}
