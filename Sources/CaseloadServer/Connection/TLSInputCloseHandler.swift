import CaseloadCore
import NIOCore

/// Closes the input of a TLS connection inside the pipeline.
///
/// Graceful shutdown stops reading a connection with `close(mode: .input)` (see
/// `ConnectionHandler`), but the TLS handler refuses that: TLS has no way to stop only the
/// peer's sending. Placed right after the TLS handler, this handler does it instead: from then
/// on decrypted bytes are dropped and the reader sees the end of its input, while replies to
/// requests already read still go out.
final class TLSInputCloseHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var inputClosed = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !inputClosed else { return }
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // The reader has already been told; a second end of input would only confuse it.
        if inputClosed, let event = event as? ChannelEvent, event == .inputClosed { return }
        context.fireUserInboundEventTriggered(event)
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        guard mode == .input else {
            context.close(mode: mode, promise: promise)
            return
        }
        promise?.succeed()
        guard !inputClosed else { return }
        inputClosed = true
        context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
    }
}
