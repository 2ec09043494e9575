import CaseloadProtocol
import CaseloadServer
import NIOCore
import Testing

/// `proxy_protocol`: behind a TCP balancer the server limits failed logins per client, not per
/// balancer, because the balancer names the client in a PROXY header.
@Suite("PROXY protocol behind a balancer")
struct ProxyProtocolTests {
    static func v2Header(from address: [UInt8]) -> [UInt8] {
        [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x21, 0x11, 0x00, 0x0C]
            + address + [10, 0, 0, 5, 0xC3, 0x50, 0x1C, 0xFC]
    }

    static func login(_ token: String) -> String {
        #"{"jsonrpc":"2.0","id":1,"method":"auth.login","params":{"token":"\#(token)"}}"# + "\n"
    }

    @Test("failed logins count per client address the balancer names (a valid token still logs in); a connection without a header is closed unanswered")
    func throttlePerClient() async throws {
        let server = try await TestServer.start { configuration in
            configuration.proxyProtocol = true
            configuration.loginPolicy = LoginThrottle.Policy()
            configuration.loginPolicy.freeFailures = 2
            configuration.loginPolicy.limit = 2
        }
        let agency = try await server.database.createAgency()

        // Client 203.0.113.7 (v2 header, split across writes): two wrong tokens, then a third is
        // refused outright; the right token still logs in (only failures are limited).
        try await server.withLines { replies, out async throws in
            let header = Self.v2Header(from: [203, 0, 113, 7])
            try await out.write(ByteBuffer(bytes: header.prefix(10)))
            try await out.write(ByteBuffer(bytes: header.dropFirst(10) + Array(Self.login("cl_wrong").utf8)))
            #expect(try await replies.nextJSON()?["error"]?["code"] == .int(Int64(RPCErrorCode.unauthenticated.rawValue)))
            try await out.send(Self.login("cl_wrong"))
            #expect(try await replies.nextJSON()?["error"]?["code"] == .int(Int64(RPCErrorCode.unauthenticated.rawValue)))
            try await out.send(Self.login("cl_wrong"))
            #expect(try await replies.nextJSON()?["error"]?["code"] == .int(Int64(RPCErrorCode.rateLimited.rawValue)))
            try await out.send(Self.login(agency.token))
            #expect(try await replies.nextJSON()?["result"]?["role"] == "owner")
        }
        // Client 198.51.100.9 through the same balancer (the same TCP address): its failures
        // count for itself, so its first wrong token is not refused.
        try await server.withLines { replies, out async throws in
            try await out.send("PROXY TCP4 198.51.100.9 10.0.0.5 50001 7420\r\n" + Self.login("cl_wrong"))
            #expect(try await replies.nextJSON()?["error"]?["code"] == .int(Int64(RPCErrorCode.unauthenticated.rawValue)))
        }
        // The balancer's own health check (v2 LOCAL) is served.
        try await server.withLines { replies, out async throws in
            let local: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x20, 0x00, 0x00, 0x00]
            try await out.write(ByteBuffer(bytes: local + Array(#"{"jsonrpc":"2.0","id":2,"method":"system.ping"}"#.utf8) + [0x0A]))
            #expect(try await replies.nextJSON()?["result"] == "pong")
        }
        // Someone who bypasses the balancer gets nothing, and cannot pose as a client by
        // sending a header later.
        try await server.withLines { replies, out async throws in
            try await out.send(#"{"jsonrpc":"2.0","id":3,"method":"system.ping"}"# + "\n")
            do { #expect(try await replies.next() == nil) } catch {}  // a reset is as good as a close
        }
        try await server.stop()
    }
}
