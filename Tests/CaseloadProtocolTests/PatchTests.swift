import CaseloadProtocol
import Foundation
import Testing

/// A `Patch` field tells absent (keep) from null (clear) from a value, read by the tree
/// decoder and by Foundation's alike, and `keysRead` counts it as an optional key.
@Suite struct PatchTests {
    struct Change: Decodable, Sendable {
        var id: Int
        var note: Patch<String>
        var count: Patch<Int>
    }

    func tree(_ json: String) throws -> JSONValue { try #require(JSONValue.parse(Data(json.utf8))) }

    func both(_ json: String) throws -> [Change] {
        let tree = try tree(json)
        return [try JSONTreeDecoder().decode(Change.self, from: tree), try JSONDecoder().decode(Change.self, from: Data(json.utf8))]
    }

    @Test("absent, null and a value decode as three different things, and apply as keep, clear and set")
    func threeStates() throws {
        for change in try both(#"{"id": 1, "note": null, "count": 3}"#) {
            guard case .null = change.note, case .value(3) = change.count else { Issue.record("decoded \(change)"); continue }
            #expect(change.note.applied(to: "old") == nil)
            #expect(change.count.applied(to: 9) == 3)
        }
        for change in try both(#"{"id": 1}"#) {
            guard case .absent = change.note, case .absent = change.count else { Issue.record("decoded \(change)"); continue }
            #expect(change.note.applied(to: "old") == "old")
            #expect(!change.note.isPresent)
        }
    }

    @Test("a value of the wrong type is refused, not taken as absent")
    func wrongType() throws {
        let json = #"{"id": 1, "count": "three"}"#
        #expect(throws: DecodingError.self) { try JSONTreeDecoder().decode(Change.self, from: try tree(json)) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Change.self, from: Data(json.utf8)) }
    }

    @Test("keysRead counts a patch field as optional and the plain one as required")
    func keys() throws {
        let read = try JSONTreeDecoder().keysRead(by: Change.self, decoding: try tree(#"{"id": 1, "note": "x", "count": 2}"#))
        #expect(read.required == ["id"])
        #expect(read.optional == ["note", "count"])
    }
}
