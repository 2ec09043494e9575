import CaseloadProtocol
import Foundation
import Testing

@Suite("JSONSyntax: strict RFC 8259 before Foundation's decoder")
struct JSONSyntaxTests {
    func valid(_ text: String) -> Bool { JSONSyntax.isValid(Data(text.utf8)) }

    @Test(
        "JSON texts are accepted",
        arguments: [
            "1", "-0", "0.5e-3", "1E+2", #""a\"\\\/\b\f\n\r\t\u00e9\uD83D\uDE00""#, "true", "false", "null", "[]", "{}", " [1, [2, {}], {\"a\": []}] ",
            "\t{\"a\":{\"b\":[null,true]}}\r", "\u{FEFF}{}", #""张伟 😀""#, #"{"a":1,"a":2}"#, "1e-400", "1.7976931348623157e308",
            "123456789012345678901234567890", "-9223372036854775809", "\"\u{7F}\u{10FFFF}\"",
        ])
    func accepted(text: String) {
        #expect(valid(text), "\(text.debugDescription) is JSON")
    }

    @Test(
        "text that is not JSON is refused, including what Foundation's decoder lets through",
        arguments: [
            "", " ", "[1,]", "{\"a\":1,}", "[[1,],]", "1\u{0}", "[1]\u{0}", "01", "-", "1.", ".5", "+1", "1e", "0x1", "NaN", "Infinity", "tru", "nul",
            "'a'", "{a:1}", "[1 2]", "{\"a\" 1}", "{\"a\":}", "{,}", "[,1]", "[1,,2]", "\"a", "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"", "\"a\u{1}\"",
            "\"tab\tinside\"", "[", "]", "{", "}", "1 2", "[]]", "\u{FEFF}\u{FEFF}1", "\u{C}1", "/* c */1", "1e400", "-1e400", "[1.8e308]",
            String(repeating: "9", count: 400), #""\ud800""#, #""\udc00""#, #""\ud800\u0041""#, #""\ud800\n""#,
            // What the decoder lets through when it is the value of a repeated key, which it skips:
            #"{"a":1,"a":"\ud800"}"#, #"{"a":1,"a":1e400}"#,
        ])
    func refused(text: String) {
        #expect(!valid(text), "\(text.debugDescription) is not JSON")
    }

    @Test(
        "invalid UTF-8 is refused wherever it is",
        arguments: [
            [0xFF], [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF0, 0x80, 0x80, 0x80], [0xF4, 0x90, 0x80, 0x80],
            [0xF5, 0x80, 0x80, 0x80], [0xE4, 0xB8], [0x80], [0xE4, 0xB8, 0x41],
        ] as [[UInt8]])
    func invalidUTF8(sequence: [UInt8]) {
        let inString = Array(#"{"a":1,"a":""#.utf8) + sequence + Array(#""}"#.utf8)
        #expect(!JSONSyntax.isValid(Data(inString)))
        #expect(!JSONSyntax.isValid(Data([0x22] + sequence + [0x22])))
        #expect(JSONSyntax.isValid(Data([0x22, 0xE4, 0xB8, 0xAD, 0xF0, 0x9F, 0x98, 0x80, 0xDF, 0xBF, 0xEF, 0xBF, 0xBF, 0x22])))
    }

    @Test("nesting up to 512 passes, deeper is refused however it ends")
    func depth() {
        #expect(valid(String(repeating: "[", count: 512) + String(repeating: "]", count: 512)))
        #expect(valid(String(repeating: #"{"a":"#, count: 511) + "[1]" + String(repeating: "}", count: 511)))
        for depth in [513, 514, 10_000] {
            #expect(!valid(String(repeating: "[", count: depth) + String(repeating: "]", count: depth)))
            #expect(!valid(String(repeating: "[", count: depth)))
        }
    }

    @Test("exactly 513 `[` is a clean parse_error (Foundation's decoder traps on it)")
    func fiveHundredThirteenBrackets() {
        let response = parseClient(String(repeating: "[", count: 513)).rejected
        #expect(response?.error?.code == -32700)
        #expect(response?.id == .null)
        #expect(throws: (any Error).self) { try RPCParser.parseServerLine(Data(String(repeating: "[", count: 513).utf8)) }
        #expect(throws: (any Error).self) { try WireJSON.decode([Int].self, from: Data(String(repeating: "[", count: 513).utf8)) }
    }

    @Test("a request with a trailing comma is a parse error, not a call")
    func trailingCommaRequest() {
        #expect(parseClient(#"{"jsonrpc":"2.0","id":1,"method":"system.ping",}"#).rejected?.error?.code == -32700)
        #expect(parseClient(#"[{"jsonrpc":"2.0","id":1,"method":"system.ping"},]"#).rejected?.error?.code == -32700)
        #expect(parseClient(#"{"jsonrpc":"2.0","id":1,"method":"system.ping"}"# + "\u{0}").rejected?.error?.code == -32700)
    }
}
