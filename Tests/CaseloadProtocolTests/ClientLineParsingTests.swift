import CaseloadProtocol
import Foundation
import Testing

@Suite("RPCParser.parseClientLine: single requests")
struct SingleRequestParsingTests {
    @Test("a request with a string id")
    func stringID() throws {
        let request = try #require(parseClient(#"{"jsonrpc":"2.0","id":"req-1","method":"companies.get","params":{"id":42}}"#).singleRequest)
        #expect(request.id == .string("req-1"))
        #expect(request.method == "companies.get")
        #expect(request.params == .object(["id": .int(42)]))
        #expect(!request.isNotification)
    }

    @Test("a request with an integer id, including ones a Double cannot hold exactly", arguments: [
        (#"1"#, Int64(1)),
        (#"0"#, Int64(0)),
        (#"-7"#, Int64(-7)),
        (#"9007199254740993"#, Int64(9_007_199_254_740_993)),
        (#"9223372036854775807"#, Int64.max),
    ])
    func integerID(literal: String, expected: Int64) throws {
        let request = try #require(parseClient(#"{"jsonrpc":"2.0","id":\#(literal),"method":"ping"}"#).singleRequest)
        #expect(request.id == .number(expected))
        #expect(request.params == nil)
        #expect(!request.isNotification)
    }

    @Test("a request with a null id is a request, not a notification")
    func nullID() throws {
        let request = try #require(parseClient(#"{"jsonrpc":"2.0","id":null,"method":"ping","params":[]}"#).singleRequest)
        #expect(request.id == .null)
        #expect(!request.isNotification)
        #expect(request.params == .array([]))
    }

    @Test("a request without an id is a notification")
    func notification() throws {
        let request = try #require(parseClient(#"{"jsonrpc":"2.0","method":"log","params":[1,"two",true,null]}"#).singleRequest)
        #expect(request.id == nil)
        #expect(request.isNotification)
        #expect(request.method == "log")
        #expect(request.params == .array([.int(1), .string("two"), .bool(true), .null]))
    }

    @Test("extra members are ignored")
    func extraMembers() throws {
        let request = try #require(parseClient(#"{"jsonrpc":"2.0","id":3,"method":"ping","extra":{"x":1}}"#).singleRequest)
        #expect(request == RPCRequest(id: .number(3), method: "ping"))
    }

    @Test("jsonrpc missing or not \"2.0\" is -32600 with a readable id echoed", arguments: [
        (#"{"id":5,"method":"ping"}"#, RequestID.number(5)),
        (#"{"jsonrpc":"1.0","id":"abc","method":"ping"}"#, RequestID.string("abc")),
        (#"{"jsonrpc":2.0,"id":6,"method":"ping"}"#, RequestID.number(6)),
        (#"{"jsonrpc":"2","id":7,"method":"ping"}"#, RequestID.number(7)),
        (#"{"jsonrpc":null,"id":null,"method":"ping"}"#, RequestID.null),
        (#"{"jsonrpc":"1.0","method":"ping"}"#, RequestID.null),
    ])
    func badVersion(line: String, id: RequestID) throws {
        let response = try #require(parseClient(line).singleInvalid)
        #expect(response.id == id)
        #expect(response.error?.code == -32600)
        #expect(response.result == nil)
    }

    @Test("method missing or not a string is -32600 with the id echoed", arguments: [
        #"{"jsonrpc":"2.0","id":9,"method":1}"#,
        #"{"jsonrpc":"2.0","id":9,"method":null}"#,
        #"{"jsonrpc":"2.0","id":9,"method":["ping"]}"#,
        #"{"jsonrpc":"2.0","id":9}"#,
    ])
    func badMethod(line: String) throws {
        let response = try #require(parseClient(line).singleInvalid)
        #expect(response.id == .number(9))
        #expect(response.error?.code == -32600)
    }

    @Test("params that are not an object or an array are -32600 with the id echoed", arguments: [
        #""a string""#, "1", "true", "null",
    ])
    func badParams(params: String) throws {
        let response = try #require(parseClient(#"{"jsonrpc":"2.0","id":"p","method":"ping","params":\#(params)}"#).singleInvalid)
        #expect(response.id == .string("p"))
        #expect(response.error?.code == -32600)
    }

    @Test("an id that is a float, object, array or boolean is -32600 with a null id", arguments: [
        "1.5", "-0.25", "{}", #"{"id":1}"#, "[1]", "true", "123456789012345678901234567890",
    ])
    func badID(id: String) throws {
        let response = try #require(parseClient(#"{"jsonrpc":"2.0","id":\#(id),"method":"ping"}"#).singleInvalid)
        #expect(response.id == .null)
        #expect(response.error?.code == -32600)
    }

    @Test("a single non-object value is -32600 with a null id", arguments: ["1", #""text""#, "null", "true"])
    func nonObject(line: String) throws {
        let response = try #require(parseClient(line).singleInvalid)
        #expect(response.id == .null)
        #expect(response.error?.code == -32600)
    }

    @Test("a line that is not JSON is rejected with -32700 and a null id", arguments: [
        "hello", #"{"jsonrpc":"2.0","id":1,"method":"ping""#, "{'jsonrpc':'2.0'}", "", "   ", "[1,,2]", #"{"a":1}{"b":2}"#, "NaN",
        "[1] x", "{jsonrpc:1}", "// comment\n{}",
    ])
    func notJSON(line: String) throws {
        let response = try #require(parseClient(line).rejected)
        #expect(response.id == .null)
        #expect(response.error?.code == -32700)
        #expect(response.error?.knownCode == .parseError)
    }
}

@Suite("RPCParser.parseClientLine: batches")
struct BatchParsingTests {
    @Test("an empty array is rejected with -32600 and a null id")
    func emptyBatch() throws {
        for line in ["[]", " [ ] "] {
            let response = try #require(parseClient(line).rejected)
            #expect(response.id == .null)
            #expect(response.error?.code == -32600)
        }
    }

    @Test("a mixed batch keeps every entry in order, the bad ones as -32600")
    func mixedBatch() throws {
        let line = """
            [{"jsonrpc":"2.0","id":1,"method":"a","params":{"k":"v"}},\
            {"jsonrpc":"2.0","method":"b"},\
            1,\
            {"jsonrpc":"1.0","id":"x","method":"c"},\
            {"jsonrpc":"2.0","id":"last","method":"d"}]
            """
        let entries = try #require(parseClient(line).batchEntries)
        try #require(entries.count == 5)

        #expect(entries[0].request == RPCRequest(id: .number(1), method: "a", params: ["k": "v"]))

        let notification = try #require(entries[1].request)
        #expect(notification.isNotification)
        #expect(notification.method == "b")

        let one = try #require(entries[2].invalid)
        #expect(one.id == .null)
        #expect(one.error?.code == -32600)

        let oldVersion = try #require(entries[3].invalid)
        #expect(oldVersion.id == .string("x"))
        #expect(oldVersion.error?.code == -32600)

        #expect(entries[4].request == RPCRequest(id: .string("last"), method: "d"))
    }

    @Test("a batch of one is still a batch, not a single")
    func batchOfOne() throws {
        let entries = try #require(parseClient(#"[{"jsonrpc":"2.0","id":1,"method":"a"}]"#).batchEntries)
        #expect(entries == [.request(RPCRequest(id: .number(1), method: "a"))])
    }

    @Test("a nested batch element is -32600, not a nested batch")
    func nestedBatch() throws {
        let entries = try #require(parseClient(#"[[{"jsonrpc":"2.0","id":1,"method":"a"}]]"#).batchEntries)
        try #require(entries.count == 1)
        #expect(entries[0].invalid?.error?.code == -32600)
        #expect(entries[0].invalid?.id == .null)
    }

    @Test("a batch of exactly maximumBatchSize is accepted")
    func batchAtLimit() throws {
        let line = "[" + (1...3).map { #"{"jsonrpc":"2.0","id":\#($0),"method":"m"}"# }.joined(separator: ",") + "]"
        let entries = try #require(parseClient(line, maximumBatchSize: 3).batchEntries)
        #expect(entries.map { $0.request?.id } == [.number(1), .number(2), .number(3)])
    }

    @Test("a batch larger than maximumBatchSize is rejected whole with -32007 and data.maximum")
    func batchTooLarge() throws {
        let line = "[" + (1...4).map { #"{"jsonrpc":"2.0","id":\#($0),"method":"m"}"# }.joined(separator: ",") + "]"
        let response = try #require(parseClient(line, maximumBatchSize: 3).rejected)
        #expect(response.id == .null)
        let error = try #require(response.error)
        #expect(error.code == -32007)
        #expect(error.knownCode == .requestTooLarge)
        #expect(error.data?["maximum"] == .int(3))
        #expect(error.data?["limit"] == .string("maximum_batch_size"))
    }

    @Test("the size limit is checked before the elements: an oversize batch of junk is still -32007")
    func batchTooLargeOfJunk() throws {
        let response = try #require(parseClient("[1,2,3]", maximumBatchSize: 2).rejected)
        #expect(response.error?.code == -32007)
        #expect(response.error?.data?["maximum"] == .int(2))
    }
}

@Suite("RPCParser.parseClientLine: hostile numbers and nesting")
struct HostileInputParsingTests {
    @Test("1e400 does not crash: the line is either a parse error or a parsed request")
    func hugeExponent() throws {
        let incoming = parseClient(#"{"jsonrpc":"2.0","id":1,"method":"m","params":[1e400]}"#)
        switch incoming {
        case .rejected(let response):
            #expect(response.error?.code == -32700)
            #expect(response.id == .null)
        case .single(.request(let request)):
            #expect(request.id == .number(1))
        default:
            Issue.record("unexpected outcome \(incoming)")
        }
    }

    @Test("an integer too large for Int64 is parsed as a double, not truncated")
    func hugeInteger() throws {
        let request = try #require(parseClient(#"{"jsonrpc":"2.0","id":1,"method":"m","params":[123456789012345678901234567890,-9223372036854775809]}"#).singleRequest)
        let params = try #require(request.params?.arrayValue)
        try #require(params.count == 2)
        guard case .double(let big) = params[0], case .double(let small) = params[1] else {
            Issue.record("expected doubles, got \(params)")
            return
        }
        #expect(big == 123456789012345678901234567890.0)
        #expect(small == -9223372036854775809.0)
        #expect(params[0].intValue == nil)  // far beyond the exact-integer range
    }

    @Test("512 levels of nested arrays parse (as a one-element batch of an invalid entry), in milliseconds of CPU")
    func nesting512() throws {
        let line = nestedArrays(depth: 512)
        let cpuBefore = Self.threadCPUSeconds()
        let entries = try #require(parseClient(line).batchEntries)
        // CPU time of this thread, not wall time, so a loaded machine does not move it. The line
        // (1 KiB) once cost ~3 s of CPU to read into a JSONValue.
        #expect(Self.threadCPUSeconds() - cpuBefore < 0.25)
        try #require(entries.count == 1)
        #expect(entries[0].invalid?.error?.code == -32600)
    }

    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    @Test("512 levels of nested objects inside params parse")
    func nestedObjectsInParams() throws {
        // The request object itself is one level, params another: 510 more `{"a":` levels make 512.
        let inner = String(repeating: #"{"a":"#, count: 510) + "1" + String(repeating: "}", count: 510)
        let request = try #require(parseClient(#"{"jsonrpc":"2.0","id":1,"method":"m","params":{"a":\#(inner)}}"#).singleRequest)
        var value = try #require(request.params)
        var depth = 0
        while let next = value["a"] {
            value = next
            depth += 1
        }
        #expect(depth == 511)
        #expect(value == .int(1))
    }

    @Test("much deeper nesting is a clean -32700, not a crash", arguments: [513, 10_000, 100_000])
    func deepNesting(depth: Int) throws {
        let response = try #require(parseClient(nestedArrays(depth: depth)).rejected)
        #expect(response.error?.code == -32700)
        #expect(response.id == .null)
    }

    @Test("deep nesting that never closes is a clean -32700")
    func unclosedNesting() throws {
        let response = try #require(parseClient(String(repeating: "[", count: 50_000)).rejected)
        #expect(response.error?.code == -32700)
    }
}
