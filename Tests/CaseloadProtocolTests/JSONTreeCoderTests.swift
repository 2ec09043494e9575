import CaseloadProtocol
import Foundation
import Testing

/// The tree coders read and write what Foundation's JSON coders do, without bytes between.
@Suite struct JSONTreeCoderTests {
    struct Inner: Codable, Equatable {
        var label: String
        var weights: [Int]
    }

    struct Sample: Codable, Equatable {
        var id: UUID
        var name: String
        var count: Int
        var small: Int8
        var ratio: Double
        var flag: Bool
        var missing: String?
        var present: String?
        var inner: Inner
        var list: [Inner]
        var byName: [String: Int]
        var when: Date
        var blob: Data
        var link: URL
        var raw: JSONValue
        enum CodingKeys: String, CodingKey {
            case id, name, count, small, ratio, flag, missing, present, inner, list, when, blob, link, raw
            case byName = "by_name"
        }
    }

    static let sample = Sample(
        id: UUID(uuidString: "6F1B1C2E-3A4D-4E5F-8A9B-0C1D2E3F4A5B")!, name: "张三 \u{202E}rtl", count: -9_007_199_254_740_993, small: -128,
        ratio: 0.1, flag: true, missing: nil, present: "x", inner: Inner(label: "a", weights: [1, 2]),
        list: [Inner(label: "b", weights: []), Inner(label: "c", weights: [3])], byName: ["k": 1, "l": 2],
        when: Date(timeIntervalSinceReferenceDate: 812_345_678.5), blob: Data([0, 255, 16]), link: URL(string: "https://example.cn/a?b=c")!,
        raw: ["nested": [1, "two", .null, ["deep": true]]])

    @Test("encoding gives the tree Foundation's bytes parse to; decoding it gives the value back")
    func parityWithFoundation() throws {
        let viaBytes = try WireJSON.decode(JSONValue.self, from: WireJSON.encode(Self.sample))
        let tree = try JSONTreeEncoder().encode(Self.sample)
        #expect(tree == viaBytes)
        #expect(tree["missing"] == nil, "a nil optional is left out")
        #expect(tree["blob"] == "AP8Q")
        #expect(tree["link"] == "https://example.cn/a?b=c")
        #expect(tree["id"] == "6F1B1C2E-3A4D-4E5F-8A9B-0C1D2E3F4A5B")
        #expect(try JSONTreeDecoder().decode(Sample.self, from: tree) == Self.sample)
        #expect(try JSONDecoder().decode(Sample.self, from: WireJSON.encode(tree)) == Self.sample)
    }

    @Test("wide containers and a key encoded twice come out as Foundation writes them")
    func wideContainers() throws {
        // Many members and elements, filled one at a time (each used to copy its container).
        let rows = (0..<3_000).map { Inner(label: "row \($0)", weights: Array(0..<($0 % 7))) }
        let wide = Dictionary(uniqueKeysWithValues: (0..<500).map { ("key\($0)", $0) })
        #expect(try JSONTreeEncoder().encode(rows) == WireJSON.decode(JSONValue.self, from: WireJSON.encode(rows)))
        #expect(try JSONTreeEncoder().encode(wide) == WireJSON.decode(JSONValue.self, from: WireJSON.encode(wide)))

        struct Twice: Encodable {
            enum K: String, CodingKey { case k }
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: K.self)
                try c.encode(1, forKey: .k)
                try c.encode("last", forKey: .k)
            }
        }
        #expect(try JSONTreeEncoder().encode(Twice()) == ["k": "last"])
    }

    @Test("numbers: integral doubles read as integers, fractions and overflow refused, naming the path")
    func numbers() throws {
        struct N: Decodable { var n: Int; var b: Int8? }
        #expect(try JSONTreeDecoder().decode(N.self, from: ["n": .double(3)]).n == 3)
        #expect(throws: DecodingError.self) { try JSONTreeDecoder().decode(N.self, from: ["n": .double(1.5)]) }
        do {
            _ = try JSONTreeDecoder().decode(N.self, from: ["n": 1, "b": 300])
            Issue.record("300 fits no Int8")
        } catch let DecodingError.dataCorrupted(context) {
            #expect(context.codingPath.map(\.stringValue) == ["b"])
        }
        #expect(try JSONTreeDecoder().decode(N.self, from: ["n": 1, "b": .null]).b == nil)
        #expect(throws: EncodingError.self) { try JSONTreeEncoder().encode(["x": Double.nan]) }
        // Scalars are set without a coding path of their own; a refused one still names its path.
        do {
            _ = try JSONTreeEncoder().encode(["outer": [["ok": 1.0, "bad": Double.infinity]]])
            Issue.record("infinity is refused")
        } catch let EncodingError.invalidValue(_, context) {
            #expect(context.codingPath.map(\.stringValue) == ["outer", "Index 0", "bad"])
        }
    }

    @Test("wrong kinds and missing keys are the errors Foundation gives, with the coding path")
    func refusals() throws {
        do {
            _ = try JSONTreeDecoder().decode(Inner.self, from: ["label": 5, "weights": []])
            Issue.record("a number is not a String")
        } catch let DecodingError.typeMismatch(_, context) {
            #expect(context.codingPath.map(\.stringValue) == ["label"])
        }
        do {
            _ = try JSONTreeDecoder().decode(Inner.self, from: ["label": "a"])
            Issue.record("weights is required")
        } catch let DecodingError.keyNotFound(key, _) {
            #expect(key.stringValue == "weights")
        }
        do {
            _ = try JSONTreeDecoder().decode([Inner].self, from: [["label": "a", "weights": ["x"]]])
            Issue.record("weights holds integers")
        } catch let DecodingError.typeMismatch(_, context) {
            #expect(context.codingPath.map(\.stringValue) == ["Index 0", "weights", "Index 0"])
        }
    }

    @Test("a JSONValue member is the subtree itself, at any depth, with no re-parse")
    func subtrees() throws {
        struct Holder: Decodable { var data: JSONValue }
        var deep: JSONValue = "leaf"
        for _ in 0..<600 { deep = .array([deep]) }
        let held = try JSONTreeDecoder().decode(Holder.self, from: ["data": deep])
        #expect(held.data == deep)
    }
}
