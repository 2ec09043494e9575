import CaseloadCore
import CaseloadProtocol
import NIOCore
import Synchronization

/// Bytes the server holds in unfinished lines, across every connection, against a budget.
///
/// Each connection may buffer up to a whole line (1 MiB by default) before it must send the
/// newline; 300 connections doing that at once held 300 MB. With the budget, the connection
/// whose bytes would go over it is refused instead (`request_too_large`, then closed), and
/// everyone else is unaffected.
public final class InputBudget: Sendable {
    public let limit: Int
    private let used = Atomic<Int>(0)

    public init(limit: Int) {
        self.limit = limit
    }

    /// Bytes held now.
    public var inUse: Int { used.load(ordering: .relaxed) }

    func reserve(_ bytes: Int) -> Bool {
        var current = used.load(ordering: .relaxed)
        while true {
            guard current + bytes <= limit else { return false }
            let (exchanged, original) = used.compareExchange(expected: current, desired: current + bytes, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
    }

    func release(_ bytes: Int) {
        used.subtract(bytes, ordering: .relaxed)
    }
}

/// Watches the unfinished line of one connection, before the line decoder: its bytes count
/// against the shared `InputBudget`, and it must be finished within `deadline` of its first
/// byte. The idle timeout restarts with every byte, so without this a client sending one byte
/// a second (slowloris) kept a connection, and its buffer, forever. Either way the client gets
/// one error line, and the connection closes.
final class PartialLineGuard: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let budget: InputBudget
    private let deadline: TimeAmount
    private let metrics: Metrics
    /// Bytes of the unfinished line, all reserved in the budget.
    private var held = 0
    /// When the unfinished line's first byte arrived.
    private var startedAt: NIODeadline?
    private var timer: Scheduled<Void>?
    private var refused = false

    init(budget: InputBudget, deadline: TimeAmount, metrics: Metrics) {
        self.budget = budget
        self.metrics = metrics
        self.deadline = deadline
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refused else { return }
        let chunk = unwrapInboundIn(data)
        let unfinished: Int
        let lineStarted: Bool
        if let newline = chunk.lastNewline() {
            unfinished = chunk.readableBytes - newline - 1
            lineStarted = unfinished > 0
            release()
        } else {
            unfinished = chunk.readableBytes
            lineStarted = startedAt == nil && unfinished > 0
        }
        guard budget.reserve(unfinished) else {
            return refuse(
                context,
                RPCError(
                    .requestTooLarge, "Request too large: the server holds as many unfinished lines as it can; send shorter lines or try again",
                    zh: "请求过大：服务器暂存的未完成行已达上限；请发送较短的行，或稍后再试",
                    data: ["limit": "input_budget_bytes", "maximum": .int(Int64(budget.limit))]))
        }
        held += unfinished
        if lineStarted {
            startedAt = .now()
            schedule(context)
        } else if held == 0 {
            startedAt = nil
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        release()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        release()
    }

    private func release() {
        budget.release(held)
        held = 0
        startedAt = nil
        timer?.cancel()
        timer = nil
    }

    /// Checks the deadline of the line begun at `startedAt` when it is due.
    private func schedule(_ context: ChannelHandlerContext) {
        timer?.cancel()
        guard let started = startedAt else { return }
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: started + deadline) {
            let (guardian, context) = bound.value
            guardian.timer = nil
            guard let started = guardian.startedAt, !guardian.refused else { return }
            guard NIODeadline.now() >= started + guardian.deadline else { return guardian.schedule(context) }
            let seconds = guardian.deadline.nanoseconds / 1_000_000_000
            guardian.refuse(
                context,
                RPCError(
                    .invalidRequest, "Invalid request: a line must be finished within \(seconds) s of its first byte",
                    zh: "无效的请求：一行须在收到第一个字节后 \(seconds) 秒内发完",
                    data: ["limit": "line_read_seconds", "maximum": .int(seconds)]))
        }
    }

    private func refuse(_ context: ChannelHandlerContext, _ error: RPCError) {
        refused = true
        release()
        metrics.connectionRefused(limit: error.data?["limit"]?.stringValue ?? "line")
        context.writeAndFlush(wrapOutboundOut(.errorLine(error))).whenComplete { [channel = context.channel] _ in channel.close(promise: nil) }
    }
}
