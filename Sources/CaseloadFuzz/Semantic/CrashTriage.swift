import CaseloadClient
import CaseloadProtocol
import Synchronization

/// Bounded waits that do not depend on the awaited work noticing cancellation (an RPC call
/// to a hung server never does).
enum Deadline {
    /// `body`'s value, or nil if it throws or takes longer than `bound` (it is then left to
    /// finish on its own; closing its connection ends it).
    static func run<T: Sendable>(_ bound: Duration, _ body: @escaping @Sendable () async throws -> T) async -> T? {
        let once = Once()
        return await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
            let timer = Task {
                // Cancelled: the body has answered (and claimed) first.
                guard (try? await Task.sleep(for: bound)) != nil else { return }
                if once.claim() { continuation.resume(returning: nil) }
            }
            Task {
                let value = try? await body()
                if once.claim() { continuation.resume(returning: value) }
                timer.cancel()
            }
        }
    }
}

/// True for the first caller only.
final class Once: Sendable {
    private let done = Atomic<Bool>(false)
    func claim() -> Bool { done.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged }
}

enum Liveness {
    enum State: Sendable, Equatable {
        case alive
        /// Connections are refused or closed: the process is gone (or going).
        case gone
        /// It accepts connections but does not answer a ping: hung.
        case unresponsive
    }

    /// What a new connection's ping finds; a slow answer is given a second, longer chance.
    static func state(host: String, port: Int) async -> State {
        for bound in [Duration.seconds(5), .seconds(15)] {
            let state = await Deadline.run(bound) { () async -> State in
                do {
                    let pong = try await RPCClient.withConnection(host: host, port: port) { try await $0.call("system.ping") }
                    return pong == .string("pong") ? .alive : .unresponsive
                } catch {
                    return .gone
                }
            }
            if let state, state != .unresponsive { return state }
        }
        return .unresponsive
    }

    static func isAlive(host: String, port: Int) async -> Bool {
        await state(host: host, port: port) == .alive
    }

    /// The line of a server log that says why it died (a Swift runtime trap), with the
    /// `[process …]` line a driver may append (how it ended), else the log's last line.
    static func excerpt(_ log: String) -> String {
        guard !log.isEmpty else { return "(not available: see the server's own log)" }
        let lines = log.split(separator: "\n")
        let markers = ["Fatal error", "Precondition failed", "Assertion failed", "fatal error", "Crash"]
        let exit = lines.last { $0.hasPrefix("[process ") }.map { " " + $0 } ?? ""
        if let fatal = lines.last(where: { line in markers.contains { line.contains($0) } }) {
            return String(fatal.suffix(400)) + exit
        }
        // Overflow and other traps print nothing when backtraces are off.
        return "no trap message" + exit + "; last line: " + String((lines.last { !$0.hasPrefix("[process ") } ?? "").suffix(200))
    }
}

/// One run of the server, between its start and its death (if it dies): the first
/// connection failure triggers a liveness check, and a dead server stops the generation
/// with the calls that were in flight.
actor ServerGeneration {
    struct Death: Sendable {
        var inFlight: [InFlightCalls.Entry]
        var log: String
        var error: String
        var state: Liveness.State
    }

    let host: String
    let port: Int
    let stop = FuzzFlag()
    private(set) var death: Death?
    private var check: Task<Liveness.State, Never>?

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// After a connection failed with `error`: whether the server still answers (one check
    /// serves a burst of failures). A dead server's in-flight calls are kept for triage.
    func stillAlive(after error: String, inFlight: InFlightCalls, log: (@Sendable () -> String)?) async -> Bool {
        if death != nil { return false }
        if let check { return await check.value == .alive }
        let snapshot = inFlight.snapshot
        let host = self.host
        let port = self.port
        let task = Task { await Liveness.state(host: host, port: port) }
        check = task
        let state = await task.value
        check = nil
        if state != .alive, death == nil {
            death = Death(inFlight: snapshot, log: log?() ?? "", error: error, state: state)
            stop.set()
        }
        return state == .alive
    }
}

/// Calls known to kill the server (method and the params that matter): not sent again, so
/// the rest of the run can look for other bugs.
final class CrashSignatures: Sendable {
    private let signatures = Mutex<[(method: String, params: [String: JSONValue])]>([])

    /// Suppresses calls like the culprit's: of its method, with its essential params other
    /// than ids and versions (any existing record will do). A method that kills the server
    /// again despite that is not called any more.
    func add(_ culprit: CrashTriage.Culprit) {
        let method = culprit.entry.call.method
        let uuidParams = Set(method.params.filter { if case .string(_, _, "uuid", _) = $0.schema.nonNull { true } else { false } }.map(\.name))
        let params = culprit.essential.filter { !uuidParams.contains($0.key) && $0.key != "version" }
        signatures.withLock { list in
            let again = list.contains { $0.method == method.name }
            list.append((method.name, again ? [:] : params))
        }
    }

    func matches(_ call: PlannedCall) -> Bool {
        let members = call.params?.objectValue ?? [:]
        return signatures.withLock { list in
            list.contains { $0.method == call.method.name && $0.params.allSatisfy { members[$0.key] == $0.value } }
        }
    }

    var count: Int { signatures.withLock { $0.count } }
}

/// After the server died (and was restarted): replays the calls that were in flight one at
/// a time to find the one that kills it, then narrows its params down to those that matter
/// (dropping optional ones, replacing required ones with plausible values), restarting the
/// server after every crash.
struct CrashTriage {
    struct Culprit {
        var entry: InFlightCalls.Entry
        /// The smallest params found that still kill it.
        var minimal: JSONValue?
        /// The params without which (or with another value) it no longer crashes.
        var essential: [String: JSONValue]
        var log: String
        var state: Liveness.State
    }

    let host: String
    let restart: @Sendable () async throws -> Int
    let log: (@Sendable () -> String)?
    private(set) var port: Int
    private(set) var restarts = 0
    var trialsLeft = 24
    var replaysLeft = 40

    init(host: String, port: Int, restart: @escaping @Sendable () async throws -> Int, log: (@Sendable () -> String)?) {
        self.host = host
        self.port = port
        self.restart = restart
        self.log = log
    }

    /// Restarts the dead server.
    /// Restarts the dead server and waits until it reaches its database (a replay sent
    /// earlier could fail for that alone and pass for "no crash").
    mutating func revive() async throws {
        port = try await restart()
        restarts += 1
        let host = self.host
        let port = self.port
        for _ in 0..<50 {
            let health = await Deadline.run(.seconds(2)) {
                try await RPCClient.withConnection(host: host, port: port) { try await $0.call("system.health") }
            }
            if health?["database"] == "ok" { return }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    mutating func findCulprit(among candidates: [InFlightCalls.Entry], generator: inout CallGenerator, _ random: inout FuzzRandom) async throws
        -> Culprit?
    {
        // Reads first (newest first): they change nothing, so replaying them cannot hide a
        // crash that depends on what is stored; then the changes, in the order they were sent.
        let ordered = candidates.filter { !$0.call.method.mutates }.reversed() + candidates.filter(\.call.method.mutates)
        for entry in ordered where replaysLeft > 0 {
            replaysLeft -= 1
            guard case .killed(let firstLog, let state) = try await kills(entry.call, as: entry.session) else { continue }
            var trials = trialsLeft
            let narrowed = try await ParamNarrower.narrow(
                entry.call, session: entry.session, trials: &trials, confirmFirst: false, generator: &generator, &random
            ) { trial in
                switch try await kills(trial, as: entry.session) {
                case .killed: return .reproduced
                case .survived(let reply): return .gone(reply?.error)
                }
            }
            trialsLeft = trials
            return Culprit(entry: entry, minimal: narrowed?.minimal, essential: narrowed?.essential ?? [:], log: firstLog, state: state)
        }
        return nil
    }

    enum Replay {
        case killed(log: String, state: Liveness.State)
        case survived(RPCResponse?)
    }

    /// Sends `call` alone; if the server dies (or hangs), returns its log and state and restarts it.
    private mutating func kills(_ call: PlannedCall, as session: FuzzSession) async throws -> Replay {
        let host = self.host
        let port = self.port
        let reply = await Deadline.run(.seconds(20)) {
            try await RPCClient.withConnection(host: host, port: port) { client -> RPCResponse? in
                if let token = session.token {
                    // Not logged in, the call would only be refused: no test at all.
                    guard try await client.send("auth.login", ["token": .string(token)]).result != nil else { return nil }
                }
                return try await client.send(call.method.name, call.params)
            }
        } ?? nil
        try? await Task.sleep(for: .milliseconds(200))
        let state = await Liveness.state(host: host, port: port)
        if state == .alive { return .survived(reply) }
        let text = log?() ?? ""
        try await revive()
        return .killed(log: text, state: state)
    }
}
