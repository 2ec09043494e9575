import CaseloadProtocol
import CaseloadServer
import Foundation
import NIOCore
import Synchronization
import Testing

/// The limits that keep one client from taking the server's memory or attention from the
/// others: connections per address and in all, a deadline for finishing a line, a budget for
/// unfinished lines across connections, and `rpc.discover`'s amplification. `make soak` runs
/// the attacks at size (SoakAttackTests).
@Suite("Resource limits that hold")
struct ResourceLimitTests {
    static func server(_ configure: @escaping (inout ServerConfiguration) -> Void) async throws -> TestServer {
        try await TestServer.start(database: try await TestServer.shared().database) { configuration in
            configure(&configuration)
        }
    }

    static let ping = #"{"jsonrpc":"2.0","id":"p","method":"system.ping"}"# + "\n"

    @Test("past the per-address limit a connection gets one rate_limited line and is closed; closing one frees a place")
    func connectionsPerAddress() async throws {
        let server = try await Self.server { $0.limits.maximumConnectionsPerAddress = 3 }
        // Three connections, each served (a pong proves it was admitted), held open until released.
        let release = Latch()
        let (served, servedOne) = AsyncStream.makeStream(of: Bool.self)
        let holders = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        try await server.withLines { replies, out async throws in
                            try await out.send(Self.ping)
                            servedOne.yield(try await replies.nextJSON()?["result"] == "pong")
                            await release.wait()
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        var pongs = 0
        for await ok in served {
            if ok { pongs += 1 }
            if pongs == 3 { break }
        }
        #expect(server.app.server.connectionLimits.open(from: "127.0.0.1").address == 3)
        try await server.withLines { replies, out async throws in
            let refusal = try #require(try await replies.nextJSON())
            #expect(refusal["error"]?["code"] == .int(Int64(RPCErrorCode.rateLimited.rawValue)))
            #expect(refusal["error"]?["data"]?["limit"] == "max_connections_per_address")
            #expect(try await replies.next() == nil, "closed after the refusal")
        }
        release.open()
        try await holders.value
        var left = server.app.server.connectionLimits.open(from: "127.0.0.1").address
        for _ in 0..<100 where left > 0 {
            try await Task.sleep(for: .milliseconds(50))
            left = server.app.server.connectionLimits.open(from: "127.0.0.1").address
        }
        #expect(left == 0, "places are given back")
        try await server.withLines { replies, out async throws in
            try await out.send(Self.ping)
            #expect(try await replies.nextJSON()?["result"] == "pong")
        }
        try await server.stop()
    }

    @Test("a line not finished within line_read_seconds of its first byte closes the connection (slowloris); whole lines sent slowly are fine")
    func slowLine() async throws {
        let server = try await Self.server { $0.limits.lineReadSeconds = 2 }
        let started = ContinuousClock.now
        try await server.withLines { replies, out async throws in
            // A whole line every 0.8 s keeps the connection: each line is finished in time.
            for _ in 0..<4 {
                try await out.send(Self.ping)
                #expect(try await replies.nextJSON()?["result"] == "pong")
                try await Task.sleep(for: .milliseconds(800))
            }
            // One byte at a time keeps the idle timer from firing, but the line is due two
            // seconds after its first byte. (The trickle stops well before that: bytes sent
            // after the server closed would make the reply a reset.)
            for byte in Self.ping.utf8.prefix(3) {
                try await out.write(ByteBuffer(bytes: [byte]))
                try await Task.sleep(for: .milliseconds(100))
            }
            let refusal = try #require(try await replies.nextJSON())
            #expect(refusal["error"]?["data"]?["limit"] == "line_read_seconds")
            #expect(try await replies.next() == nil)
        }
        #expect(ContinuousClock.now - started < .seconds(30), "closed near the deadline, not at the idle timeout")
        try await server.stop()
    }

    @Test("unfinished lines share a budget: the connection that would go over it is refused, the others are served")
    func inputBudget() async throws {
        let server = try await Self.server {
            $0.limits.inputBudgetBytes = 2 << 20
            $0.limits.maximumLineLength = 1 << 20
        }
        // A ping whose long id is not finished yet.
        let pad = ByteBuffer(bytes: Array(#"{"jsonrpc":"2.0","method":"system.ping","id":""#.utf8) + [UInt8](repeating: 0x61, count: 900_000))
        // Two connections hold 900 KB unfinished lines each, until released; then they finish them.
        let release = Latch()
        let (holding, heldOne) = AsyncStream.makeStream(of: Void.self)
        let holders = Task {
            try await withThrowingTaskGroup(of: JSONValue?.self) { group in
                for _ in 0..<2 {
                    group.addTask {
                        try await server.withLines { replies, out async throws in
                            try await out.write(pad)
                            heldOne.yield()
                            await release.wait()
                            try await out.send(#""}"# + "\n")
                            return try await replies.nextJSON()?["result"]
                        }
                    }
                }
                var results: [JSONValue?] = []
                for try await result in group { results.append(result) }
                return results
            }
        }
        var held = 0
        for await _ in holding {
            held += 1
            if held == 2 { break }
        }
        try await Task.sleep(for: .milliseconds(500))  // their bytes have reached the server
        try await server.withLines { replies, out async throws in
            try await out.write(pad)
            let refusal = try #require(try await replies.nextJSON())
            #expect(refusal["error"]?["code"] == .int(Int64(RPCErrorCode.requestTooLarge.rawValue)))
            #expect(refusal["error"]?["data"]?["limit"] == "input_budget_bytes")
        }
        // Short lines still pass, and the first two connections finish their lines.
        try await server.withLines { replies, out async throws in
            try await out.send(Self.ping)
            #expect(try await replies.nextJSON()?["result"] == "pong")
        }
        release.open()
        let finished = try await holders.value
        #expect(finished == ["pong", "pong"], "\(finished)")
        try await server.stop()
    }

    @Test("rpc.discover: the document from one buffer, once per batch, limited per address before login and not after")
    func discover() async throws {
        let server = try await Self.server { $0.limits.discoverPerMinuteBeforeLogin = 2 }
        let agency = try await server.database.createAgency()
        try await server.withClient { c async throws in
            let document = try await c.call("rpc.discover")
            #expect(document["methods"]?.arrayValue?.count == server.app.registry.all.count)
            _ = try await c.call("rpc.discover")
            let limited = await expectRPCError(.rateLimited) { _ = try await c.call("rpc.discover") }
            #expect(limited?.data?["limit"] == "discover_per_minute")
            #expect((limited?.data?["retry_after_seconds"]?.intValue ?? 0) > 0)
            _ = try await c.call("auth.login", ["token": .string(agency.token)])
            #expect(try await c.call("rpc.discover") == document, "logged in: not limited, the same document")
            let replies = try await c.batch([("rpc.discover", nil), ("system.ping", nil), ("rpc.discover", nil)])
            #expect(replies.count == 3)
            #expect(replies[0].result == document)
            #expect(replies[1].result == "pong")
            #expect(replies[2].error?.code == RPCErrorCode.rateLimited.rawValue)
            #expect(replies[2].error?.data?["limit"] == "discover_per_batch")
        }
        try await server.stop()
    }
}

/// Opened once; every waiter then goes on (polls: for tests only).
final class Latch: Sendable {
    private let opened = Atomic<Bool>(false)

    func open() { opened.store(true, ordering: .releasing) }

    func wait() async {
        while !opened.load(ordering: .acquiring) { try? await Task.sleep(for: .milliseconds(20)) }
    }
}
