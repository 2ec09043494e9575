import CaseloadClient
import CaseloadProtocol
import Foundation

/// The semantic fuzzer: calls every method of a running server with params built from the
/// JSON Schemas `rpc.discover` publishes, filled with real ids (set up through the API in
/// two agencies), as every role and without a login, and judges every reply
/// (`SemanticOracle`). A canary connection pings throughout; a server that dies is a
/// finding, and, given a way to restart it, the call that killed it is found by replaying
/// the calls that were in flight, narrowed to the params that matter, and not sent again.
///
/// A seed fixes the calls each connection generates; the server's replies (and so the ids
/// reused) depend on timing, so two runs of one seed are alike rather than identical.
public struct SemanticFuzz: Sendable {
    public struct Options: Sendable {
        public var host = "127.0.0.1"
        public var port: Int
        /// Owner tokens of two agencies: the fuzzer sets up data and users in both.
        public var tokenA: String
        public var tokenB: String?
        /// Calls to send in all (setup and login probes not counted).
        public var calls: Int
        public var seed: UInt64
        /// Concurrent connections, and calls in flight on each.
        public var connections = 4
        public var window = 4
        /// Calls per connection (a new connection, as another role, after each slice).
        public var sessionLength = 40..<240
        /// The server's `max_line_bytes` (no call is made longer).
        public var maximumLineLength = 1 << 20
        /// The longest a reply may take before it counts as missing.
        public var replyTimeout: Duration = .seconds(60)
        /// The longest a canary ping may take.
        public var canaryBound: Duration = .seconds(5)
        /// Restarts a dead server and returns its new port. Without it, a death ends the run.
        public var restart: (@Sendable () async throws -> Int)?
        /// Restarts allowed in one run (crash triage restarts too).
        public var maximumRestarts = 30
        /// The server's log so far, shown with a death (a last line `[process …]` may say how it ended).
        public var serverLog: (@Sendable () -> String)?

        public init(port: Int, tokenA: String, tokenB: String?, calls: Int, seed: UInt64) {
            self.port = port
            self.tokenA = tokenA
            self.tokenB = tokenB
            self.calls = calls
            self.seed = seed
        }
    }

    public struct Report: Sendable {
        public var calls = 0
        public var replies = 0
        public var skipped = 0
        public var sessions = 0
        public var probes = 0
        public var serverDeaths = 0
        public var restarts = 0
        public var serverAlive = false
        public var canaryPings = 0
        public var canarySlowest: Duration = .zero
        public var findingCount = 0
        /// The first finding of each kind, in full.
        public var findings: [String] = []
        /// How many findings of each kind (e.g. "internal_error applicant.create").
        public var findingKinds: [String: Int] = [:]
        /// Per method: "result" or an error code → count.
        public var outcomes: [String: [String: Int]] = [:]
        /// Every method `rpc.discover` lists.
        public var methods: [String] = []
        public var idsSeen: [String: Int] = [:]
        public var duration: Duration = .zero

        /// Methods that never answered with a result.
        public var methodsWithoutResult: [String] { methods.filter { (outcomes[$0]?["result"] ?? 0) == 0 }.sorted() }

        /// One line per method: its outcomes.
        public var coverageTable: String {
            methods.sorted().map { name in
                let counts = (outcomes[name] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                return "\(name): \(counts.isEmpty ? "never called" : counts)"
            }.joined(separator: "\n")
        }
    }

    /// Counts shared by the connections.
    final class Counters: Sendable {
        let sent = FuzzCounter()
        let skipped = FuzzCounter()
        let sessions = FuzzCounter()
        let probes = FuzzCounter()
    }

    public let options: Options

    public init(options: Options) {
        self.options = options
    }

    /// What every connection of a run shares.
    struct Shared: Sendable {
        let catalog: MethodCatalog
        let pool: IDPool
        let findings: FuzzFindings
        let recorder: CallRecorder
        let budget: CallBudget
        let inFlight = InFlightCalls()
        let signatures = CrashSignatures()
        let counters = Counters()
    }

    public func run() async throws -> Report {
        let started = ContinuousClock.now
        let document = try await RPCClient.withConnection(host: options.host, port: options.port) { try await $0.call("rpc.discover") }
        guard let catalog = MethodCatalog(openRPC: document) else {
            throw ServerFuzz.FuzzSetupError(description: "rpc.discover did not list the methods with their errors")
        }
        let pool = IDPool()
        let findings = FuzzFindings(keep: 60)
        let recorder = CallRecorder(pool: pool, findings: findings)
        let shared = Shared(catalog: catalog, pool: pool, findings: findings, recorder: recorder, budget: CallBudget(options.calls))
        var owners: [FuzzAgency: String] = [.a: options.tokenA]
        if let b = options.tokenB { owners[.b] = b }
        var setup = SemanticSetup(catalog: catalog, pool: pool, recorder: recorder, random: FuzzRandom(seed: options.seed ^ 0x5E7A_9000))
        let sessions = try await setup.run(host: options.host, port: options.port, owners: owners)

        var report = Report()
        var port = options.port
        var triageRandom = FuzzRandom(seed: options.seed ^ 0x7121_A6E0)
        var triageGenerator = CallGenerator(catalog: catalog, pool: pool, maximumLineLength: options.maximumLineLength)
        for round in 1... {
            let generation = await runGeneration(round: round, port: port, sessions: sessions, shared: shared, report: &report)
            guard let death = await generation.death else { break }
            report.serverDeaths += 1
            shared.inFlight.removeAll()
            guard let restarted = await recover(from: death, port: port, shared: shared, report: &report, &triageGenerator, &triageRandom) else { break }
            port = restarted
            if shared.budget.left == 0 { break }
        }
        report.serverAlive = await Liveness.isAlive(host: options.host, port: port)
        if !report.serverAlive, report.serverDeaths == 0 {
            findings.record("the server does not answer at the end of the run", key: "server_died")
        }
        let counters = shared.counters
        report.calls = counters.sent.count
        report.replies = recorder.replies.count
        report.skipped = counters.skipped.count
        report.sessions = counters.sessions.count
        report.probes = counters.probes.count
        report.findingCount = findings.count
        report.findings = findings.samples
        report.findingKinds = findings.countsByKey
        report.outcomes = recorder.outcomesByMethod
        report.methods = catalog.methods.map(\.name)
        report.idsSeen = Dictionary(uniqueKeysWithValues: pool.counts.map { ($0.key.rawValue, $0.value) })
        report.duration = ContinuousClock.now - started
        return report
    }

    /// Fuzzes one run of the server (at `port`) with the canary pinging, until the calls
    /// run out or the server dies.
    func runGeneration(round: Int, port: Int, sessions: [FuzzSession], shared: Shared, report: inout Report) async -> ServerGeneration {
        let options = self.options
        let generation = ServerGeneration(host: options.host, port: port)
        var canaryOptions = ServerFuzz.Options(port: port, inputs: 0, seed: options.seed)
        canaryOptions.host = options.host
        canaryOptions.canaryBound = options.canaryBound
        let canaryFindings = FuzzFindings()
        let canary = Canary(options: canaryOptions, findings: canaryFindings)
        let canaryStop = FuzzFlag()
        async let canaryDone: Void = canary.run(until: canaryStop)
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<options.connections {
                let seed = options.seed &+ UInt64(round) &* 0x1_0000 &+ UInt64(index) &* 0x9E37_79B9
                let worker = SemanticWorker(
                    options: options, sessions: sessions, recorder: shared.recorder, budget: shared.budget, generation: generation,
                    inFlight: shared.inFlight, signatures: shared.signatures, counters: shared.counters,
                    generator: CallGenerator(catalog: shared.catalog, pool: shared.pool, maximumLineLength: options.maximumLineLength),
                    random: FuzzRandom(seed: seed))
                group.addTask {
                    var worker = worker
                    await worker.run()
                }
            }
        }
        canaryStop.set()
        await canaryDone
        report.canaryPings += canary.pings.count
        report.canarySlowest = max(report.canarySlowest, canary.slowest)
        // The canary's findings count unless the server died (its connection failing is then expected).
        if await generation.death == nil {
            for sample in canaryFindings.samples { shared.findings.record(sample, key: "canary") }
        }
        return generation
    }

    /// After a death: records it and, if the driver can restart the server, restarts it,
    /// finds and narrows the call that killed it (no longer sent) and returns the new port;
    /// nil ends the run.
    func recover(
        from death: ServerGeneration.Death, port: Int, shared: Shared, report: inout Report, _ generator: inout CallGenerator,
        _ random: inout FuzzRandom
    ) async -> Int? {
        guard let restart = options.restart, report.restarts < options.maximumRestarts else {
            recordDeath(death, culprit: nil, replayed: false, findings: shared.findings)
            return nil
        }
        var triage = CrashTriage(host: options.host, port: port, restart: restart, log: options.serverLog)
        defer { report.restarts += triage.restarts }
        do {
            try await triage.revive()
            let culprit = try await triage.findCulprit(among: death.inFlight, generator: &generator, &random)
            recordDeath(death, culprit: culprit, replayed: true, findings: shared.findings)
            if let culprit { shared.signatures.add(culprit) }
            return triage.port
        } catch {
            recordDeath(death, culprit: nil, replayed: false, findings: shared.findings)
            shared.findings.record("restarting the server failed: \(error)", key: "restart_failed")
            return nil
        }
    }

    /// Records a dead (or hung) server: the call that does it, if one was found, else the
    /// calls that were in flight (`replayed`: each was sent alone and none did it).
    func recordDeath(_ death: ServerGeneration.Death, culprit: CrashTriage.Culprit?, replayed: Bool, findings: FuzzFindings) {
        let log = Liveness.excerpt(culprit?.log ?? death.log)
        let state = culprit?.state ?? death.state
        let what = state == .unresponsive ? "stopped answering (connections accepted, no pong within 20 s)" : "died (connections refused)"
        let kind = state == .unresponsive ? "server_hung" : "server_died"
        if let culprit {
            let call = culprit.entry.call
            let essential = culprit.essential.isEmpty ? "none (whatever the params)" : JSONText.short(.object(culprit.essential), limit: 300)
            findings.record(
                "the server \(what): \(call.method.name) as \(culprit.entry.session) does it when replayed alone; params that matter: \(essential); "
                    + "smallest params found: \(culprit.minimal.map { JSONText.short($0) } ?? "(none)"); sent as: \(call.paramsDescription()); server log: \(log)",
                key: "\(kind) \(call.method.name)")
        } else {
            let calls = death.inFlight.suffix(12).map { "\($0.call.method.name) as \($0.session): \($0.call.paramsDescription(limit: 160))" }
            findings.record(
                "the server \(what) after \(death.error); \(replayed ? "no single call in flight did it alone" : "one of the calls in flight did it (not replayed: no restart)"); "
                    + "in flight: \(calls.joined(separator: " | ")); server log: \(log)",
                key: kind)
        }
    }
}
