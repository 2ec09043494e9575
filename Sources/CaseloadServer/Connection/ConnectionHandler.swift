import CaseloadCore
import CaseloadProtocol
import Foundation
import Logging
import NIOCore
import ServiceLifecycle

/// Serves one client connection: reads lines, runs up to `maximumInFlightPerConnection`
/// requests at once (a batch counts each of its requests), and writes each reply as soon as
/// it is ready (replies are matched by id, so they may overtake each other).
///
/// A request that changes the session (`auth.login`) runs alone: nothing read after it
/// starts before it finishes. On graceful shutdown the connection stops reading, finishes
/// what is in flight, writes the replies and closes.
struct ConnectionHandler: Sendable {
    let dispatcher: Dispatcher
    let limits: ServerConfiguration.Limits
    let logger: Logger

    /// Serves `channel`; `peer` is the client's address (the balancer's header may set it
    /// after the connection opened, but always before its first line).
    func serve(_ channel: NIOAsyncChannel<LineFrame, ByteBuffer>, peer: PeerAddress) async {
        // Server-initiated lines (watch events) queue here and are written between replies;
        // a watcher that stops reading loses the oldest, never the server's memory.
        let (pushes, pushQueue) = AsyncStream.makeStream(of: ByteBuffer.self, bufferingPolicy: .bufferingNewest(1024))
        let session = Session(peer: peer) { pushQueue.yield($0) }
        dispatcher.services.metrics.connectionOpened()
        defer {
            dispatcher.services.events.removeAll(session: ObjectIdentifier(session))
            dispatcher.services.metrics.connectionClosed()
        }
        do {
            try await channel.executeThenClose { inbound, outbound in
                await withTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await line in pushes { try? await outbound.write(line) }
                    }
                    await withGracefulShutdownHandler {
                        await read(inbound, session: session, replyingTo: outbound)
                    } onGracefulShutdown: {
                        channel.channel.close(mode: .input, promise: nil)
                    }
                    pushQueue.finish()
                }
            }
        } catch {
            logger.debug("connection ended with error", metadata: ["error_type": "\(type(of: error))"])
        }
    }

    /// How many in-flight slots a line takes: one per request, so a batch cannot run
    /// `maximumBatchSize` handlers in one slot.
    private func weight(_ incoming: RPCIncoming) -> Int {
        if case .batch(let entries) = incoming { return min(max(entries.count, 1), limits.maximumInFlightPerConnection) }
        return 1
    }

    /// Reads lines and runs them. A request's slot is freed only once its reply is written,
    /// so a client that sends without reading stalls itself (the channel stops being
    /// writable, writes wait, reading stops) instead of growing the server's memory.
    private func read(
        _ inbound: NIOAsyncChannelInboundStream<LineFrame>, session: Session, replyingTo outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) async {
        @Sendable func send(_ reply: ByteBuffer?) async {
            guard let reply else { return }
            // Each reply is one whole line, so concurrent writes never interleave within a line.
            try? await outbound.write(reply)
        }
        await withTaskGroup(of: Int.self) { requests in
            var inFlight = 0
            do {
                for try await frame in inbound {
                    guard case .line(let line) = frame else {
                        // Too long: say so, then stop reading; the connection closes.
                        let error = RPCError(
                            .requestTooLarge, "Request too large: a line may be at most \(limits.maximumLineLength) bytes",
                            zh: "请求过大：一行最多 \(limits.maximumLineLength) 字节",
                            data: ["limit": "maximum_line_length", "maximum": .int(Int64(limits.maximumLineLength))])
                        // In the session's language: a logged-in user reads it as they read every error.
                        await send(dispatcher.encode(Dispatcher.localized(RPCResponse(id: .null, error: error), to: session.language)))
                        break
                    }
                    let incoming = RPCParser.parseClientLine(Data(line.readableBytesView), maximumBatchSize: limits.maximumBatchSize)
                    if dispatcher.changesSession(incoming) {
                        while let done = await requests.next() { inFlight -= done }
                        await send(await dispatcher.reply(to: incoming, session: session))
                        continue
                    }
                    let needed = weight(incoming)
                    while inFlight > 0, inFlight + needed > limits.maximumInFlightPerConnection, let done = await requests.next() {
                        // Back-pressure: stop reading until enough slots free.
                        inFlight -= done
                    }
                    inFlight += needed
                    requests.addTask {
                        await send(await dispatcher.reply(to: incoming, session: session))
                        return needed
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
