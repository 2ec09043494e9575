import CaseloadClient
import CaseloadProtocol
import CaseloadServer
import CaseloadStorage
import Foundation
import Logging
import NIOCore
import Testing

/// Keys for personal data, one set per test run (every server of the run shares them).
let testKeys = PIICipher.generateKeys(keyID: "test1")

/// A real server on a free loopback port, built by the same `Application` the binary uses.
final class TestServer: Sendable {
    let app: Application
    let port: Int
    let database: TestDatabase
    private let task: Task<Void, any Error>

    private init(app: Application, port: Int, database: TestDatabase, task: Task<Void, any Error>) {
        self.app = app
        self.port = port
        self.database = database
        self.task = task
    }

    /// Starts a server on `database` (a fresh one when nil); `logger` receives everything the
    /// server logs (tests that inspect logs pass a capturing one).
    static func start(
        database: TestDatabase? = nil, logger: Logger = TestDatabase.logger, configure: (inout ServerConfiguration) -> Void = { _ in }
    ) async throws -> TestServer {
        let database = if let database { database } else { try await TestDatabase.migrated() }
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.databaseURL = "\(database.serverURL)"
        configuration.piiKey = testKeys.piiKey
        configuration.piiLookupKey = testKeys.lookupKey
        // Every test connects from 127.0.0.1; failed-login tests must not slow the others.
        configuration.loginPolicy.freeFailures = 10_000
        configuration.loginPolicy.limit = 10_000
        // Likewise the per-address limits: every test client is 127.0.0.1.
        configuration.limits.discoverPerMinuteBeforeLogin = 100_000
        configuration.limits.maximumConnectionsPerAddress = configuration.limits.maximumConnections
        configure(&configuration)
        let app = try Application(configuration: configuration, logger: logger)
        let task = Task { try await app.run() }
        let address = try await app.server.listeningAddress()
        return TestServer(app: app, port: try #require(address.port), database: database, task: task)
    }

    /// The one server most tests share; each test makes its own agencies, so they don't collide.
    static let shared = Task {
        // Every suite shares this server, so a failure here fails them all: say exactly why
        // (postgres-nio's own description hides details), and ride out one slow start on a
        // loaded machine.
        var lastError: (any Error)?
        for _ in 0..<3 {
            do { return try await TestServer.start() } catch {
                lastError = error
                try await Task.sleep(for: .seconds(1))
            }
        }
        throw SetupFailed(description: "shared test server did not start: \(String(reflecting: lastError!))")
    }

    struct SetupFailed: Error, CustomStringConvertible {
        var description: String
    }

    static func shared() async throws -> TestServer { try await shared.value }

    /// Graceful shutdown; returns what `run()` ended with.
    func stop() async throws {
        await app.shutdown()
        try await task.value
    }

    /// A client connection, logged in with `token` when given.
    @discardableResult
    func withClient<T: Sendable>(token: String? = nil, _ body: (RPCClient) async throws -> T) async throws -> T {
        try await RPCClient.withConnection(host: "127.0.0.1", port: port) { client in
            if let token { _ = try await client.call("auth.login", ["token": .string(token)]) }
            return try await body(client)
        }
    }

    /// A raw connection: replies come as lines, but what the test sends goes out byte for
    /// byte (include the `\n`), for sending what a well-behaved client never would.
    func withLines<T: Sendable>(_ body: (inout NIOAsyncChannelInboundStream<LineFrame>.AsyncIterator, NIOAsyncChannelOutboundWriter<ByteBuffer>) async throws -> T)
        async throws -> T
    {
        let channel = try await LineChannel.connect(host: "127.0.0.1", port: port, rawOutbound: true)
        return try await channel.executeThenClose { inbound, outbound in
            var iterator = inbound.makeAsyncIterator()
            return try await body(&iterator, outbound)
        }
    }
}

extension NIOAsyncChannelInboundStream<LineFrame>.AsyncIterator {
    /// The next line as JSON, or nil when the server closed the connection.
    mutating func nextJSON() async throws -> JSONValue? {
        guard let frame = try await next() else { return nil }
        guard case .line(let line) = frame else { Issue.record("unexpected frame \(frame)"); return nil }
        return try JSONDecoder().decode(JSONValue.self, from: Data(line.readableBytesView))
    }
}

extension NIOAsyncChannelOutboundWriter<ByteBuffer> {
    func send(_ text: String) async throws {
        try await write(ByteBuffer(string: text))
    }
}

/// Expects `body` to fail with an RPC error of `code`; returns it.
@discardableResult
func expectRPCError(_ code: RPCErrorCode, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void) async -> RPCError? {
    do {
        try await body()
        Issue.record("expected error \(code.name), got success", sourceLocation: sourceLocation)
        return nil
    } catch let error as RPCError {
        #expect(error.code == code.rawValue, "expected \(code.name), got \(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected RPC error \(code.name), got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
