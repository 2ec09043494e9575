import Synchronization

/// At most `permits` bodies run at once; the others wait their turn, first come first
/// served. A waiting task that is cancelled (its request deadline passed) leaves the queue at
/// once with `CancellationError` and takes no permit.
///
/// The server runs its heavy calls (the reports) through one, so a month-end of reports takes
/// turns instead of taking every core from the interactive calls beside it.
public final class AsyncGate: Sendable {
    private struct State {
        var available: Int
        /// Waiters not yet queued (their continuation is being set up), by id.
        var arriving: Set<UInt64> = []
        var queue: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
        var nextID: UInt64 = 0
    }

    private let state: Mutex<State>
    public let permits: Int

    public init(permits: Int) {
        self.permits = max(1, permits)
        state = Mutex(State(available: max(1, permits)))
    }

    /// Runs `body` once a permit is free, and frees it after.
    public func withPermit<T: Sendable>(_ body: () async throws -> sending T) async throws -> sending T {
        try await acquire()
        defer { release() }
        return try await body()
    }

    /// Bodies waiting for a permit (for metrics and tests).
    public var waiting: Int { state.withLock { $0.queue.count + $0.arriving.count } }

    private func acquire() async throws {
        let id: UInt64? = state.withLock { s in
            if s.available > 0 {
                s.available -= 1
                return nil
            }
            s.nextID &+= 1
            s.arriving.insert(s.nextID)
            return s.nextID
        }
        guard let id else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Next { case go, wait, cancelled }
                let next: Next = state.withLock { s in
                    // Cancelled before it could queue: the handler took it out of `arriving`.
                    guard s.arriving.remove(id) != nil else { return .cancelled }
                    if s.available > 0 {
                        s.available -= 1
                        return .go
                    }
                    s.queue.append((id, continuation))
                    return .wait
                }
                switch next {
                case .go: continuation.resume()
                case .wait: break
                case .cancelled: continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            let queued: CheckedContinuation<Void, any Error>? = state.withLock { s in
                if s.arriving.remove(id) != nil { return nil }
                guard let index = s.queue.firstIndex(where: { $0.id == id }) else { return nil }  // granted already
                return s.queue.remove(at: index).continuation
            }
            queued?.resume(throwing: CancellationError())
        }
    }

    private func release() {
        let next: CheckedContinuation<Void, any Error>? = state.withLock { s in
            guard !s.queue.isEmpty else {
                s.available += 1
                return nil
            }
            // The permit passes straight to the first in line.
            return s.queue.removeFirst().continuation
        }
        next?.resume()
    }
}
