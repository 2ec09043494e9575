import CaseloadProtocol
import Foundation
import Testing

@Suite("Wire encoding of requests, responses and errors")
struct EncodingTests {
    @Test("a success response is one line: jsonrpc 2.0, id, result, and no error")
    func successResponse() throws {
        let response = RPCResponse(id: .number(7), result: ["text": "line1\nline2\r\nend", "path": "a/b", "n": 1])
        let data = try WireJSON.encode(response)
        #expect(!data.contains(UInt8(ascii: "\n")))
        #expect(!data.contains(UInt8(ascii: "\r")))
        #expect(
            String(decoding: data, as: UTF8.self)
                == #"{"id":7,"jsonrpc":"2.0","result":{"n":1,"path":"a/b","text":"line1\nline2\r\nend"}}"#
        )
        let object = try #require(try wireValue(response).objectValue)
        #expect(Set(object.keys) == ["jsonrpc", "id", "result"])
        #expect(object["jsonrpc"] == .string("2.0"))
    }

    @Test("an error response carries error and never result; data is omitted when nil")
    func errorResponse() throws {
        let response = RPCResponse(id: .string("q"), error: RPCError(.notFound))
        let object = try #require(try wireValue(response).objectValue)
        #expect(Set(object.keys) == ["jsonrpc", "id", "error"])
        #expect(object["jsonrpc"] == .string("2.0"))
        #expect(object["id"] == .string("q"))
        #expect(object["error"] == .object(["code": .int(-32003), "message": .string("Not found")]))
    }

    @Test("a result of null is still sent as \"result\":null, not dropped")
    func nullResult() throws {
        #expect(try wireString(RPCResponse(id: .number(1), result: .null)) == #"{"id":1,"jsonrpc":"2.0","result":null}"#)
    }

    @Test("a response to an unreadable request carries \"id\":null explicitly")
    func nullIDResponse() throws {
        let response = RPCResponse(id: .null, error: RPCError(.parseError))
        #expect(try wireString(response) == #"{"error":{"code":-32700,"message":"Parse error: the line is not valid UTF-8 JSON"},"id":null,"jsonrpc":"2.0"}"#)
    }

    @Test("a notification encodes without an id key, and without params when there are none")
    func notificationEncoding() throws {
        let bare = RPCRequest(id: nil, method: "session.ping")
        #expect(try wireString(bare) == #"{"jsonrpc":"2.0","method":"session.ping"}"#)

        let withParams = RPCRequest(id: nil, method: "log", params: ["level": "info"])
        let object = try #require(try wireValue(withParams).objectValue)
        #expect(Set(object.keys) == ["jsonrpc", "method", "params"])
    }

    @Test("a request with a null id keeps \"id\":null (it is not a notification)")
    func nullIDRequest() throws {
        #expect(try wireString(RPCRequest(id: .null, method: "m")) == #"{"id":null,"jsonrpc":"2.0","method":"m"}"#)
    }

    @Test("requests round-trip through WireJSON and parseClientLine", arguments: [
        RPCRequest(id: .number(1), method: "a"),
        RPCRequest(id: .string("x-1"), method: "b", params: ["nested": ["list": [1, 2.5, "s", nil, true]]]),
        RPCRequest(id: .null, method: "c", params: []),
        RPCRequest(id: nil, method: "d", params: ["k": "v"]),
        RPCRequest(id: .number(.min), method: "e"),
    ])
    func requestRoundTrip(request: RPCRequest) throws {
        let data = try WireJSON.encode(request)
        #expect(!data.contains(UInt8(ascii: "\n")))
        let parsed = try #require(RPCParser.parseClientLine(data, maximumBatchSize: 1).singleRequest)
        #expect(parsed == request)
    }

    @Test("CJK and other non-ASCII text survives a round trip (escaped or not)")
    func cjkRoundTrip() throws {
        let name = "上海示例科技有限公司"
        let request = RPCRequest(
            id: .string("编号-1"),
            method: "companies.create",
            params: ["name": .string(name), "note": "한국어・日本語 👩‍💻 \u{2028} é", "地址": "北京市"]
        )
        let data = try WireJSON.encode(request)
        #expect(!data.contains(UInt8(ascii: "\n")))
        let parsed = try #require(RPCParser.parseClientLine(data, maximumBatchSize: 1).singleRequest)
        #expect(parsed == request)
        #expect(parsed.params?["name"]?.stringValue == name)
        #expect(parsed.params?["地址"] == .string("北京市"))

        let response = RPCResponse(id: .string("编号-1"), result: ["name": .string(name)])
        let messages = try RPCParser.parseServerLine(try WireJSON.encode(response))
        #expect(messages == [.response(response)])
    }

    @Test("a batch of requests encodes as one JSON array line")
    func batchEncoding() throws {
        let batch = [RPCRequest(id: .number(-1), method: "a"), RPCRequest(id: .number(-2), method: "b")]
        let data = try WireJSON.encode(batch)
        #expect(!data.contains(UInt8(ascii: "\n")))
        let entries = try #require(RPCParser.parseClientLine(data, maximumBatchSize: 2).batchEntries)
        #expect(entries == batch.map { .request($0) })
    }

    @Test("RPCError.invalidParams puts data.errors[i].field/rule/message, and fieldRules reads them back")
    func invalidParamsData() throws {
        let error = RPCError.invalidParams([
            (field: "name", rule: "required", message: "Name is required"),
            (field: "credit_code", rule: "checksum", message: "The check digit does not match"),
        ])
        #expect(error.code == -32602)
        #expect(error.message == "Invalid params")
        let errors = try #require(error.data?["errors"]?.arrayValue)
        try #require(errors.count == 2)
        #expect(errors[0]["field"] == .string("name"))
        #expect(errors[0]["rule"] == .string("required"))
        #expect(errors[0]["message"] == .string("Name is required"))
        #expect(errors[1]["field"] == .string("credit_code"))
        #expect(errors[1]["rule"] == .string("checksum"))
        #expect(errors[1]["message"] == .string("The check digit does not match"))
        #expect(error.fieldRules.map { "\($0.field)/\($0.rule)" } == ["name/required", "credit_code/checksum"])

        // The same after a trip over the wire, as a client sees it.
        let line = try WireJSON.encode(RPCResponse(id: .number(3), error: error))
        let messages = try RPCParser.parseServerLine(line)
        guard case .response(let response)? = messages.first, let received = response.error else {
            Issue.record("expected an error response, got \(messages)")
            return
        }
        #expect(received == error)
        #expect(received.fieldRules.map { "\($0.field)/\($0.rule)" } == ["name/required", "credit_code/checksum"])
    }

    @Test("RPCError.validationFailed uses -32005 and names the first field in its message")
    func validationFailedData() throws {
        let error = RPCError.validationFailed([
            (field: "id_number", rule: "checksum", message: "bad check digit"),
            (field: "birth_date", rule: "date", message: "not a date"),
        ])
        #expect(error.code == -32005)
        #expect(error.message == "Validation failed: id_number: bad check digit")
        #expect(error.fieldRules.map(\.field) == ["id_number", "birth_date"])
        #expect(RPCError.validationFailed([]).message == "Validation failed")
    }

    @Test("fieldRules is empty without data and skips entries missing field or rule")
    func fieldRulesLenient() {
        #expect(RPCError(.invalidParams).fieldRules.isEmpty)
        let error = RPCError(.invalidParams, data: ["errors": [["field": "a"], ["rule": "r"], ["field": "f", "rule": "r"], "junk"]])
        #expect(error.fieldRules.map { "\($0.field)/\($0.rule)" } == ["f/r"])
    }
}
