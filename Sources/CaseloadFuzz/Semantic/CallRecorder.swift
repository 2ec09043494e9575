import CaseloadProtocol
import Synchronization

/// Where every reply goes: judged by the oracle (findings recorded by kind), counted per
/// method and outcome (for coverage), and harvested into the pool when it is a result.
/// Shared by every connection.
final class CallRecorder: Sendable {
    let pool: IDPool
    let findings: FuzzFindings
    private let outcomes = Mutex<[String: [String: Int]]>([:])
    let replies = FuzzCounter()

    init(pool: IDPool, findings: FuzzFindings) {
        self.pool = pool
        self.findings = findings
    }

    /// Judges and counts one reply; returns the result, if it is one. With `held`, an
    /// `internal_error` is not recorded but appended there, to be narrowed down first.
    @discardableResult
    func judge(_ call: PlannedCall, session: FuzzSession, outcome: Result<JSONValue, RPCError>, held: HeldFindings? = nil) -> JSONValue? {
        for v in SemanticOracle.check(call, session: session, outcome: outcome, pool: pool) {
            if let held, v.key.hasPrefix("internal_error") {
                held.append(call, v)
            } else {
                findings.record(v.description, key: v.key)
            }
        }
        outcomes.withLock { $0[call.method.name, default: [:]][outcome.outcomeName, default: 0] += 1 }
        replies.add()
        guard case .success(let result) = outcome else { return nil }
        if let agency = session.agency, let role = session.role {
            pool.harvest(result, method: call.method.name, agency: agency, role: role)
        }
        return result
    }

    private let narrowed = Mutex<[String: String]>([:])

    /// The key a finding of `rawKey` was narrowed to before, if it was.
    func narrowedKey(for rawKey: String) -> String? { narrowed.withLock { $0[rawKey] } }

    func setNarrowedKey(_ key: String, for rawKey: String) { narrowed.withLock { $0[rawKey] = key } }

    /// Outcomes per method: "result" or an error code → count.
    var outcomesByMethod: [String: [String: Int]] { outcomes.withLock { $0 } }
}

/// The calls sent and not yet answered, on every connection: when the server dies, one of
/// them killed it.
final class InFlightCalls: Sendable {
    struct Entry: Sendable {
        var call: PlannedCall
        var session: FuzzSession
    }

    private let state = Mutex<(next: Int, entries: [Int: Entry])>((0, [:]))

    func add(_ call: PlannedCall, session: FuzzSession) -> Int {
        state.withLock { s in
            s.next += 1
            s.entries[s.next] = Entry(call: call, session: session)
            return s.next
        }
    }

    func remove(_ ticket: Int) {
        _ = state.withLock { $0.entries.removeValue(forKey: ticket) }
    }

    /// Oldest first.
    var snapshot: [Entry] { state.withLock { s in s.entries.sorted { $0.key < $1.key }.map(\.value) } }

    func removeAll() {
        state.withLock { $0.entries = [:] }
    }
}

/// How many calls are left to send, claimed in slices by the connections.
final class CallBudget: Sendable {
    private let remaining: Mutex<Int>

    init(_ total: Int) { remaining = Mutex(total) }

    /// Up to `n` calls, nil when none are left.
    func claim(_ n: Int) -> Int? {
        remaining.withLock { left in
            guard left > 0 else { return nil }
            let granted = min(n, left)
            left -= granted
            return granted
        }
    }

    /// Gives back calls claimed but not sent.
    func refund(_ n: Int) {
        remaining.withLock { $0 += n }
    }

    var left: Int { remaining.withLock { $0 } }
}

/// Internal errors one connection held back, to narrow down after it closes.
final class HeldFindings: Sendable {
    private let items = Mutex<[(call: PlannedCall, violation: Violation)]>([])

    func append(_ call: PlannedCall, _ violation: Violation) { items.withLock { $0.append((call, violation)) } }

    var all: [(call: PlannedCall, violation: Violation)] { items.withLock { $0 } }
}
