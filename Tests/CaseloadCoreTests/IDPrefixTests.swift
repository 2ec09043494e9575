import CaseloadCore
import Foundation
import Testing

@Suite struct IDPrefixTests {
    @Test("a prefix as lists print it names the range of ids that start with it")
    func bounds() throws {
        let prefix = try #require(IDPrefix("BE880cef"))
        #expect(prefix.text == "be880cef")
        #expect(prefix.lowerBound.uuidString.lowercased() == "be880cef-0000-0000-0000-000000000000")
        #expect(prefix.upperBound.uuidString.lowercased() == "be880cef-ffff-ffff-ffff-ffffffffffff")
        let across = try #require(IDPrefix("be880cef-0d"))
        #expect(across.lowerBound.uuidString.lowercased() == "be880cef-0d00-0000-0000-000000000000")
        #expect(across.upperBound.uuidString.lowercased() == "be880cef-0dff-ffff-ffff-ffffffffffff")
        let id = try #require(UUID(uuidString: "be880cef-0d69-4be9-9aa0-4f3d2b8c1a7e"))
        #expect(prefix.matches(id) && across.matches(id))
        // PostgreSQL orders uuids by their bytes, as their lowercase text sorts.
        let text = id.uuidString.lowercased()
        #expect(prefix.lowerBound.uuidString.lowercased() <= text && text <= prefix.upperBound.uuidString.lowercased())
        #expect(!(try #require(IDPrefix("be880d"))).matches(id))
        // A whole uuid is its own prefix.
        #expect(IDPrefix(id.uuidString)?.lowerBound == id)
    }

    @Test("too short, not hex, a hyphen out of place or too long: not a prefix")
    func refusals() {
        for text in ["", "be880", "be880g", "be880cefd", "be88-0ce", "be880cef-0d69-4be9-9aa0-4f3d2b8c1a7e0", "１２３４５６", "be880cef 0"] {
            #expect(IDPrefix(text) == nil, "\(text)")
        }
    }
}
