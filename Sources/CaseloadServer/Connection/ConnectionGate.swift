import CaseloadCore
import CaseloadProtocol
import NIOCore
import Synchronization

/// How many connections are open, in all and per client address, against their limits.
///
/// Without limits a single host could open connections until the process ran out of memory
/// (19,985 were accepted in one test, 1 GB of RSS never returned). A connection over either
/// limit is answered with one `rate_limited` error line and closed before it is served.
public final class ConnectionLimits: Sendable {
    public let maximumTotal: Int
    public let maximumPerAddress: Int
    private let state = Mutex<(total: Int, perAddress: [String: Int])>((0, [:]))

    public init(maximumTotal: Int, maximumPerAddress: Int) {
        self.maximumTotal = maximumTotal
        self.maximumPerAddress = maximumPerAddress
    }

    /// Takes a place for a connection from `address`, or says which limit is full.
    func admit(_ address: String) -> RPCError? {
        state.withLock { s in
            if s.total >= maximumTotal {
                return Self.refusal(
                    "the server has its maximum of \(maximumTotal) connections", "服务器的连接数已达上限 \(maximumTotal)", limit: "max_connections", maximumTotal)
            }
            let mine = s.perAddress[address, default: 0]
            if mine >= maximumPerAddress {
                return Self.refusal(
                    "your address has its maximum of \(maximumPerAddress) connections", "你的地址的连接数已达上限 \(maximumPerAddress)", limit: "max_connections_per_address", maximumPerAddress)
            }
            s.total += 1
            s.perAddress[address] = mine + 1
            return nil
        }
    }

    /// Gives back the place `admit` took.
    func release(_ address: String) {
        state.withLock { s in
            s.total -= 1
            let left = s.perAddress[address, default: 1] - 1
            s.perAddress[address] = left > 0 ? left : nil
        }
    }

    /// Open connections, in all and from `address`.
    public func open(from address: String) -> (total: Int, address: Int) {
        state.withLock { ($0.total, $0.perAddress[address, default: 0]) }
    }

    /// Sent before any session exists, so in English; `zh` is kept for a caller that knows better.
    private static func refusal(_ why: String, _ whyZh: String, limit: String, _ maximum: Int) -> RPCError {
        RPCError(
            .rateLimited, "Too many connections: \(why); close some and try again", zh: "连接过多：\(whyZh)；请关闭一些后再试",
            data: ["limit": .string(limit), "maximum": .int(Int64(maximum))])
    }
}

/// Sent by `ProxyHeaderHandler` once the balancer's header has named the client.
struct PeerKnown: Sendable {}

/// Admits a connection against `ConnectionLimits` as soon as its client address is final: when
/// it opens, or, behind a balancer speaking the PROXY protocol, when the header has been read
/// (`PeerKnown`). A refused connection gets one error line and is closed; nothing it sent is
/// read. Sits after the TLS handler, so the refusal is encrypted like any reply.
final class ConnectionGate: ChannelInboundHandler {
    typealias InboundIn = NIOAny
    typealias InboundOut = NIOAny
    typealias OutboundOut = ByteBuffer

    private let limits: ConnectionLimits
    private let metrics: Metrics
    private let peer: PeerAddress
    private let waitForHeader: Bool
    private enum State { case waiting, admitted(String), refused }
    private var state = State.waiting

    init(limits: ConnectionLimits, metrics: Metrics, peer: PeerAddress, waitForHeader: Bool) {
        self.limits = limits
        self.metrics = metrics
        self.peer = peer
        self.waitForHeader = waitForHeader
    }

    func channelActive(context: ChannelHandlerContext) {
        if !waitForHeader { admit(context) }
        context.fireChannelActive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is PeerKnown, case .waiting = state { admit(context) }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .admitted = state else { return }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .admitted(let address) = state { limits.release(address) }
        state = .refused
        context.fireChannelInactive()
    }

    private func admit(_ context: ChannelHandlerContext) {
        let address = peer.address
        if let refusal = limits.admit(address) {
            state = .refused
            metrics.connectionRefused(limit: refusal.data?["limit"]?.stringValue ?? "max_connections")
            context.writeAndFlush(wrapOutboundOut(.errorLine(refusal))).whenComplete { [channel = context.channel] _ in channel.close(promise: nil) }
        } else {
            state = .admitted(address)
        }
    }
}
