import CaseloadProtocol
import Foundation
import Logging
import NIOCore
import ServiceLifecycle

/// Serves one client connection: reads lines, runs up to `maximumInFlightPerConnection`
/// requests at once, and writes each reply as soon as it is ready (replies are matched by
/// id, so they may overtake each other).
///
/// A request that changes the session (`auth.login`) runs alone: nothing read after it
/// starts before it finishes. On graceful shutdown the connection stops reading, finishes
/// what is in flight, writes the replies and closes.
struct ConnectionHandler: Sendable {
    let dispatcher: Dispatcher
    let limits: ServerConfiguration.Limits
    let logger: Logger

    func serve(_ channel: NIOAsyncChannel<LineFrame, ByteBuffer>) async {
        let session = Session()
        do {
            try await channel.executeThenClose { inbound, outbound in
                let (replies, sink) = AsyncStream<ByteBuffer>.makeStream()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    // One writer, so replies from concurrent requests never interleave.
                    group.addTask {
                        for await reply in replies { try await outbound.write(reply) }
                    }
                    await withGracefulShutdownHandler {
                        await read(inbound, session: session, into: sink)
                    } onGracefulShutdown: {
                        channel.channel.close(mode: .input, promise: nil)
                    }
                    sink.finish()
                    try await group.waitForAll()
                }
            }
        } catch {
            logger.debug("connection ended with error", metadata: ["error_type": "\(type(of: error))"])
        }
    }

    private func read(_ inbound: NIOAsyncChannelInboundStream<LineFrame>, session: Session, into sink: AsyncStream<ByteBuffer>.Continuation)
        async
    {
        await withTaskGroup(of: Void.self) { requests in
            var inFlight = 0
            do {
                for try await frame in inbound {
                    guard case .line(let line) = frame else {
                        // Too long: say so, then stop reading; the connection closes.
                        let error = RPCError(
                            .requestTooLarge, "Request too large: a line may be at most \(limits.maximumLineLength) bytes",
                            data: ["limit": "maximum_line_length", "maximum": .int(Int64(limits.maximumLineLength))])
                        if let reply = dispatcher.encode(RPCResponse(id: .null, error: error)) { sink.yield(reply) }
                        break
                    }
                    let incoming = RPCParser.parseClientLine(Data(line.readableBytesView), maximumBatchSize: limits.maximumBatchSize)
                    if dispatcher.changesSession(incoming) {
                        while inFlight > 0, await requests.next() != nil { inFlight -= 1 }
                        if let reply = await dispatcher.reply(to: incoming, session: session) { sink.yield(reply) }
                        continue
                    }
                    if inFlight >= limits.maximumInFlightPerConnection {
                        // Back-pressure: stop reading until a slot frees.
                        _ = await requests.next()
                        inFlight -= 1
                    }
                    inFlight += 1
                    requests.addTask {
                        if let reply = await dispatcher.reply(to: incoming, session: session) { sink.yield(reply) }
                    }
                }
            } catch {
                logger.debug("read failed", metadata: ["error_type": "\(type(of: error))"])
            }
            await requests.waitForAll()
        }
    }
}

/// Closes a connection that has had no traffic for the idle timeout.
final class IdleCloseHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
