import NIOCore
import NIOPosix

/// A closed-loop, pipelined JSON-RPC load generator: each connection logs in, then keeps
/// `depth` requests in flight, sending the next one as each reply arrives. Everything runs on
/// one event loop, so workloads need no locks; it parses replies only as far as the id and
/// whether they carry an error, to leave the CPU to the server.
public final class LoadGenerator: Sendable {
    public struct Options: Sendable {
        public var host = "127.0.0.1"
        public var port = 7420
        public var token = ""
        public var connections = 1
        public var depth = 8
        public var warmupSeconds = 1.0
        public var seconds = 5.0
        public init() {}
    }

    let group: MultiThreadedEventLoopGroup

    public init() { group = MultiThreadedEventLoopGroup(numberOfThreads: 1) }

    public func shutdown() async throws { try await group.shutdownGracefully() }

    /// Runs `makeWorkload()` (one per connection) for warm-up plus the measured seconds;
    /// only requests that complete inside the measured window count.
    public func run(_ options: Options, makeWorkload: @escaping @Sendable () -> any Workload) async throws -> (LatencyRecorder, Double) {
        let loop = group.next()
        let start = NIODeadline.now() + .milliseconds(Int64(options.warmupSeconds * 1000))
        let end = start + .milliseconds(Int64(options.seconds * 1000))
        var futures: [EventLoopFuture<LatencyRecorder>] = []
        for _ in 0..<options.connections {
            let done = loop.makePromise(of: LatencyRecorder.self)
            // Made on the connection's loop, where it will be used, and never touched elsewhere.
            let workload = try await loop.submit { SendableBox(makeWorkload()) }.get()
            let handler = PipelinedHandler(
                token: options.token, depth: options.depth, workload: workload, window: (start, end), done: done)
            _ = try await ClientBootstrap(group: loop)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in channel.pipeline.addHandler(handler) }
                .connect(host: options.host, port: options.port).get()
            futures.append(done.futureResult)
        }
        var total = LatencyRecorder()
        for f in futures { total.merge(try await f.get()) }
        let measured = Double((end - start).nanoseconds) / 1e9
        return (total, measured)
    }

    /// Opens `count` connections, logs each in and leaves them idle; returns a closer.
    public func holdIdle(count: Int, host: String, port: Int, token: String) async throws -> [Channel] {
        var channels: [Channel] = []
        let loop = group.next()
        for _ in 0..<count {
            let loggedIn = loop.makePromise(of: Void.self)
            let channel = try await ClientBootstrap(group: loop)
                .channelInitializer { channel in channel.pipeline.addHandler(IdleHandler(token: token, loggedIn: loggedIn)) }
                .connect(host: host, port: port).get()
            try await loggedIn.futureResult.get()
            channels.append(channel)
        }
        return channels
    }
}

/// Lets a non-Sendable workload cross into the event loop it is confined to.
struct SendableBox<T>: @unchecked Sendable { let value: T; init(_ v: T) { value = v } }

/// Finds `"id":N` in a reply line and whether it has a top-level `"error"` member (replies
/// are compact JSON written by the server; a result never contains the text `"error":{"code"`).
enum ReplyScanner {
    static func scan(_ line: ByteBufferView) -> (id: Int, ok: Bool)? {
        let bytes = Array(line)
        let idKey = Array("\"id\":".utf8)
        var from = 0
        // The first `"id":` followed by a number: ids inside results are UUID strings.
        while let idAt = find(idKey, in: bytes, from: from) {
            var i = idAt + idKey.count
            var id = 0
            var digits = 0
            while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 { id = id * 10 + Int(bytes[i] - 48); i += 1; digits += 1 }
            if digits > 0 { return (id, find(Array("\"error\":{\"code\"".utf8), in: bytes) == nil) }
            from = i
        }
        return nil
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int = 0) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var i = from
        while i <= haystack.count - needle.count {
            if haystack[i] == needle[0] {
                var j = 1
                while j < needle.count, haystack[i + j] == needle[j] { j += 1 }
                if j == needle.count { return i }
            }
            i += 1
        }
        return nil
    }
}

final class PipelinedHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let token: String
    let depth: Int
    let workload: any Workload
    let window: (start: NIODeadline, end: NIODeadline)
    let done: EventLoopPromise<LatencyRecorder>
    var buffer = ByteBuffer()
    var recorder = LatencyRecorder()
    /// id → (slot, sent at)
    var inFlight: [Int: (Int, NIODeadline)] = [:]
    var nextID = 1
    var stopping = false

    init(token: String, depth: Int, workload: SendableBox<any Workload>, window: (NIODeadline, NIODeadline), done: EventLoopPromise<LatencyRecorder>) {
        self.token = token
        self.depth = depth
        self.workload = workload.value
        self.window = window
        self.done = done
    }

    func channelActive(context: ChannelHandlerContext) {
        var line = context.channel.allocator.buffer(capacity: 128)
        line.writeString("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"auth.login\",\"params\":{\"token\":\"\(token)\"}}\n")
        context.writeAndFlush(wrapOutboundOut(line), promise: nil)
    }

    func send(slot: Int, context: ChannelHandlerContext) -> Bool {
        guard let (method, params) = workload.next(slot: slot) else { return false }
        let id = nextID
        nextID += 1
        var line = context.channel.allocator.buffer(capacity: 160)
        line.writeString("{\"jsonrpc\":\"2.0\",\"id\":\(id),\"method\":\"\(method)\",\"params\":\(params)}\n")
        inFlight[id] = (slot, .now())
        context.write(wrapOutboundOut(line), promise: nil)
        return true
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        buffer.writeBuffer(&incoming)
        var wrote = false
        while let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
            let length = newline - buffer.readerIndex
            let line = buffer.readableBytesView.prefix(length)
            let reply = ReplyScanner.scan(line)
            buffer.moveReaderIndex(forwardBy: length + 1)
            guard let reply else { continue }
            if reply.id == 0 {
                guard reply.ok else { fail(context: context, "auth.login failed"); return }
                for slot in 0..<depth { wrote = send(slot: slot, context: context) || wrote }
                continue
            }
            guard let (slot, sentAt) = inFlight.removeValue(forKey: reply.id) else { continue }
            let now = NIODeadline.now()
            if now >= window.start && now <= window.end {
                recorder.record(nanoseconds: UInt64((now - sentAt).nanoseconds), ok: reply.ok)
            }
            workload.completed(slot: slot, ok: reply.ok)
            if now > window.end { stopping = true }
            if !stopping { wrote = send(slot: slot, context: context) || wrote }
        }
        buffer.discardReadBytes()
        if wrote { context.flush() }
        if inFlight.isEmpty && (stopping || !wrote) {
            stopping = true
            context.close(promise: nil)
        }
    }

    var finished = false

    func finish(_ result: Result<LatencyRecorder, any Error>) {
        guard !finished else { return }
        finished = true
        done.completeWith(result)
    }

    func fail(context: ChannelHandlerContext, _ message: String) {
        finish(.failure(BenchError(message)))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(stopping ? .success(recorder) : .failure(BenchError("the server closed the connection")))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(error))
        context.close(promise: nil)
    }
}

final class IdleHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let token: String
    let loggedIn: EventLoopPromise<Void>
    init(token: String, loggedIn: EventLoopPromise<Void>) { self.token = token; self.loggedIn = loggedIn }

    func channelActive(context: ChannelHandlerContext) {
        var line = context.channel.allocator.buffer(capacity: 128)
        line.writeString("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"auth.login\",\"params\":{\"token\":\"\(token)\"}}\n")
        context.writeAndFlush(wrapOutboundOut(line), promise: nil)
    }
    var answered = false
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        guard !answered, bytes.readableBytesView.contains(UInt8(ascii: "\n")) else { return }
        answered = true
        if ReplyScanner.scan(bytes.readableBytesView)?.ok == true { loggedIn.succeed(()) } else { loggedIn.fail(BenchError("idle auth.login failed")) }
    }
    func channelInactive(context: ChannelHandlerContext) {
        guard !answered else { return }
        answered = true
        loggedIn.fail(BenchError("idle connection closed"))
    }
}

public struct BenchError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
