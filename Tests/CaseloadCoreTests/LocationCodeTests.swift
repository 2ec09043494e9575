import CaseloadCore
import Testing

@Suite struct LocationCodeTests {
    @Test func validCodesAreNormalised() throws {
        #expect(try LocationCode.parse("A") == "A")
        #expect(try LocationCode.parse(" hq-cab2-d3 ") == "HQ-CAB2-D3")
        #expect(try LocationCode.parse("0123456789ABCDEF") == "0123456789ABCDEF")
        #expect(try LocationCode("box-7").value == "BOX-7")
    }

    @Test func invalidCodesAreRefused() {
        #expect(issue { try LocationCode.parse("") }?.rule == "required")
        #expect(issue { try LocationCode.parse("   ") }?.rule == "required")
        #expect(issue { try LocationCode.parse("0123456789ABCDEFG") }?.rule == "length")
        #expect(issue { try LocationCode.parse("A_1") }?.rule == "format")
        #expect(issue { try LocationCode.parse("A 1") }?.rule == "format")
        #expect(issue { try LocationCode.parse("柜1") }?.rule == "format")
        #expect(issue { try LocationCode.parse("ß") }?.rule == "format", "no Unicode case mapping")
        #expect(issue { try LocationCode.parse("Ａ1") }?.rule == "format", "full-width letters refused")
        #expect(issue { try LocationCode.parse("?", field: "parent_code") }?.field == "parent_code")
    }

    @Test func containment() {
        #expect(LocationKind.canContain(.office, .cabinet))
        #expect(LocationKind.canContain(.office, .box))
        #expect(LocationKind.canContain(.cabinet, .drawer))
        #expect(LocationKind.canContain(.drawer, .box))
        #expect(!LocationKind.canContain(.box, .drawer))
        #expect(!LocationKind.canContain(.cabinet, .office))
        #expect(!LocationKind.canContain(.drawer, .cabinet))
        for kind in LocationKind.allCases { #expect(!kind.canContain(kind), "\(kind) in \(kind)") }
        #expect(!LocationKind.box.canContain(.box))
    }
}
