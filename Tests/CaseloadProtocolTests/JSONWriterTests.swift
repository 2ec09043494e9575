import CaseloadProtocol
import Foundation
import Testing

@Suite("JSONWriter writes replies exactly as Foundation's encoder does")
struct JSONWriterTests {
    func foundation(_ value: JSONValue, id: RequestID) throws -> String {
        String(decoding: try WireJSON.encode(RPCResponse(id: id, result: value)), as: UTF8.self)
    }

    func written(_ value: JSONValue, id: RequestID) throws -> String {
        String(decoding: try #require(JSONWriter.result(value, id: id)), as: UTF8.self)
    }

    @Test("strings with every control character, quotes, backslashes, slashes and non-ASCII; keys sorted by their bytes")
    func tricky() throws {
        let controls = String(decoding: (0..<0x20).map { UInt8($0) } + Array("\"\\/é\u{7f}\u{2028}中𝄞".utf8), as: UTF8.self)
        let value: JSONValue = [
            "text": .string(controls), "B": 1, "Z": .null, "_x": false, "a10": [1, "2", .null, true], "a9": .object([:]), "a_b": .array([]),
            "é": .int(Int64.min), "中文": .int(Int64.max), "nested": ["k": ["deeper": .string("line1\nline2\r\nend")]],
        ]
        for id in [RequestID.number(7), .number(-1), .string("q\"\\/\n"), .null] {
            #expect(try written(value, id: id) == foundation(value, id: id))
        }
    }

    @Test("keys alike in their first eight bytes, shorter than eight, or holding zero bytes sort as Foundation sorts them")
    func keyPrefixes() throws {
        let keys = [
            "stage_name_zh", "stage_name_en", "stage_na", "stage_n", "stage_na\u{0}", "stage_na\u{0}x", "stage_na\u{1}", "stage\u{0}\u{0}\u{0}z",
            "", "\u{0}", "a", "a\u{0}", "ab", "é", "e\u{301}x", "中文中文中文", "中文中文中", "\u{7f}\u{7f}\u{7f}\u{7f}\u{7f}\u{7f}\u{7f}\u{7f}\u{80}",
        ]
        var members: [String: JSONValue] = [:]
        for (i, key) in keys.enumerated() { members[key] = .int(Int64(i)) }
        #expect(members.count == keys.count)
        #expect(try written(.object(members), id: .number(1)) == foundation(.object(members), id: .number(1)))
    }

    @Test("random documents come out byte for byte as Foundation writes them")
    func random() throws {
        var generator = SystemRandomNumberGenerator()
        func string() -> String {
            let pool: [Unicode.Scalar] = ["a", "Z", "0", "_", "\"", "\\", "/", "\n", "\u{1}", "\u{1f}", "é", "中", "\u{7f}", " "]
            return String(String.UnicodeScalarView((0..<Int.random(in: 0..<8, using: &generator)).map { _ in pool.randomElement(using: &generator)! }))
        }
        func value(_ depth: Int) -> JSONValue {
            switch Int.random(in: 0..<(depth > 3 ? 4 : 6), using: &generator) {
            case 0: return .null
            case 1: return .bool(Bool.random(using: &generator))
            case 2: return .int(Int64.random(in: Int64.min...Int64.max, using: &generator))
            case 3: return .string(string())
            case 4: return .array((0..<Int.random(in: 0..<4, using: &generator)).map { _ in value(depth + 1) })
            default:
                var members: [String: JSONValue] = [:]
                for _ in 0..<Int.random(in: 0..<5, using: &generator) { members[string()] = value(depth + 1) }
                return .object(members)
            }
        }
        for _ in 0..<300 {
            let v = value(0)
            #expect(try written(v, id: .number(1)) == foundation(v, id: .number(1)))
        }
    }

    @Test("a result holding a double is left to Foundation")
    func doubles() {
        #expect(JSONWriter.result(["x": .double(1.5)], id: .number(1)) == nil)
        #expect(JSONWriter.result([.int(1), .double(0.1)], id: .number(1)) == nil)
    }
}
