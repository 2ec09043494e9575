import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import Synchronization

/// An HTTP/1.1 listener on its own port that answers `GET /metrics` (and `/`) with the metrics
/// in Prometheus' text format. Kept off the JSON-RPC port so a scraper needs no token and
/// clients no route.
///
/// NIO's HTTP/1 codec reads the request (bounded head, malformed requests answered 400 by its
/// error handler). Every connection is bounded in time: closed when silent for
/// `readTimeout`, and after `connectionLifetime` whatever it does, so a silent or trickling
/// client holds nothing for long; and at most `maximumConnections` are open at once.
struct MetricsServer: Service {
    let host: String
    let port: Int
    let metrics: Metrics
    let logger: Logger
    var readTimeout: TimeAmount = .seconds(5)
    var connectionLifetime: TimeAmount = .seconds(15)
    var maximumConnections = 64

    typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    func run() async throws {
        let accepted = AcceptedConnections<HTTPServerRequestPart, HTTPServerResponsePart>()
        let open = Atomic<Int>(0)
        let (readTimeout, lifetime, maximum) = (readTimeout, connectionLifetime, maximumConnections)
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture { () throws -> Connection? in
                    guard open.add(1, ordering: .relaxed).newValue <= maximum else {
                        open.subtract(1, ordering: .relaxed)
                        channel.close(promise: nil)
                        return nil
                    }
                    let closeAtEnd = channel.eventLoop.scheduleTask(in: lifetime) { channel.close(promise: nil) }
                    channel.closeFuture.whenComplete { _ in
                        open.subtract(1, ordering: .relaxed)
                        closeAtEnd.cancel()
                    }
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(IdleStateHandler(readTimeout: readTimeout))
                    try sync.addHandler(IdleCloseHandler())
                    try sync.configureHTTPServerPipeline(withErrorHandling: true)
                    return try accepted.wrap(channel)
                }
            }
        logger.info("metrics listening", metadata: ["address": "\(server.channel.localAddress.map { "\($0)" } ?? "?")"])
        try await withGracefulShutdownHandler {
            try await accepted.acceptLoop(server, connection: { $0 }) { connection in
                try? await answer(connection)
            }
        } onGracefulShutdown: {
            server.channel.close(promise: nil)
        }
    }

    /// Answers the connection's requests (keep-alive as the client asks) until it closes.
    private func answer(_ connection: Connection) async throws {
        try await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            for try await part in inbound {
                switch part {
                case .head(let h): head = h
                case .body: continue
                case .end:
                    guard let request = head else { continue }
                    head = nil
                    try await respond(to: request, outbound)
                    if !request.isKeepAlive { return }
                }
            }
        }
    }

    private func respond(to request: HTTPRequestHead, _ outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws {
        let path = request.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.uri
        let status: HTTPResponseStatus
        var body = ByteBuffer()
        switch (request.method, path) {
        case (.GET, "/metrics"), (.GET, "/"), (.HEAD, "/metrics"), (.HEAD, "/"):
            status = .ok
            if request.method == .GET { body.writeBytes(metrics.renderBytes()) }
        case (_, "/metrics"), (_, "/"):
            status = .methodNotAllowed
        default:
            status = .notFound
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: status == .ok ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain; charset=utf-8")
        headers.add(name: "Content-Length", value: "\(body.readableBytes)")
        if status == .methodNotAllowed { headers.add(name: "Allow", value: "GET, HEAD") }
        headers.add(name: "Connection", value: request.isKeepAlive ? "keep-alive" : "close")
        try await outbound.write(.head(HTTPResponseHead(version: request.version, status: status, headers: headers)))
        if body.readableBytes > 0 { try await outbound.write(.body(.byteBuffer(body))) }
        try await outbound.write(.end(nil))
    }
}
