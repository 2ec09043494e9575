import CaseloadProtocol
import NIOCore
import NIOPosix
import NIOSSL

/// A TCP connection that exchanges lines: the transport under `RPCClient`, and what tests
/// use to send raw bytes.
public enum LineChannel {
    public typealias Channel = NIOAsyncChannel<LineFrame, ByteBuffer>

    /// Connects to `host:port`. Inbound is always split into lines; outbound writes get a
    /// `\n` appended unless `rawOutbound` (tests that send partial or malformed lines).
    /// With `tls`, returns once the handshake has verified the server, or throws `TLSFailure`.
    public static func connect(
        host: String,
        port: Int,
        tls: ClientTLS? = nil,
        maximumLineLength: Int = 64 << 20,
        rawOutbound: Bool = false,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> Channel {
        let (channel, handshake) = try await ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture { () -> (Channel, EventLoopFuture<Void>?) in
                    let sync = channel.pipeline.syncOperations
                    var handshake: EventLoopFuture<Void>?
                    if let tls {
                        let name = tls.verifiedName(dialling: host)
                        let done = channel.eventLoop.makePromise(of: Void.self)
                        handshake = done.futureResult
                        let tlsHandler = try NIOSSLClientHandler(context: tls.context, serverHostname: name)
                        try sync.addHandler(tlsHandler)
                        try sync.addHandler(
                            TLSHandshakeHandler(done: done, timeout: tls.handshakeTimeout, tlsHandler: tlsHandler, dnsName: name, name: name ?? host))
                    }
                    try sync.addHandler(ByteToMessageHandler(LineFrameDecoder(maximumLineLength: maximumLineLength)))
                    if !rawOutbound {
                        try sync.addHandler(MessageToByteHandler(LineFrameEncoder()))
                    }
                    // Finishing the writer half-closes the connection, so a client can say
                    // "that was my last line" and still read the replies.
                    let wrapped = try Channel(
                        wrappingChannelSynchronously: channel,
                        configuration: .init(isOutboundHalfClosureEnabled: true))
                    return (wrapped, handshake)
                }
            }
        if let handshake {
            do { try await handshake.get() } catch {
                // Through executeThenClose: it finishes the writer, which must not just be dropped.
                try? await channel.executeThenClose { _, _ in }
                throw error
            }
        }
        return channel
    }
}
