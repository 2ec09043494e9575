import CaseloadProtocol
import Foundation
import Testing

@Suite("RPCParser.parseServerLine")
struct ServerLineParsingTests {
    func parseServer(_ line: String) throws -> [RPCServerMessage] {
        try RPCParser.parseServerLine(Data(line.utf8))
    }

    @Test("a response with a result")
    func resultResponse() throws {
        let messages = try parseServer(#"{"jsonrpc":"2.0","id":3,"result":{"ok":true,"items":[1,2]}}"#)
        #expect(messages == [.response(RPCResponse(id: .number(3), result: ["ok": true, "items": [1, 2]]))])
    }

    @Test("a response with an error decodes into RPCError with code, message and data")
    func errorResponse() throws {
        let messages = try parseServer(
            #"{"jsonrpc":"2.0","id":"k","error":{"code":-32005,"message":"Validation failed: x","data":{"errors":[{"field":"x","rule":"checksum","message":"bad"}]}}}"#
        )
        try #require(messages.count == 1)
        guard case .response(let response) = messages[0] else {
            Issue.record("expected a response, got \(messages[0])")
            return
        }
        #expect(response.id == .string("k"))
        #expect(response.result == nil)
        let error = try #require(response.error)
        #expect(error.code == -32005)
        #expect(error.knownCode == .validationFailed)
        #expect(error.message == "Validation failed: x")
        #expect(error.data == ["errors": [["field": "x", "rule": "checksum", "message": "bad"]]])
        #expect(error.fieldRules.map { "\($0.field)/\($0.rule)" } == ["x/checksum"])
    }

    @Test("an error with an unknown code and no data still decodes")
    func unknownCode() throws {
        let messages = try parseServer(#"{"jsonrpc":"2.0","id":null,"error":{"code":-1,"message":"odd"}}"#)
        #expect(messages == [.response(RPCResponse(id: .null, error: RPCError(code: -1, message: "odd")))])
        #expect(RPCError(code: -1, message: "odd").knownCode == nil)
    }

    @Test("a notification: a method and no id")
    func notification() throws {
        let messages = try parseServer(#"{"jsonrpc":"2.0","method":"session.revoked","params":{"reason":"logout"}}"#)
        #expect(messages == [.notification(RPCRequest(id: nil, method: "session.revoked", params: ["reason": "logout"]))])
        guard case .notification(let n)? = messages.first else { return }
        #expect(n.isNotification)
    }

    @Test("an array of responses is returned in order")
    func responseArray() throws {
        let messages = try parseServer(
            #"[{"jsonrpc":"2.0","id":-1,"result":"a"},{"jsonrpc":"2.0","id":-2,"error":{"code":-32601,"message":"Method not found"}},{"jsonrpc":"2.0","id":-3,"result":null}]"#
        )
        #expect(messages == [
            .response(RPCResponse(id: .number(-1), result: "a")),
            .response(RPCResponse(id: .number(-2), error: RPCError(.methodNotFound))),
            .response(RPCResponse(id: .number(-3), result: .null)),
        ])
    }

    @Test("responses encoded by WireJSON read back unchanged", arguments: [
        RPCResponse(id: .number(1), result: ["a": [1, "b", nil, false]]),
        RPCResponse(id: .string("s"), error: RPCError(.conflict, "Stale version", data: ["expected": 3, "actual": 4])),
        RPCResponse(id: .null, error: RPCError(.invalidRequest)),
        RPCResponse(id: .number(.max), result: "x"),
    ])
    func roundTrip(response: RPCResponse) throws {
        #expect(try RPCParser.parseServerLine(WireJSON.encode(response)) == [.response(response)])
    }

    @Test("not JSON, a non-object, or a malformed error object throws", arguments: [
        "garbage", "42", "[1]", #"{"jsonrpc":"2.0","id":1,"error":{"message":"no code"}}"#,
        #"{"jsonrpc":"2.0","id":1,"error":"text"}"#,
    ])
    func malformed(line: String) {
        #expect(throws: (any Error).self) { try parseServer(line) }
    }
}
