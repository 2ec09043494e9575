import CaseloadProtocol
import Foundation
import NIOCore
import Testing

@Suite("JSON-RPC over real TCP")
struct ProtocolTests {
    @Test("a batch answers every request in order and leaves out the notification")
    func batchWithNotification() async throws {
        let server = try await TestServer.shared()
        try await server.withLines { replies, out async throws in
            try await out.send(
                #"[{"jsonrpc":"2.0","id":"a","method":"system.ping"},{"jsonrpc":"2.0","method":"system.ping"},{"jsonrpc":"2.0","id":7,"method":"no.such"},1]"#
                    + "\n")
            let reply = try #require(try await replies.nextJSON()?.arrayValue)
            #expect(reply.count == 3)
            #expect(reply[0]["id"] == "a")
            #expect(reply[0]["result"] == "pong")
            #expect(reply[1]["id"] == 7)
            #expect(reply[1]["error"]?["code"] == -32601)
            #expect(reply[2]["id"] == .null)
            #expect(reply[2]["error"]?["code"] == -32600)
            // A line holding only notifications gets no reply at all: the next line's reply comes next.
            try await out.send(#"[{"jsonrpc":"2.0","method":"system.ping"}]"# + "\n" + #"{"jsonrpc":"2.0","id":2,"method":"system.ping"}"# + "\n")
            #expect(try await replies.nextJSON()?["id"] == 2)
        }
    }

    @Test("concurrent requests on one connection are answered as they finish, matched by id")
    func outOfOrder() async throws {
        let server = try await TestServer.shared()
        try await server.withLines { replies, out async throws in
            try await out.send(
                #"{"jsonrpc":"2.0","id":1,"method":"system.ping","params":{"delay_ms":600}}"# + "\n"
                    + #"{"jsonrpc":"2.0","id":2,"method":"system.ping"}"# + "\n")
            #expect(try await replies.nextJSON()?["id"] == 2)
            #expect(try await replies.nextJSON()?["id"] == 1)
        }
        // The client library matches them too.
        try await server.withClient { client async throws in
            async let slow = client.call("system.ping", ["delay_ms": 300])
            async let fast = client.call("system.version")
            let (s, f) = try await (slow, fast)
            #expect(s == "pong")
            #expect(f["protocol"] == "1")
        }
    }

    @Test("malformed lines get the right error and the connection carries on")
    func malformedLines() async throws {
        let server = try await TestServer.shared()
        try await server.withLines { replies, out async throws in
            try await out.send("not json\n")
            var r = try #require(try await replies.nextJSON())
            #expect(r["error"]?["code"] == -32700)
            #expect(r["id"] == .null)

            var bytes = ByteBuffer(string: #"{"jsonrpc":"2.0","id":1,"method":"system.ping","params":{"x":""#)
            bytes.writeBytes([0xFF, 0xFE])
            bytes.writeString("\"}}\n")
            try await out.write(bytes)
            r = try #require(try await replies.nextJSON())
            #expect(r["error"]?["code"] == -32700)

            try await out.send(#"{"jsonrpc":"1.0","id":3,"method":"system.ping"}"# + "\n")
            r = try #require(try await replies.nextJSON())
            #expect(r["error"]?["code"] == -32600)
            #expect(r["id"] == 3)

            try await out.send("[]\n")
            #expect(try await replies.nextJSON()?["error"]?["code"] == -32600)

            try await out.send(#"{"jsonrpc":"2.0","id":4,"method":"system.ping","params":[1]}"# + "\n")
            #expect(try await replies.nextJSON()?["error"]?["code"] == -32602)

            // Blank lines are ignored; CRLF works; a reply still comes for the next good line.
            try await out.send("\n  \r\n" + #"{"jsonrpc":"2.0","id":5,"method":"system.ping"}"# + "\r\n")
            r = try #require(try await replies.nextJSON())
            #expect(r["id"] == 5)
            #expect(r["result"] == "pong")
        }
    }

    @Test("a line split across writes is read whole")
    func splitWrites() async throws {
        let server = try await TestServer.shared()
        try await server.withLines { replies, out async throws in
            for part in [#"{"jsonrpc":"2.0","#, #""id":9,"method":"sys"#, #"tem.ping"}"#, "\n"] {
                try await out.send(part)
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(try await replies.nextJSON()?["id"] == 9)
        }
    }

    @Test("an oversize line is answered with request_too_large and closes only that connection")
    func oversizeLine() async throws {
        let server = try await TestServer.shared()
        try await server.withClient { bystander async throws in
            try await server.withLines { replies, out async throws in
                let huge = String(repeating: "x", count: (1 << 20) + 10)
                try await out.send(#"{"jsonrpc":"2.0","id":1,"method":"system.ping","params":{"pad":""# + huge + "\"}}\n")
                let r = try #require(try await replies.nextJSON())
                #expect(r["error"]?["code"] == -32007)
                #expect(r["error"]?["data"]?["limit"] == "maximum_line_length")
                #expect(try await replies.next() == nil)  // closed
            }
            #expect(try await bystander.call("system.ping") == "pong")
        }
    }

    @Test("a last line without a newline is answered when the client half-closes (printf | nc)")
    func halfClose() async throws {
        let server = try await TestServer.shared()
        try await server.withLines { replies, out async throws in
            try await out.send(#"{"jsonrpc":"2.0","id":"last","method":"system.ping"}"#)
            out.finish()
            #expect(try await replies.nextJSON()?["id"] == "last")
            #expect(try await replies.next() == nil)
        }
    }

    @Test("a batch over the limit is refused as a whole")
    func batchTooLarge() async throws {
        let server = try await TestServer.shared()
        try await server.withLines { replies, out async throws in
            let one = #"{"jsonrpc":"2.0","id":1,"method":"system.ping"}"#
            try await out.send("[" + Array(repeating: one, count: 101).joined(separator: ",") + "]\n")
            let r = try #require(try await replies.nextJSON())
            #expect(r["error"]?["code"] == -32007)
            #expect(r["error"]?["data"]?["maximum"] == 100)
        }
    }

    @Test("a request past the deadline gets deadline_exceeded")
    func deadline() async throws {
        let server = try await TestServer.start(database: try await TestServer.shared().database) { $0.limits.requestDeadlineSeconds = 1 }
        try await server.withClient { client async throws in
            // The delay far past the deadline: a loaded machine may wake the deadline's timer late.
            await expectRPCError(.deadlineExceeded) { _ = try await client.call("system.ping", ["delay_ms": 10_000]) }
            #expect(try await client.call("system.ping") == "pong")
        }
        try await server.stop()
    }

    @Test("an idle connection is closed after the idle timeout")
    func idleTimeout() async throws {
        let server = try await TestServer.start(database: try await TestServer.shared().database) { $0.limits.idleTimeoutSeconds = 1 }
        try await server.withLines { replies, _ async throws in
            let started = ContinuousClock.now
            #expect(try await replies.next() == nil)
            #expect(ContinuousClock.now - started < .seconds(20))  // 1 s timeout; generous for a loaded machine
        }
        try await server.stop()
    }

    @Test("graceful shutdown finishes in-flight requests, then refuses new connections")
    func gracefulShutdown() async throws {
        let server = try await TestServer.start(database: try await TestServer.shared().database)
        try await server.withLines { replies, out async throws in
            try await out.send(#"{"jsonrpc":"2.0","id":1,"method":"system.ping","params":{"delay_ms":2000}}"# + "\n")
            // Stop only once the request is in the server's hands (a loaded machine can take seconds).
            try await server.untilRequestsInFlight()
            async let stopped: Void = server.stop()
            let r = try await replies.nextJSON()
            #expect(r?["result"] == "pong")
            #expect(try await replies.next() == nil)
            try await stopped
        }
        await #expect(throws: (any Error).self) {
            try await server.withClient { try await $0.call("system.ping") }
        }
    }
}
