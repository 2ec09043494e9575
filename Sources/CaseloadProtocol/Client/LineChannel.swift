import NIOCore
import NIOPosix

/// A TCP connection that exchanges lines: the transport under `RPCClient`, and what tests
/// use to send raw bytes.
public enum LineChannel {
    public typealias Channel = NIOAsyncChannel<LineFrame, ByteBuffer>

    /// Connects to `host:port`. Inbound is always split into lines; outbound writes get a
    /// `\n` appended unless `rawOutbound` (tests that send partial or malformed lines).
    public static func connect(
        host: String,
        port: Int,
        maximumLineLength: Int = 64 << 20,
        rawOutbound: Bool = false,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> Channel {
        try await ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineFrameDecoder(maximumLineLength: maximumLineLength)))
                    if !rawOutbound {
                        try channel.pipeline.syncOperations.addHandler(MessageToByteHandler(LineFrameEncoder()))
                    }
                    // Finishing the writer half-closes the connection, so a client can say
                    // "that was my last line" and still read the replies.
                    return try Channel(
                        wrappingChannelSynchronously: channel,
                        configuration: .init(isOutboundHalfClosureEnabled: true))
                }
            }
    }
}

extension ByteBuffer {
    /// The buffer's readable bytes as a (possibly invalid) UTF-8 string, for logs and tests.
    public var utf8String: String { String(decoding: readableBytesView, as: UTF8.self) }
}
