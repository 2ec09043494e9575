import CaseloadProtocol
import Foundation
import Testing

@Suite("JSONValue")
struct JSONValueTests {
    func decode(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    @Test("each JSON kind decodes to its own case; integers stay apart from other numbers")
    func decodeKinds() throws {
        #expect(try decode("null") == .null)
        #expect(try decode("true") == .bool(true))
        #expect(try decode("false") == .bool(false))
        #expect(try decode("0") == .int(0))
        #expect(try decode("1") == .int(1))  // not .bool(true)
        #expect(try decode("-42") == .int(-42))
        #expect(try decode("2.5") == .double(2.5))
        #expect(try decode(#""1""#) == .string("1"))
        #expect(try decode(#""true""#) == .string("true"))
        #expect(try decode(#"[1,true,"x",null]"#) == [1, true, "x", nil])
        #expect(try decode(#"{"a":{"b":[]}}"#) == ["a": ["b": []]])
    }

    @Test("accessors return values only for the matching kind")
    func accessors() {
        let value: JSONValue = ["s": "text", "i": 5, "d": 5.0, "f": 5.5, "b": true, "a": [1], "n": nil]
        #expect(value["s"]?.stringValue == "text")
        #expect(value["i"]?.intValue == 5)
        #expect(value["d"]?.intValue == 5)
        #expect(value["f"]?.intValue == nil)
        #expect(value["b"]?.boolValue == true)
        #expect(value["b"]?.intValue == nil)
        #expect(value["a"]?.arrayValue == [1])
        #expect(value["n"]?.isNull == true)
        #expect(value["missing"] == nil)
        #expect(JSONValue.string("x")["key"] == nil)
        #expect(JSONValue.double(1e300).intValue == nil)
        #expect(value.objectValue?.count == 7)
    }

    @Test("typeName follows JSON Schema")
    func typeNames() {
        #expect([JSONValue.null, true, 1, 1.5, "s", [], [:]].map(\.typeName) == ["null", "boolean", "integer", "number", "string", "array", "object"])
    }

    @Test("WireJSON.string is compact, sorted and does not escape slashes")
    func wireString() {
        #expect(WireJSON.string(["b": 1, "a": ["x/y", nil]]) == #"{"a":["x/y",null],"b":1}"#)
        #expect(WireJSON.string(.double(.nan)) == "null")
    }
}
