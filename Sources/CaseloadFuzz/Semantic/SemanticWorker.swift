import CaseloadClient
import CaseloadProtocol
import Foundation

/// What came of one call.
enum CallReply: Sendable {
    case response(RPCResponse)
    /// The connection failed (closed, refused, reset) before the reply.
    case transport(String)
    case timeout
}

/// One fuzzing client: a series of connections, each logged in as some role of some agency
/// (or not at all), sending a slice of generated calls pipelined a few at a time; now and then
/// a short connection that fuzzes `auth.login` / `auth.logout` and checks the login state
/// they leave. Reports connection failures to the generation, which decides whether the
/// server died.
struct SemanticWorker {
    let options: SemanticFuzz.Options
    let sessions: [FuzzSession]
    let recorder: CallRecorder
    let budget: CallBudget
    let generation: ServerGeneration
    let inFlight: InFlightCalls
    let signatures: CrashSignatures
    let counters: SemanticFuzz.Counters
    var generator: CallGenerator
    var random: FuzzRandom

    var host: String { options.host }
    static let noReply = "no reply"

    mutating func run() async {
        while !generation.stop.isSet, let slice = budget.claim(options.sessionLength.lowerBound + random.below(options.sessionLength.count)) {
            if random.chance(1, in: 6) {
                await probeLogin()
                counters.probes.add()
            }
            await runSession(calls: slice)
            counters.sessions.add()
        }
    }

    // MARK: Sessions

    /// Mostly agency A's users (every role), a quarter agency B's, now and then no login.
    private mutating func pickSession() -> FuzzSession {
        if random.chance(1, in: 25) || sessions.isEmpty { return .anonymous }
        let agency: FuzzAgency = random.chance(3, in: 4) ? .a : .b
        let candidates = sessions.filter { $0.agency == agency }
        return candidates.isEmpty ? random.pick(sessions) : random.pick(candidates)
    }

    private mutating func runSession(calls: Int) async {
        let session = pickSession()
        let port = generation.port
        var failure: String?
        var failedTickets: [Int] = []
        let held = HeldFindings()
        var attempted = 0
        // Calls not sent (a failed login, a dead server) are sent later instead.
        defer { budget.refund(calls - attempted) }
        do {
            try await RPCClient.withConnection(host: host, port: port) { client in
                if let token = session.token {
                    guard await login(client, session: session, token: token) else { return }
                }
                await withTaskGroup(of: (Int, PlannedCall, CallReply).self) { group in
                    var pending = 0
                    func handle(_ ticket: Int, _ call: PlannedCall, _ reply: CallReply) {
                        switch reply {
                        case .response(let response):
                            inFlight.remove(ticket)
                            recorder.judge(call, session: session, outcome: response.outcome, held: held)
                        case .transport(let error):
                            failure = failure ?? "\(call.method.name): \(error)"
                            failedTickets.append(ticket)
                        case .timeout:
                            inFlight.remove(ticket)
                            recorder.findings.record(
                                "\(call.method.name) as \(session): no reply within \(options.replyTimeout); params \(call.paramsDescription())",
                                key: "no_reply \(call.method.name)")
                            failure = failure ?? Self.noReply
                        }
                    }
                    for _ in 0..<calls {
                        if failure != nil || generation.stop.isSet { break }
                        attempted += 1
                        guard let call = nextCall(for: session) else {
                            counters.skipped.add()
                            continue
                        }
                        let ticket = inFlight.add(call, session: session)
                        let timeout = options.replyTimeout
                        group.addTask { (ticket, call, await Self.send(call, on: client, timeout: timeout)) }
                        counters.sent.add()
                        pending += 1
                        if pending >= options.window, let (t, c, r) = await group.next() {
                            pending -= 1
                            handle(t, c, r)
                        }
                    }
                    for await (t, c, r) in group { handle(t, c, r) }
                }
            }
        } catch {
            failure = failure ?? "connection: \(error)"
        }
        guard let failure else {
            await narrowInternalErrors(held.all, session: session)
            return
        }
        for (_, violation) in held.all { recorder.findings.record(violation.description, key: violation.key) }
        let alive = await generation.stillAlive(after: failure, inFlight: inFlight, log: options.serverLog)
        if alive, !generation.stop.isSet, failure != Self.noReply {
            recorder.findings.record("a connection as \(session) failed while the server stayed up: \(failure)", key: "connection_failed")
        }
        for ticket in failedTickets { inFlight.remove(ticket) }
    }

    /// Records internal errors, each first narrowed down (on a connection of its own) to the
    /// params without which it goes away, so that one cause found through many methods or
    /// params is told apart from another. One narrowing per method and set of traits.
    private mutating func narrowInternalErrors(_ held: [(call: PlannedCall, violation: Violation)], session: FuzzSession) async {
        for (call, violation) in held {
            if let key = recorder.narrowedKey(for: violation.key) {
                recorder.findings.record(violation.description, key: key)
                continue
            }
            let host = self.host
            let port = generation.port
            let timeout = options.replyTimeout
            var trials = 16
            var generator = self.generator
            var random = self.random
            let narrowed = try? await RPCClient.withConnection(host: host, port: port) { client in
                if let token = session.token { _ = try await client.send("auth.login", ["token": .string(token)]) }
                // Only a call that fails again when sent alone is narrowed.
                return try await ParamNarrower.narrow(call, session: session, trials: &trials, confirmFirst: true, generator: &generator, &random) { trial in
                    // A reply that does not come ends the narrowing (the call is recorded as it was).
                    guard case .response(let r) = await Self.send(trial, on: client, timeout: timeout) else { throw CancellationError() }
                    return r.error?.code == SemanticOracle.internalError ? .reproduced : .gone(r.error)
                }
            }
            self.random = random
            guard let (_, essential) = narrowed ?? nil else {
                recorder.findings.record(violation.description, key: violation.key)
                continue
            }
            let key = "internal_error \(call.method.name) (\(ParamNarrower.signature(essential)))"
            recorder.setNarrowedKey(key, for: violation.key)
            recorder.findings.record(
                violation.description + "; params that matter: \(essential.isEmpty ? "none" : JSONText.short(.object(essential)))", key: key)
        }
    }

    /// Logs a session's connection in; false (and a finding, unless throttled) if that fails.
    private func login(_ client: RPCClient, session: FuzzSession, token: String) async -> Bool {
        guard let spec = generator.catalog["auth.login"] else { return false }
        let params: JSONValue = ["token": .string(token)]
        guard case .response(let response) = await Self.send(PlannedCall(method: spec, params: params), on: client, timeout: options.replyTimeout) else {
            return false
        }
        let result = recorder.judge(PlannedCall(method: spec, params: ["token": "(the session's token)"]), session: .anonymous, outcome: response.outcome)
        guard result?["role"]?.stringValue == session.role else {
            if response.error?.code != -32009 {
                recorder.findings.record("logging in as \(session) failed: \(SemanticOracle.describe(response.outcome))", key: "session_login")
            }
            return false
        }
        return true
    }

    /// The next call for `session`, never one known to kill the server.
    private mutating func nextCall(for session: FuzzSession) -> PlannedCall? {
        for _ in 0..<5 {
            let method = generator.pickMethod(role: session.role, &random)
            let call = generator.call(method, agency: session.agency ?? .a, role: session.role ?? "none", &random)
            if !signatures.matches(call) { return call }
        }
        return nil
    }

    /// Sends one call; the reply, a connection failure, or a timeout (the call is then left
    /// to fail when the connection closes).
    static func send(_ call: PlannedCall, on client: RPCClient, timeout: Duration) async -> CallReply {
        let reply = await Deadline.run(timeout) { () async -> CallReply in
            do {
                return .response(try await client.send(call.method.name, call.params))
            } catch {
                return .transport("\(error)")
            }
        }
        return reply ?? .timeout
    }

    // MARK: Login probes

    /// A short connection that fuzzes `auth.login` or `auth.logout` (maybe after a login) and
    /// checks with `auth.whoami` that the login state is what the reply says: a successful
    /// login acts for that token's user, a refused one leaves the connection logged out, a
    /// logout logs out, and params refused as invalid change nothing.
    private mutating func probeLogin() async {
        guard let loginSpec = generator.catalog["auth.login"], let logoutSpec = generator.catalog["auth.logout"],
            let whoamiSpec = generator.catalog["auth.whoami"], !sessions.isEmpty
        else { return }
        let port = generation.port
        let before: FuzzSession? = random.chance(1, in: 2) ? random.pick(sessions) : nil
        let target = random.pick(sessions)
        let probe: PlannedCall
        if random.chance(1, in: 2) {
            // Mostly a real token of the fuzzer's users; else what the schema makes of it.
            probe = random.chance(4, in: 5)
                ? PlannedCall(method: loginSpec, params: ["token": .string(target.token ?? "")])
                : generator.call(loginSpec, agency: target.agency ?? .a, role: "none", &random)
        } else {
            probe = generator.call(logoutSpec, agency: .a, role: "none", &random)
        }
        let recorder = self.recorder
        let timeout = options.replyTimeout
        var failure: String?
        do {
            try await RPCClient.withConnection(host: host, port: port) { client in
                var current: FuzzSession = .anonymous
                if let before, let token = before.token {
                    guard await login(client, session: before, token: token) else { return }
                    current = before
                }
                let ticket = inFlight.add(probe, session: current)
                guard case .response(let response) = await Self.send(probe, on: client, timeout: timeout) else {
                    failure = "\(probe.method.name) got no reply"
                    return
                }
                inFlight.remove(ticket)
                let shown = probe.method.name == "auth.login" && probe.params?["token"]?.stringValue?.hasPrefix("cl_") == true
                    ? PlannedCall(method: loginSpec, params: ["token": "(a token)"], mode: probe.mode) : probe
                // Judged without an agency: a login may switch to the other one.
                let result = recorder.judge(shown, session: FuzzSession(agency: nil, role: current.role, token: nil), outcome: response.outcome)
                // The login state the reply implies.
                var expected: String? = current.token == nil ? nil : "logged in"
                var expectedUser: String?
                switch (probe.method.name, response.outcome) {
                case ("auth.login", .success):
                    expected = "logged in"
                    expectedUser = result?["user_id"]?.stringValue
                case ("auth.logout", .success):
                    expected = nil
                case (_, .failure(let error)) where error.code == -32602:
                    break  // refused before it ran: nothing changed
                case ("auth.login", .failure):
                    expected = nil
                default:
                    break
                }
                guard case .response(let who) = await Self.send(PlannedCall(method: whoamiSpec, params: nil), on: client, timeout: timeout) else {
                    failure = "auth.whoami got no reply"
                    return
                }
                // Judged without an agency when a login changed it (the token may be anyone's).
                let whoSession =
                    expected == nil
                    ? FuzzSession.anonymous
                    : expectedUser != nil ? FuzzSession(agency: nil, role: result?["role"]?.stringValue ?? "owner", token: nil) : current
                let whoResult = recorder.judge(PlannedCall(method: whoamiSpec, params: nil), session: whoSession, outcome: who.outcome)
                let consistent: Bool
                if expected == nil {
                    consistent = who.error?.code == SemanticOracle.unauthenticated
                } else if let expectedUser {
                    consistent = whoResult?["user_id"]?.stringValue == expectedUser
                } else {
                    consistent = whoResult != nil
                }
                if !consistent {
                    recorder.findings.record(
                        "login state: after \(probe.method.name) \(probe.paramsDescription(limit: 120)) answered \(SemanticOracle.describe(response.outcome)) "
                            + "on a connection \(current.token == nil ? "not logged in" : "logged in as \(current)"), auth.whoami answered \(SemanticOracle.describe(who.outcome))",
                        key: "login_state \(probe.method.name)")
                }
            }
        } catch {
            failure = "connection: \(error)"
        }
        if let failure {
            _ = await generation.stillAlive(after: failure, inFlight: inFlight, log: options.serverLog)
        }
    }
}
