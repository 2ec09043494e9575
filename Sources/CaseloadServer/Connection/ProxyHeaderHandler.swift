import CaseloadCore
import CaseloadProtocol
import NIOCore
import Synchronization

/// The client's address as the server should see it: the connection's own, or the one a load
/// balancer named in a PROXY protocol header.
public final class PeerAddress: Sendable {
    private let value: Mutex<String>

    public init(_ address: String) { value = Mutex(address) }

    public var address: String { value.withLock { $0 } }

    func set(_ address: String) { value.withLock { $0 = address } }
}

/// First in the pipeline when `proxy_protocol` is on: reads the PROXY header (v1 or v2) the
/// balancer sends before anything else, records the client address it names in `peer`, and
/// passes every byte after it on unchanged. A connection that does not start with a valid
/// header is closed: it did not come through the balancer, and its bytes must not be
/// trusted as a header later.
final class ProxyHeaderHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let peer: PeerAddress
    private var buffered: ByteBuffer?
    private var done = false

    init(peer: PeerAddress) { self.peer = peer }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        guard !done else { return context.fireChannelRead(data) }
        if var earlier = buffered {
            earlier.writeBuffer(&bytes)
            bytes = earlier
        }
        switch ProxyHeader.parse(bytes.readableBytesView) {
        case .incomplete:
            guard bytes.readableBytes < ProxyHeader.maximumLength else { return refuse(context) }
            buffered = bytes
        case .invalid:
            refuse(context)
        case .header(let source, let length):
            done = true
            buffered = nil
            if let source { peer.set(source) }
            context.fireUserInboundEventTriggered(PeerKnown())
            bytes.moveReaderIndex(forwardBy: length)
            if bytes.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(bytes)) }
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
    }

    private func refuse(_ context: ChannelHandlerContext) {
        buffered = nil
        context.close(promise: nil)
    }
}
