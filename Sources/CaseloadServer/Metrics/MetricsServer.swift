import CaseloadCore
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// A plain-HTTP listener on its own port that answers every GET with the metrics (Prometheus
/// text format). Kept off the JSON-RPC port so a scraper needs no token and clients no route.
struct MetricsServer: Service {
    let host: String
    let port: Int
    let metrics: Metrics
    let logger: Logger

    func run() async throws {
        let accepted = AcceptedConnections<ByteBuffer, ByteBuffer>()
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try accepted.wrap(channel) }
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

    /// Reads the request head (bounded), answers, closes.
    private func answer(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async throws {
        try await connection.executeThenClose { inbound, outbound in
            var head = ByteBuffer()
            for try await chunk in inbound {
                var chunk = chunk
                head.writeBuffer(&chunk)
                if head.readableBytesView.firstRange(of: Array("\r\n\r\n".utf8)) != nil || head.readableBytes > 8192 { break }
            }
            let body = metrics.render()
            let response = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body
            try await outbound.write(ByteBuffer(string: response))
        }
    }
}
