import Synchronization

/// Lets the read-only calls of one caller that are in flight together share one read-only
/// transaction, so a client that pipelines reads pays for BEGIN, the agency context and
/// COMMIT once per group instead of once per call (three of a `case.get`'s four round trips).
///
/// The transaction belongs to the group, not to any call in it, so no call waits for another:
/// the first call of a group asks for it to be opened (`take`'s `open`, which starts a task
/// that runs it), and waits with the calls that come while it opens; once `opened`, calls join
/// at once, up to `maximumCalls`. The group closes the first time its last call leaves, and
/// then its task commits (`drained`). A call keyed differently (another agency, user or
/// timeout) runs alone, and a full group gives its place to the next one at once while it
/// drains on its own.
///
/// Sharing a read-only transaction changes nothing a caller can see: at READ COMMITTED every
/// statement takes its own snapshot, and nothing is written. A statement that fails aborts the
/// transaction for the rest of the group; `Database.withSharedRead` runs those calls again alone.
///
/// Generic over the connection so the state machine can be tested without a database.
public final class SharedReads<Key: Equatable & Sendable, Connection: Sendable>: Sendable {
    /// What `take` gives a call.
    public enum Seat: Sendable {
        /// Use this connection's open transaction, then call `leave`.
        case join(UInt64, Connection)
        /// Run in a transaction of your own.
        case alone
    }

    private enum Phase {
        case idle
        case opening(Key, group: UInt64, waiters: [CheckedContinuation<Seat, Never>])
        case open(Key, group: UInt64, Connection, calls: Int)
    }

    private struct State {
        var phase = Phase.idle
        /// Calls still working, by group (a group is here from `opened` until it is drained).
        var working: [UInt64: Int] = [:]
        /// The tasks of groups waiting to be drained.
        var draining: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextGroup: UInt64 = 0
    }

    private let state = Mutex(State())
    /// The most calls one group serves.
    public let maximumCalls: Int

    public init(maximumCalls: Int = 32) {
        self.maximumCalls = maximumCalls
    }

    /// A seat for a call keyed `key`. When no group is open or opening, this call's starts one:
    /// `open` is called with its number, and must lead to `opened` or `failed`.
    public func take(_ key: Key, open: (UInt64) -> Void) async -> Seat {
        if let seat = state.withLock({ arrive(key, &$0, queueing: nil).seat }) { return seat }
        return await withCheckedContinuation { continuation in
            // Asked again, now queueing: the group may have opened, failed or filled meanwhile.
            let (seat, created) = state.withLock { arrive(key, &$0, queueing: continuation) }
            if let created { open(created) }
            if let seat { continuation.resume(returning: seat) }
        }
    }

    /// The seat of a call arriving now, or nil when it is to wait for a group being opened:
    /// `waiter`, when given, is queued for it, in a new group (`created`) if none is opening.
    private func arrive(
        _ key: Key, _ s: inout State, queueing waiter: CheckedContinuation<Seat, Never>?
    ) -> (seat: Seat?, created: UInt64?) {
        switch s.phase {
        case .idle:
            guard let waiter else { return (nil, nil) }
            s.nextGroup &+= 1
            s.phase = .opening(key, group: s.nextGroup, waiters: [waiter])
            return (nil, s.nextGroup)
        case .opening(let k, let group, var waiters) where k == key && waiters.count < maximumCalls:
            if let waiter {
                waiters.append(waiter)
                s.phase = .opening(k, group: group, waiters: waiters)
            }
            return (nil, nil)
        case .open(let k, let group, let connection, let calls) where k == key:
            // A full group gives its place to the next one.
            s.phase = calls + 1 < maximumCalls ? .open(k, group: group, connection, calls: calls + 1) : .idle
            s.working[group, default: 0] += 1
            return (.join(group, connection), nil)
        default:
            return (.alone, nil)
        }
    }

    /// The group's transaction is open on `connection`: the calls waiting for it join.
    public func opened(_ group: UInt64, on connection: Connection) {
        let waiters = state.withLock { s -> [CheckedContinuation<Seat, Never>] in
            guard case .opening(let key, group, let waiters) = s.phase else { return [] }
            s.phase = waiters.count < maximumCalls ? .open(key, group: group, connection, calls: waiters.count) : .idle
            s.working[group] = waiters.count
            return waiters
        }
        for waiter in waiters { waiter.resume(returning: .join(group, connection)) }
    }

    /// The group's transaction could not be opened: the calls waiting for it run alone.
    /// Harmless after `opened`.
    public func failed(_ group: UInt64) {
        let waiters = state.withLock { s -> [CheckedContinuation<Seat, Never>] in
            guard case .opening(_, group, let waiters) = s.phase else { return [] }
            s.phase = .idle
            return waiters
        }
        for waiter in waiters { waiter.resume(returning: .alone) }
    }

    /// A call is done with the group's connection; the last one out closes the group.
    public func leave(_ group: UInt64) {
        let drained = state.withLock { s -> CheckedContinuation<Void, Never>? in
            guard let n = s.working[group] else { return nil }
            s.working[group] = n - 1
            guard n <= 1, let drained = s.draining.removeValue(forKey: group) else { return nil }
            close(group, &s)
            return drained
        }
        drained?.resume()
    }

    /// For the group's task, after `opened`: returns once the group is closed and every call
    /// has left (calls may join until then); then the transaction may commit.
    public func drained(_ group: UInt64) async {
        if state.withLock({ closeIfDone(group, &$0) }) { return }
        await withCheckedContinuation { continuation in
            let done = state.withLock { s -> Bool in
                if closeIfDone(group, &s) { return true }
                s.draining[group] = continuation
                return false
            }
            if done { continuation.resume() }
        }
    }

    private func closeIfDone(_ group: UInt64, _ s: inout State) -> Bool {
        guard (s.working[group] ?? 0) == 0 else { return false }
        close(group, &s)
        return true
    }

    private func close(_ group: UInt64, _ s: inout State) {
        s.working[group] = nil
        if case .open(_, group, _, _) = s.phase { s.phase = .idle }
    }

    /// Calls waiting for a group to open (for tests).
    var waiting: Int {
        state.withLock { s in
            if case .opening(_, _, let waiters) = s.phase { return waiters.count }
            return 0
        }
    }

    /// Nothing open, opening or draining (for tests).
    var isQuiet: Bool {
        state.withLock { s in
            guard case .idle = s.phase else { return false }
            return s.working.isEmpty && s.draining.isEmpty
        }
    }
}
