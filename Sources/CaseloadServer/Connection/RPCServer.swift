import CaseloadCore
import CaseloadProtocol
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import Synchronization

/// The TCP listener: accepts connections and serves each in its own task. A `Service`, so a
/// ServiceGroup starts it and shuts it down gracefully (stop accepting, drain connections).
public final class RPCServer: Service, Sendable {
    let handler: ConnectionHandler
    let host: String
    let port: Int
    /// TLS for every connection, or nil for plain TCP.
    let tls: NIOSSLContext?
    /// Whether connections start with a PROXY protocol header naming the client.
    let proxyProtocol: Bool
    let logger: Logger
    /// Checks that must pass before the server listens (e.g. the database role is safe).
    let prepare: @Sendable () async throws -> Void
    /// Connections open, against the configured limits.
    public let connectionLimits: ConnectionLimits
    private let bound = Mutex<BoundState>(.waiting([]))

    private enum BoundState {
        case waiting([CheckedContinuation<SocketAddress, any Error>])
        case bound(SocketAddress)
        case failed(any Error)
    }

    init(
        host: String, port: Int, tls: NIOSSLContext? = nil, proxyProtocol: Bool = false, handler: ConnectionHandler, logger: Logger,
        prepare: @escaping @Sendable () async throws -> Void
    ) {
        self.proxyProtocol = proxyProtocol
        self.prepare = prepare
        connectionLimits = ConnectionLimits(
            maximumTotal: handler.limits.maximumConnections, maximumPerAddress: handler.limits.maximumConnectionsPerAddress)
        self.host = host
        self.port = port
        self.tls = tls
        self.handler = handler
        self.logger = logger
    }

    /// The address the server listens on, once it does (useful with port 0).
    public func listeningAddress() async throws -> SocketAddress {
        try await withCheckedThrowingContinuation { continuation in
            let ready: Result<SocketAddress, any Error>? = bound.withLock { state in
                switch state {
                case .waiting(var waiters):
                    waiters.append(continuation)
                    state = .waiting(waiters)
                    return nil
                case .bound(let address): return .success(address)
                case .failed(let error): return .failure(error)
                }
            }
            if let ready { continuation.resume(with: ready) }
        }
    }

    private func settle(_ result: Result<SocketAddress, any Error>) {
        let waiters = bound.withLock { state -> [CheckedContinuation<SocketAddress, any Error>] in
            guard case .waiting(let waiters) = state else { return [] }
            switch result {
            case .success(let a): state = .bound(a)
            case .failure(let e): state = .failed(e)
            }
            return waiters
        }
        for w in waiters { w.resume(with: result) }
    }

    public func run() async throws {
        let limits = handler.limits
        let tls = self.tls
        let proxyProtocol = self.proxyProtocol
        let accepted = AcceptedConnections<LineFrame, ByteBuffer>()
        let connectionLimits = self.connectionLimits
        let budget = InputBudget(limit: limits.inputBudgetBytes)
        let metrics = handler.dispatcher.services.metrics
        let server: NIOAsyncChannel<(AcceptedConnections<LineFrame, ByteBuffer>.Connection, PeerAddress)?, Never>
        do {
            try await prepare()
            server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.backlog, value: 1024)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelOption(.allowRemoteHalfClosure, value: true)
                .bind(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let sync = channel.pipeline.syncOperations
                        let peer = PeerAddress(channel.remoteAddress?.ipAddress ?? "unknown")
                        if proxyProtocol {
                            // Before TLS: the balancer's header precedes the client's handshake.
                            try sync.addHandler(ProxyHeaderHandler(peer: peer))
                        }
                        if let tls {
                            // First, so everything after it sees plaintext. A client that does not
                            // speak TLS fails the handshake and is closed; one that says nothing
                            // is closed by the idle timeout like any other.
                            try sync.addHandler(NIOSSLServerHandler(context: tls))
                            try sync.addHandler(TLSInputCloseHandler())
                        }
                        try sync.addHandler(ConnectionGate(limits: connectionLimits, metrics: metrics, peer: peer, waitForHeader: proxyProtocol))
                        try sync.addHandler(IdleStateHandler(allTimeout: .seconds(limits.idleTimeoutSeconds)))
                        try sync.addHandler(IdleCloseHandler())
                        try sync.addHandler(PartialLineGuard(budget: budget, deadline: .seconds(limits.lineReadSeconds), metrics: metrics))
                        try sync.addHandler(ByteToMessageHandler(LineFrameDecoder(maximumLineLength: limits.maximumLineLength)))
                        try sync.addHandler(MessageToByteHandler(LineFrameEncoder()))
                        return try accepted.wrap(channel).map { ($0, peer) }
                    }
                }
        } catch {
            settle(.failure(error))
            throw error
        }
        let address = server.channel.localAddress!
        settle(.success(address))
        logger.info("listening", metadata: ["address": "\(address)", "tls": "\(tls != nil)", "proxy_protocol": "\(proxyProtocol)"])

        try await withGracefulShutdownHandler {
            try await accepted.acceptLoop(server, connection: \.0) { connection, peer in
                await self.handler.serve(connection, peer: peer)
            }
        } onGracefulShutdown: {
            // Stop accepting; connections drain on their own graceful-shutdown handlers.
            server.channel.close(promise: nil)
        }
        logger.info("stopped listening")
    }
}
