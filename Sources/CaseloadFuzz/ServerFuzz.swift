import CaseloadClient
import CaseloadProtocol
import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// Fuzzes a running server over TCP: several connections send generated lines (pipelined,
/// cut into random writes, `\n` or `\r\n`), every reply is checked against the oracle, a
/// canary connection keeps pinging throughout, and now and then a connection sends a line
/// over the limit and must get `request_too_large` and be closed.
public struct ServerFuzz: Sendable {
    public struct Options: Sendable {
        public var host = "127.0.0.1"
        public var port: Int
        /// A valid token of some agency (logins with it succeed); nil: logins always fail.
        public var token: String?
        /// How many lines to send in all (over-long lines not counted).
        public var inputs: Int
        public var seed: UInt64
        public var connections = 4
        /// The server's `max_line_bytes` and `max_batch`: the oracle needs them.
        public var maximumLineLength = 1 << 20
        public var maximumBatchSize = 100
        /// Connections that end with a line over the limit.
        public var oversizeCases = 8
        /// The longest a reply may take before it counts as missing.
        public var replyTimeout: Duration = .seconds(30)
        /// The longest a canary ping may take.
        public var canaryBound: Duration = .seconds(5)
        /// Replies a connection may be owed before it waits.
        public var window = 64
        /// Send logins with wrong tokens (only to a server whose login throttle allows
        /// thousands of failures from one address, as the tests' servers do).
        public var failedLogins = false

        public init(port: Int, inputs: Int, seed: UInt64) {
            self.port = port
            self.inputs = inputs
            self.seed = seed
        }
    }

    public struct Report: Sendable {
        public var inputs = 0
        public var replies = 0
        public var silent = 0
        public var skipped = 0
        public var connections = 0
        public var oversizeCases = 0
        public var canaryPings = 0
        public var canarySlowest: Duration = .zero
        public var findingCount = 0
        public var findings: [String] = []
        public var duration: Duration = .zero
        public var outcomes: [String: Int] = [:]
    }

    public let options: Options

    public init(options: Options) {
        self.options = options
    }

    public func run() async throws -> Report {
        let started = ContinuousClock.now
        let methods = try await fetchMethods()
        let findings = FuzzFindings()
        let stats = Stats()
        let canaryStop = FuzzFlag()
        let canary = Canary(options: options, findings: findings)
        async let canaryDone: Void = canary.run(until: canaryStop)

        await withTaskGroup(of: Void.self) { group in
            let per = options.inputs / options.connections
            for worker in 0..<options.connections {
                let share = worker == 0 ? options.inputs - per * (options.connections - 1) : per
                let oversize = options.oversizeCases / options.connections + (worker < options.oversizeCases % options.connections ? 1 : 0)
                group.addTask {
                    await Worker(
                        options: options, methods: methods, findings: findings, stats: stats,
                        seed: options.seed &+ UInt64(worker) &* 0x9E37_79B9
                    ).run(inputs: share, oversize: oversize)
                }
            }
        }
        canaryStop.set()
        await canaryDone

        var report = stats.report
        report.canaryPings = canary.pings.count
        report.canarySlowest = canary.slowest
        report.findingCount = findings.count
        report.findings = findings.samples
        report.duration = ContinuousClock.now - started
        return report
    }

    /// The method table from `rpc.discover`.
    func fetchMethods() async throws -> MethodTable {
        let document = try await RPCClient.withConnection(host: options.host, port: options.port) { try await $0.call("rpc.discover") }
        guard let table = MethodTable(openRPC: ReferenceJSON.parse(Array(try WireJSON.encode(document))) ?? .null) else {
            throw FuzzSetupError(description: "rpc.discover did not list the methods")
        }
        return table
    }

    public struct FuzzSetupError: Error, CustomStringConvertible {
        public var description: String
    }
}

/// Counts shared by the workers.
final class Stats: Sendable {
    private let state = Mutex(ServerFuzz.Report())

    func update(_ body: (inout ServerFuzz.Report) -> Void) { state.withLock { body(&$0) } }
    var report: ServerFuzz.Report { state.withLock { $0 } }
}

/// The replies a connection is still owed, by signature, and a way to wait for them.
final class Outstanding: Sendable {
    private struct State {
        var expected: [String: Int] = [:]
        var count = 0
        var waiter: (limit: Int, continuation: CheckedContinuation<Void, Never>)?
        var lastProgress = ContinuousClock.now
        var closed = false
    }

    private let state = Mutex(State())

    func expect(_ signature: String) {
        state.withLock {
            $0.expected[signature, default: 0] += 1
            $0.count += 1
        }
    }

    /// Takes a received reply off the list; false if it was not expected.
    func received(_ signature: String) -> Bool {
        let (matched, wake) = state.withLock { s -> (Bool, CheckedContinuation<Void, Never>?) in
            guard let n = s.expected[signature] else { return (false, nil) }
            s.expected[signature] = n == 1 ? nil : n - 1
            s.count -= 1
            s.lastProgress = .now
            if let w = s.waiter, s.count <= w.limit {
                s.waiter = nil
                return (true, w.continuation)
            }
            return (true, nil)
        }
        wake?.resume()
        return matched
    }

    /// Waits until at most `limit` replies are owed, or the connection is closed.
    func wait(atMost limit: Int) async {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { s -> Bool in
                if s.count <= limit || s.closed { return true }
                s.lastProgress = .now
                s.waiter = (limit, continuation)
                return false
            }
            if ready { continuation.resume() }
        }
    }

    func close() {
        let wake = state.withLock { s -> CheckedContinuation<Void, Never>? in
            s.closed = true
            defer { s.waiter = nil }
            return s.waiter?.continuation
        }
        wake?.resume()
    }

    var owed: (count: Int, sample: [String], idle: Duration) {
        state.withLock { ($0.count, Array($0.expected.keys.sorted().prefix(5)), ContinuousClock.now - $0.lastProgress) }
    }
}

/// One fuzzing client: a series of connections of random length, each checked line by line.
struct Worker: Sendable {
    let options: ServerFuzz.Options
    let methods: MethodTable
    let findings: FuzzFindings
    let stats: Stats
    let seed: UInt64

    func run(inputs: Int, oversize: Int) async {
        var random = FuzzRandom(seed: seed)
        var generator = LineGenerator(
            seed: seed ^ 0x5DEE_CE66, methods: Array(methods.names), token: options.token,
            maximumLineLength: options.maximumLineLength, maximumBatchSize: options.maximumBatchSize)
        var remaining = inputs
        var oversizeLeft = oversize
        var connection = 0
        while remaining > 0 || oversizeLeft > 0 {
            connection += 1
            // Spread the over-long cases over the run.
            if oversizeLeft > 0, remaining == 0 || random.below(max(1, remaining / 2000 + 1)) == 0 {
                oversizeLeft -= 1
                await oversizeConnection(&generator, &random, label: "w\(seed % 1000)-c\(connection)")
                continue
            }
            let n = min(remaining, 1 + random.length(upTo: 4000))
            remaining -= n
            await fuzzConnection(lines: n, &generator, &random, label: "w\(seed % 1000)-c\(connection)")
        }
    }

    private func connect() async throws -> LineChannel.Channel {
        try await LineChannel.connect(host: options.host, port: options.port, maximumLineLength: 256 << 20, rawOutbound: true)
    }

    /// Sends `lines` generated lines on a new connection and checks every reply.
    private func fuzzConnection(lines: Int, _ generator: inout LineGenerator, _ random: inout FuzzRandom, label: String) async {
        let loggedIn = options.token != nil && random.chance(1, in: 2)
        var session = OracleSession(methods: methods, token: options.token, failedLogins: options.failedLogins)
        var planned: [(bytes: [UInt8], expectation: OracleSession.Expectation)] = []
        if loggedIn, let token = options.token {
            let login = Array(#"{"jsonrpc":"2.0","id":"login","method":"auth.login","params":{"token":"\#(token)"}}"#.utf8)
            planned.append((login, session.expect(LineOracle.shape(of: login, maximumBatchSize: options.maximumBatchSize))))
        }
        var skipped = 0
        while planned.count < lines + (loggedIn ? 1 : 0) {
            let bytes = generator.next()
            let expectation = session.expect(LineOracle.shape(of: bytes, maximumBatchSize: options.maximumBatchSize))
            if expectation == .unpredictable {
                skipped += 1
                continue
            }
            planned.append((bytes, expectation))
        }
        let halfClose = random.chance(1, in: 3)
        // Cut the byte stream at random points (splitting CRLFs and UTF-8 sequences too).
        var chunks: [(bytes: [UInt8], expecting: [String], through: Int)] = []
        var pending: [UInt8] = []
        var pendingExpect: [String] = []
        for (index, line) in planned.enumerated() {
            pending += line.bytes
            let last = index == planned.count - 1
            if !(last && halfClose && random.chance(1, in: 2)) {
                pending += random.chance(3, in: 10) ? [0x0D, 0x0A] : [0x0A]
            }
            if case .reply(let signature) = line.expectation { pendingExpect.append(signature) }
            if last || pending.count > 1 + random.below(8192) || random.chance(1, in: 4) {
                let cut = random.chance(1, in: 3) && pending.count > 1 ? random.below(pending.count - 1) + 1 : pending.count
                chunks.append((Array(pending[..<cut]), pendingExpect, index))
                if cut < pending.count { chunks.append((Array(pending[cut...]), [], index)) }
                pending = []
                pendingExpect = []
            }
        }

        let outstanding = Outstanding()
        let recent = RecentLines()
        let findings = self.findings
        let options = self.options
        do {
            let channel = try await connect()
            try await channel.executeThenClose { inbound, outbound in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        defer { outstanding.close() }
                        do {
                            for try await frame in inbound {
                                guard case .line(let buffer) = frame else {
                                    findings.record("\(label): a reply longer than the client's limit")
                                    return
                                }
                                let signature = LineOracle.replySignature(Array(buffer.readableBytesView))
                                if !outstanding.received(signature) {
                                    let owed = outstanding.owed
                                    findings.record("\(label): unexpected reply \(signature); owed \(owed.count): \(owed.sample); recent lines: \(recent.description)")
                                }
                            }
                        } catch {
                            findings.record("\(label): reading replies failed: \(error)")
                        }
                    }
                    group.addTask {
                        // A watchdog: a reply owed for too long is a hang.
                        while true {
                            try await Task.sleep(for: .milliseconds(250))
                            let owed = outstanding.owed
                            if owed.count > 0, owed.idle > options.replyTimeout {
                                findings.record(
                                    "\(label): \(owed.count) replies missing after \(options.replyTimeout): \(owed.sample); recent lines: \(recent.description)")
                                outstanding.close()
                                throw CancellationError()
                            }
                        }
                    }
                    for chunk in chunks {
                        for signature in chunk.expecting { outstanding.expect(signature) }
                        recent.append(planned[chunk.through].bytes)
                        try await outbound.write(ByteBuffer(bytes: chunk.bytes))
                        await outstanding.wait(atMost: options.window)
                    }
                    // Either end the way `printf … | nc` does (half-close at once: the server
                    // answers what it has read, then closes) or wait for every reply first.
                    if !halfClose { await outstanding.wait(atMost: 0) }
                    outbound.finish()
                    // The reader ends when the server closes (or the watchdog gives up).
                    _ = try await group.next()
                    group.cancelAll()
                }
            }
        } catch is CancellationError {
        } catch {
            findings.record("\(label): connection failed: \(error)")
        }
        let owed = outstanding.owed
        if owed.count > 0 {
            findings.record("\(label): \(owed.count) replies never came: \(owed.sample)")
        }
        let sent = planned.count
        let silent = planned.filter { $0.expectation == .none }.count
        stats.update { report in
            report.inputs += sent
            report.replies += sent - silent
            report.silent += silent
            report.skipped += skipped
            report.connections += 1
            for line in planned {
                report.outcomes[Self.outcomeName(line.expectation), default: 0] += 1
            }
        }
    }

    static func outcomeName(_ expectation: OracleSession.Expectation) -> String {
        switch expectation {
        case .none: return "no reply"
        case .unpredictable: return "unpredictable"
        case .reply(let signature):
            if signature.hasPrefix("B") { return "batch" }
            guard let bar = signature.lastIndex(of: "|") else { return signature }
            let outcome = signature[signature.index(after: bar)...]
            return outcome.hasPrefix("r") ? "result" : String(outcome)
        }
    }

    /// A few good lines, then one over the limit (with or without its newline, with `\r\n`,
    /// or exactly at the limit, which must pass): the server must answer the good lines,
    /// refuse the long one with `request_too_large`, ignore anything after it, and close.
    private func oversizeConnection(_ generator: inout LineGenerator, _ random: inout FuzzRandom, label: String) async {
        let limit = options.maximumLineLength
        var session = OracleSession(methods: methods, token: options.token, failedLogins: options.failedLogins)
        var bytes: [UInt8] = []
        var expected: [String] = []
        for i in 0..<random.below(4) {
            let ping = Array(#"{"jsonrpc":"2.0","id":"pre\#(i)","method":"system.ping"}"#.utf8)
            if case .reply(let s) = session.expect(LineOracle.shape(of: ping, maximumBatchSize: options.maximumBatchSize)) { expected.append(s) }
            bytes += ping + [0x0A]
        }
        let variant = random.below(5)
        let head = Array(#"{"jsonrpc":"2.0","id":"big","method":"system.ping","params":{"pad":""#.utf8)
        let tail = Array(#""}}"#.utf8)
        func padded(to length: Int) -> [UInt8] { head + [UInt8](repeating: 0x78, count: max(0, length - head.count - tail.count)) + tail }
        let over = limit + 1 + random.below(64)
        let tooLong = "Sn|e\(LineOracle.requestTooLarge):maximum_line_length"
        let after = Array(#"{"jsonrpc":"2.0","id":"after","method":"system.ping"}"#.utf8) + [0x0A]
        var closes = true
        let started = ContinuousClock.now
        switch variant {
        case 0: bytes += padded(to: over) + [0x0A] + after  // long line, then a line that must be ignored
        case 1: bytes += padded(to: over) + [0x0D, 0x0A] + after
        case 2: bytes += [UInt8](repeating: 0x20, count: over)  // no newline at all: refused once past the limit
        case 3:
            // Exactly the limit plus CRLF: allowed (the \r is not part of the line).
            let line = padded(to: limit)
            if case .reply(let s) = session.expect(LineOracle.shape(of: line, maximumBatchSize: options.maximumBatchSize)) { expected.append(s) }
            bytes += line + [0x0D, 0x0A] + after
            if case .reply(let s) = session.expect(LineOracle.shape(of: Array(after.dropLast()), maximumBatchSize: options.maximumBatchSize)) {
                expected.append(s)
            }
            closes = false
        default: bytes += [UInt8](repeating: 0x5B, count: over) + [0x0A] + after
        }
        if closes { expected.append(tooLong) }

        var cuts: [Int] = []
        var offset = 0
        while offset < bytes.count {
            offset = min(bytes.count, offset + 1 + random.below(256 << 10))
            cuts.append(offset)
        }

        let outstanding = Outstanding()
        for s in expected { outstanding.expect(s) }
        let timeout = options.replyTimeout
        let payload = bytes
        var unexpected: [String] = []
        var sawEnd = false
        do {
            let channel = try await connect()
            // Past the deadline the connection is closed from here, which ends the reads below.
            let timer = Task {
                try await Task.sleep(for: timeout)
                try await channel.channel.close()
            }
            defer { timer.cancel() }
            (unexpected, sawEnd) = try await channel.executeThenClose { inbound, outbound in
                var start = 0
                for end in cuts {
                    // Writes may fail once the server has closed: that is allowed after the refusal.
                    do { try await outbound.write(ByteBuffer(bytes: payload[start..<end])) } catch { break }
                    start = end
                }
                var unexpected: [String] = []
                var replies = inbound.makeAsyncIterator()
                do {
                    while outstanding.owed.count > 0, let frame = try await replies.next() {
                        guard case .line(let line) = frame else { break }
                        let signature = LineOracle.replySignature(Array(line.readableBytesView))
                        if !outstanding.received(signature) { unexpected.append(signature) }
                    }
                    guard closes else { return (unexpected, true) }
                    // After the refusal: nothing more, then the end of the connection.
                    while let frame = try await replies.next() {
                        if case .line(let line) = frame { unexpected.append(LineOracle.replySignature(Array(line.readableBytesView))) }
                    }
                    return (unexpected, ContinuousClock.now < started + timeout)
                } catch {
                    return (unexpected + ["read failed: \(error)"], false)
                }
            }
        } catch {
            findings.record("\(label): over-long line variant \(variant): connection failed: \(error)")
        }
        if !unexpected.isEmpty { findings.record("\(label): over-long line variant \(variant): unexpected replies \(unexpected)") }
        if outstanding.owed.count > 0 { findings.record("\(label): over-long line variant \(variant): missing \(outstanding.owed.sample)") }
        if !sawEnd { findings.record("\(label): over-long line variant \(variant): the server did not close the connection in time") }
        stats.update { $0.oversizeCases += 1 }
    }
}

/// A connection that keeps pinging while the fuzzing goes on: its replies must stay correct
/// and prompt.
final class Canary: Sendable {
    let options: ServerFuzz.Options
    let findings: FuzzFindings
    let pings = FuzzCounter()
    private let slowestNanoseconds = Atomic<Int64>(0)

    init(options: ServerFuzz.Options, findings: FuzzFindings) {
        self.options = options
        self.findings = findings
    }

    var slowest: Duration { .nanoseconds(slowestNanoseconds.load(ordering: .relaxed)) }

    func run(until stop: FuzzFlag) async {
        do {
            try await RPCClient.withConnection(host: options.host, port: options.port) { client in
                while !stop.isSet {
                    let started = ContinuousClock.now
                    let bound = options.canaryBound
                    let reply = try await withThrowingTaskGroup(of: JSONValue?.self) { group in
                        group.addTask { try await client.call("system.ping") }
                        group.addTask {
                            try await Task.sleep(for: bound)
                            return nil
                        }
                        let first = try await group.next()!
                        group.cancelAll()
                        return first
                    }
                    let took = ContinuousClock.now - started
                    let (s, a) = took.components
                    slowestNanoseconds.max(s * 1_000_000_000 + a / 1_000_000_000, ordering: .relaxed)
                    pings.add()
                    if reply != .string("pong") {
                        findings.record("canary: ping answered \(reply.map { "\($0)" } ?? "nothing within \(bound)")")
                        if reply == nil { return }
                    }
                    try await Task.sleep(for: .milliseconds(10))
                }
            }
        } catch {
            findings.record("canary: connection failed: \(error)")
        }
    }
}
