import Synchronization

/// The deadlines of every `withDeadline` call in the process, fired by one ticking task.
///
/// A timer per call was the first design, and both kinds tried cost more than the call could
/// afford: a cancelled `Task.sleep` stays queued until its time (30 s of every call's timer
/// held in memory), and a dispatch timer per call cost 8% of a `case.get`'s CPU. Here a call
/// adds an entry and removes it when it finishes (a lock and a dictionary operation each),
/// and one task, running only while there are entries, fires those due every `tick`. So a
/// deadline fires up to one tick late.
final class DeadlineClock: Sendable {
    static let shared = DeadlineClock(tick: .milliseconds(20))

    private struct Entry {
        let due: ContinuousClock.Instant
        let fire: @Sendable () -> Void
    }
    private struct State {
        var nextID: UInt64 = 0
        var entries: [UInt64: Entry] = [:]
        var ticking = false
    }
    private let state = Mutex(State())
    private let tick: Duration

    init(tick: Duration) { self.tick = tick }

    /// Calls `fire` once `delay` has passed, unless `remove` comes first. Returns the entry's id.
    func add(after delay: Duration, _ fire: @escaping @Sendable () -> Void) -> UInt64 {
        let (id, start) = state.withLock { s -> (UInt64, Bool) in
            s.nextID += 1
            s.entries[s.nextID] = Entry(due: .now + delay, fire: fire)
            defer { s.ticking = true }
            return (s.nextID, !s.ticking)
        }
        if start { Task.detached { await self.run() } }
        return id
    }

    func remove(_ id: UInt64) {
        _ = state.withLock { $0.entries.removeValue(forKey: id) }
    }

    /// Entries not yet fired or removed, and whether the ticking task runs (for tests).
    var pending: (entries: Int, ticking: Bool) { state.withLock { ($0.entries.count, $0.ticking) } }

    /// Ticks until no entry is left (the next `add` starts it again).
    private func run() async {
        while true {
            try? await Task.sleep(for: tick)
            let now = ContinuousClock.now
            let (due, done) = state.withLock { s -> ([Entry], Bool) in
                let due = s.entries.filter { $0.value.due <= now }
                for id in due.keys { s.entries[id] = nil }
                if s.entries.isEmpty { s.ticking = false }
                return (Array(due.values), s.entries.isEmpty)
            }
            for entry in due { entry.fire() }
            if done { return }
        }
    }
}
