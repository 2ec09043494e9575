import CaseloadCore
import Testing

@Suite struct TalentCenterTransitionTests {
    @Test func allowedMoves() {
        #expect(TalentCenterStatus.unregistered.canMove(to: .registeredOnline))
        #expect(TalentCenterStatus.registeredOnline.canMove(to: .activated))
        #expect(TalentCenterStatus.activated.canMove(to: .changePending))
        #expect(TalentCenterStatus.changePending.canMove(to: .activated))
        for status in TalentCenterStatus.allCases {
            #expect(status.canMove(to: status), "same → same is a no-op")
        }
    }

    @Test func refusedMoves() {
        for status in TalentCenterStatus.allCases where status != .unregistered {
            #expect(!status.canMove(to: .unregistered), "\(status) → unregistered")
        }
        #expect(!TalentCenterStatus.unregistered.canMove(to: .activated))
        #expect(!TalentCenterStatus.registeredOnline.canMove(to: .changePending))
        #expect(!TalentCenterStatus.changePending.canMove(to: .registeredOnline))
    }

    @Test func validateTransitionThrowsWithFieldAndRule() {
        let found = issues { try TalentCenterStatus.validateTransition(from: .activated, to: .unregistered) }
        #expect(found.count == 1)
        #expect(found.first?.field == "talent_center_status")
        #expect(found.first?.rule == "transition")
        #expect(found.first?.message.contains("unregistered") == true)
        #expect(issues { try TalentCenterStatus.validateTransition(from: .registeredOnline, to: .activated) }.isEmpty)
    }
}
