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
                timer: Task {
                    do {
                        try await Task.sleep(for: deadline)
                        race.cancelWork()
                        try await Task.sleep(for: grace)
                        race.finish(.failure(WorkAbandoned()))
                    } catch {}  // cancelled: the work finished first
                })
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
        var timer: Task<Void, Never>?
        /// The first verdict, kept until the continuation is there to take it.
        var result: Result<T, any Error>?
        var cancelled = false
    }
    private let state = Mutex(State())

    func start(_ continuation: CheckedContinuation<T, any Error>, work: Task<Void, Never>, timer: Task<Void, Never>) {
        // The tasks run at once: the verdict may be in before they are recorded here.
        let (early, cancel) = state.withLock { s -> (Result<T, any Error>?, Bool) in
            (s.work, s.timer) = (work, timer)
            if s.result == nil { s.continuation = continuation }
            return (s.result, s.cancelled)
        }
        if cancel { work.cancel() }
        if let early {
            timer.cancel()
            continuation.resume(with: early)
        }
    }

    /// The work's result, or the deadline's verdict; the first one counts.
    func finish(_ result: Result<T, any Error>) {
        let (continuation, timer) = state.withLock { s -> (CheckedContinuation<T, any Error>?, Task<Void, Never>?) in
            guard s.result == nil else { return (nil, nil) }
            s.result = result
            defer { s.continuation = nil }
            return (s.continuation, s.timer)
        }
        timer?.cancel()
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
