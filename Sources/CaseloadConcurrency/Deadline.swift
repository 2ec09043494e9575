import Synchronization

/// Thrown by `withDeadline` when the work neither finished by its deadline nor stopped
/// within the grace period after being cancelled: it was left running, unawaited.
public struct WorkAbandoned: Error, Sendable, CustomStringConvertible {
    public var description: String { "the work did not stop when cancelled at its deadline and was abandoned" }
}

/// Runs `work` in a task of its own and returns what it returns, but never waits for it past
/// `deadline + grace`: at the deadline the work is cancelled; if it has not finished `grace`
/// later, `WorkAbandoned` is thrown and the work is left to finish (or not) on its own.
///
/// Why not a task group: a group waits for every child, and some awaits cannot be cancelled —
/// postgres-nio's `query` on a connection that closed as the query was written waits for ever
/// (its write is dropped with the promise that would have failed it; vapor/postgres-nio#487 was
/// reverted). A caller's answer, and a server's shutdown, must not hang on that.
///
/// Why not a `Task.sleep` for the deadline: a cancelled sleep's timer stays queued until the
/// time it was set for, so with a 30 s deadline every call left its timer behind for 30 s.
/// At thousands of calls a second that held tens of megabytes, and the heap kept the high-water
/// mark (the server's resident size grew by 140 MB under 437,000 pings). The deadline is an
/// entry on the process's `DeadlineClock` instead, removed the moment the call finishes.
///
/// Cancelling the calling task cancels the work; its answer still comes from the work (or from
/// the deadline, if the work ignores cancellation).
public func withDeadline<T: Sendable>(
    _ deadline: Duration, grace: Duration = .zero, _ work: @escaping @Sendable () async throws -> T
) async throws -> T {
    let race = DeadlineRace<T>()
    let handle = AbandonableWork(abandon: { error in
        race.finish(.failure(error))
        race.cancelWork()
    })
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            race.start(
                continuation,
                work: Task {
                    do {
                        let result = try await AbandonableWork.$current.withValue(handle) { try await work() }
                        race.finish(.success(result))
                    } catch {
                        race.finish(.failure(error))
                    }
                },
                deadline: deadline, grace: grace)
        }
    } onCancel: {
        race.cancelWork()
    }
}

/// The work of the `withDeadline` the current task runs under, for whoever learns that it
/// cannot finish — the database layer, when PostgreSQL went away under it — to answer its
/// caller now, with `error`, instead of at the deadline.
public struct AbandonableWork: Sendable {
    @TaskLocal public static var current: AbandonableWork?

    /// Answers the caller with `error` (unless it has its answer already) and cancels the work.
    public let abandon: @Sendable (any Error) -> Void
}

/// The shared state of one `withDeadline`: whoever finishes first resumes the caller.
private final class DeadlineRace<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var work: Task<Void, Never>?
        /// The deadline (then the end of the grace period) on `DeadlineClock`, while pending.
        var timer: UInt64?
        /// The first verdict, kept until the continuation is there to take it.
        var result: Result<T, any Error>?
        var cancelled = false
    }
    private let state = Mutex(State())

    func start(_ continuation: CheckedContinuation<T, any Error>, work: Task<Void, Never>, deadline: Duration, grace: Duration) {
        // The work runs at once: the verdict may be in before anything is recorded here.
        let (early, cancel) = state.withLock { s -> (Result<T, any Error>?, Bool) in
            s.work = work
            if s.result == nil { s.continuation = continuation }
            return (s.result, s.cancelled)
        }
        if cancel { work.cancel() }
        if let early {
            continuation.resume(with: early)
            return
        }
        schedule(after: deadline) { race in
            race.cancelWork()
            race.schedule(after: grace) { $0.finish(.failure(WorkAbandoned())) }
        }
    }

    /// Runs `action` after `delay`, unless a verdict is in by then.
    private func schedule(after delay: Duration, _ action: @escaping @Sendable (DeadlineRace) -> Void) {
        let timer = DeadlineClock.shared.add(after: delay) { action(self) }
        let stale = state.withLock { s -> Bool in
            guard s.result == nil else { return true }
            s.timer = timer
            return false
        }
        if stale { DeadlineClock.shared.remove(timer) }
    }

    /// The work's result, or the deadline's verdict; the first one counts.
    func finish(_ result: Result<T, any Error>) {
        let (continuation, timer) = state.withLock { s -> (CheckedContinuation<T, any Error>?, UInt64?) in
            guard s.result == nil else { return (nil, nil) }
            s.result = result
            defer { (s.continuation, s.timer) = (nil, nil) }
            return (s.continuation, s.timer)
        }
        if let timer { DeadlineClock.shared.remove(timer) }
        continuation?.resume(with: result)
    }

    func cancelWork() {
        let work = state.withLock { s -> Task<Void, Never>? in
            s.cancelled = true
            return s.work
        }
        work?.cancel()
    }
}
