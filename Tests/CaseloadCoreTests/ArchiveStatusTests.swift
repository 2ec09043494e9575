import CaseloadCore
import Testing

@Suite struct ArchiveStatusTests {
    @Test func allowedMoves() {
        #expect(ArchiveStatus.unknown.canMove(to: .located))
        #expect(ArchiveStatus.located.canMove(to: .retrievalRequested))
        #expect(ArchiveStatus.retrievalRequested.canMove(to: .atTalentCenter))
        #expect(ArchiveStatus.atTalentCenter.canMove(to: .verified))
        // Already at the talent center: no retrieval needed.
        #expect(ArchiveStatus.unknown.canMove(to: .atTalentCenter))
        #expect(ArchiveStatus.located.canMove(to: .atTalentCenter))
        for status in ArchiveStatus.allCases { #expect(status.canMove(to: status)) }
    }

    @Test func refusedMoves() {
        #expect(ArchiveStatus.verified.allowedNext.isEmpty, "verified is final")
        #expect(!ArchiveStatus.unknown.canMove(to: .retrievalRequested), "cannot ask an unknown holder")
        #expect(!ArchiveStatus.unknown.canMove(to: .verified))
        #expect(!ArchiveStatus.located.canMove(to: .verified))
        #expect(!ArchiveStatus.retrievalRequested.canMove(to: .verified))
        // Nothing goes backwards.
        let order = ArchiveStatus.allCases
        for (i, from) in order.enumerated() {
            for to in order[..<i] { #expect(!from.canMove(to: to), "\(from) → \(to)") }
        }
    }

    @Test func validateTransitionMessage() {
        let found = issue { try ArchiveStatus.validateTransition(from: .located, to: .verified) }
        #expect(found?.field == "status")
        #expect(found?.rule == "transition")
        #expect(found?.message.contains("retrieval_requested") == true)
        #expect(found?.message.contains("at_talent_center") == true)
        let final = issue { try ArchiveStatus.validateTransition(from: .verified, to: .unknown) }
        #expect(final?.message.contains("final") == true)
        #expect(issue { try ArchiveStatus.validateTransition(from: .unknown, to: .located) } == nil)
    }

    @Test func archiveRecord() throws {
        let start = PersonnelArchive()
        #expect(issue { try start.moving(to: .located) }?.field == "holder_type", "located needs a holder")
        var found = start
        found.holderType = .university
        found.holderName = "复旦大学"
        let located = try found.moving(to: .located)
        let requested = try located.moving(to: .retrievalRequested)
        let arrived = try requested.moving(to: .atTalentCenter)
        #expect(arrived.holderName == "复旦大学", "keeps where it came from")
        #expect(try arrived.moving(to: .verified).status == .verified)
        #expect(try PersonnelArchive().moving(to: .atTalentCenter).status == .atTalentCenter)
        #expect(issue { try arrived.moving(to: .located) }?.rule == "transition")
    }

    @Test func namesAndParsing() throws {
        for type in ArchiveHolderType.allCases { #expect(!type.chineseName.isEmpty) }
        for status in ArchiveStatus.allCases { #expect(!status.chineseName.isEmpty) }
        #expect(ArchiveHolderType.districtEmploymentAgency.rawValue == "district_employment_agency")
        #expect(try ArchiveStatus.parse("retrieval_requested") == .retrievalRequested)
        #expect(issue { try ArchiveStatus.parse("lost") }?.rule == "enum")
        #expect(try ArchiveHolderType.parse("other_province_center") == .otherProvinceCenter)
    }
}
