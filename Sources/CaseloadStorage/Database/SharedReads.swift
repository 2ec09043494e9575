import Synchronization

/// Lets the read-only calls of one caller that are in flight together share one read-only
/// transaction, so a client that pipelines reads pays for BEGIN, the agency context and
/// COMMIT once per group instead of once per call (three of a `case.get`'s four round trips).
///
/// The first call of a group leads: it opens the transaction. Calls that arrive while it
/// opens wait for it; calls that arrive while the group is open join at once, up to
/// `maximumJoins`. The group closes once the leader is done and the last call has left, and
/// the leader commits. A call keyed differently (another agency, user or timeout) runs alone,
/// and a full group gives its place to the next one at once, while it drains on its own.
///
/// Sharing a read-only transaction changes nothing a caller can see: at READ COMMITTED every
/// statement takes its own snapshot, and nothing is written. A statement that fails aborts the
/// transaction for the rest of the group; `Database.withSharedRead` runs those calls again alone.
///
/// Generic over the connection so the state machine can be tested without a database.
public final class SharedReads<Key: Equatable & Sendable, Connection: Sendable>: Sendable {
    /// What `take` gives a call.
    public enum Seat: Sendable {
        /// Open the transaction, then call `opened` (or `failed`), and `finish` when done.
        case lead(UInt64)
        /// Use this connection's open transaction, then call `leave`.
        case join(UInt64, Connection)
        /// Run in a transaction of your own.
        case alone
    }

    private enum Phase {
        case idle
        case opening(Key, group: UInt64, waiters: [CheckedContinuation<Seat, Never>])
        case open(Key, group: UInt64, Connection, joined: Int)
    }

    private struct State {
        var phase = Phase.idle
        /// Joined calls still working, by group (a group is here from `opened` until drained).
        var working: [UInt64: Int] = [:]
        /// Leaders waiting for their group to drain.
        var draining: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextGroup: UInt64 = 0
    }

    private let state = Mutex(State())
    /// The most calls that may join one group (its leader not counted).
    public let maximumJoins: Int

    public init(maximumJoins: Int = 31) {
        self.maximumJoins = maximumJoins
    }

    /// A seat for a call keyed `key`: may wait while another call opens the group it joins.
    public func take(_ key: Key) async -> Seat {
        if let seat = state.withLock({ arrive(key, &$0, queueing: nil) }) { return seat }
        return await withCheckedContinuation { continuation in
            // Asked again: the group may have opened, failed or filled meanwhile.
            if let seat = state.withLock({ arrive(key, &$0, queueing: continuation) }) { continuation.resume(returning: seat) }
        }
    }

    /// The seat of a call arriving now, or nil when it is to wait for the group being opened
    /// (`waiter`, when given, is queued for it).
    private func arrive(_ key: Key, _ s: inout State, queueing waiter: CheckedContinuation<Seat, Never>?) -> Seat? {
        switch s.phase {
        case .idle:
            s.nextGroup &+= 1
            s.phase = .opening(key, group: s.nextGroup, waiters: [])
            return .lead(s.nextGroup)
        case .opening(let k, let group, var waiters) where k == key && waiters.count < maximumJoins:
            if let waiter {
                waiters.append(waiter)
                s.phase = .opening(k, group: group, waiters: waiters)
            }
            return nil
        case .open(let k, let group, let connection, let joined) where k == key:
            // A full group leaves the slot to the next one.
            s.phase = joined + 1 < maximumJoins ? .open(k, group: group, connection, joined: joined + 1) : .idle
            s.working[group, default: 0] += 1
            return .join(group, connection)
        default:
            return .alone
        }
    }

    /// The leader's transaction is open on `connection`: the calls waiting for it join.
    public func opened(_ group: UInt64, on connection: Connection) {
        let waiters = state.withLock { s -> [CheckedContinuation<Seat, Never>] in
            guard case .opening(let key, group, let waiters) = s.phase else { return [] }
            s.phase = waiters.count < maximumJoins ? .open(key, group: group, connection, joined: waiters.count) : .idle
            s.working[group] = waiters.count
            return waiters
        }
        for waiter in waiters { waiter.resume(returning: .join(group, connection)) }
    }

    /// The leader could not open its transaction: the calls waiting for it run alone.
    /// Harmless after `opened`.
    public func failed(_ group: UInt64) {
        let waiters = state.withLock { s -> [CheckedContinuation<Seat, Never>] in
            guard case .opening(_, group, let waiters) = s.phase else { return [] }
            s.phase = .idle
            return waiters
        }
        for waiter in waiters { waiter.resume(returning: .alone) }
    }

    /// A joined call is done with the connection.
    public func leave(_ group: UInt64) {
        let leader = state.withLock { s -> CheckedContinuation<Void, Never>? in
            guard let n = s.working[group] else { return nil }
            guard n <= 1 else {
                s.working[group] = n - 1
                return nil
            }
            s.working[group] = 0
            guard let leader = s.draining.removeValue(forKey: group) else { return nil }
            s.working[group] = nil
            if case .open(_, group, _, _) = s.phase { s.phase = .idle }
            return leader
        }
        leader?.resume()
    }

    /// The leader is done: returns once every call that joined has left (calls may still join
    /// until then), and the group is closed; then the leader may commit.
    public func finish(_ group: UInt64) async {
        let done = state.withLock { s -> Bool in
            guard let n = s.working[group], n > 0 else {
                if case .open(_, group, _, _) = s.phase { s.phase = .idle }
                s.working[group] = nil
                return true
            }
            return false
        }
        if done { return }
        await withCheckedContinuation { continuation in
            let drained = state.withLock { s -> Bool in
                guard let n = s.working[group], n > 0 else {
                    s.working[group] = nil
                    return true
                }
                s.draining[group] = continuation
                return false
            }
            if drained { continuation.resume() }
        }
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
