@testable import CaseloadConcurrency
import Synchronization
import Testing

/// `withDeadline`: the answer comes from the work or from the deadline, never later.
@Suite("withDeadline", .timeLimit(.minutes(1)))
struct WithDeadlineTests {
    final class Flag: Sendable {
        private let value = Mutex(false)
        var isSet: Bool { value.withLock { $0 } }
        func set() { value.withLock { $0 = true } }
    }

    /// Work that ignores cancellation, as a postgres-nio query on a closed connection does.
    static func stuck(until release: Flag) async {
        while !release.isSet { try? await Task.sleep(for: .milliseconds(5)) }
    }

    @Test("work that finishes in time gives its result or its error")
    func inTime() async throws {
        #expect(try await withDeadline(.seconds(5)) { 42 } == 42)
        struct Refused: Error {}
        await #expect(throws: Refused.self) { try await withDeadline(.seconds(5)) { () async throws -> Int in throw Refused() } }
    }

    @Test("cancellable work is cancelled at the deadline and its own error comes back within the grace")
    func cancellable() async throws {
        let started = ContinuousClock.now
        await #expect(throws: CancellationError.self) {
            try await withDeadline(.milliseconds(100), grace: .seconds(10)) { () async throws -> Int in
                try await Task.sleep(for: .seconds(60))
                return 1
            }
        }
        #expect(ContinuousClock.now - started < .seconds(9))
    }

    @Test("work that ignores cancellation is abandoned after the grace, and the caller is answered")
    func abandoned() async throws {
        let release = Flag()
        let finished = Flag()
        await #expect(throws: WorkAbandoned.self) {
            try await withDeadline(.milliseconds(50), grace: .milliseconds(50)) { () async throws -> Int in
                await Self.stuck(until: release)
                finished.set()
                return 1
            }
        }
        #expect(!finished.isSet)
        release.set()
    }

    @Test("the work can be answered for early, with a given error, through AbandonableWork.current")
    func abandonedEarly() async throws {
        struct Gone: Error {}
        let release = Flag()
        let started = ContinuousClock.now
        await #expect(throws: Gone.self) {
            try await withDeadline(.seconds(60)) { () async throws -> Int in
                let work = try #require(AbandonableWork.current)
                Task { work.abandon(Gone()) }
                await Self.stuck(until: release)
                return 1
            }
        }
        #expect(ContinuousClock.now - started < .seconds(30))
        release.set()
        #expect(AbandonableWork.current == nil)
    }

    @Test("cancelling the caller cancels the work")
    func callerCancelled() async throws {
        let task = Task {
            try await withDeadline(.seconds(60), grace: .seconds(60)) { () async throws -> Int in
                try await Task.sleep(for: .seconds(60))
                return 1
            }
        }
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
    }

    @Test("the deadline clock fires an entry once it is due, never one removed first, and stops ticking when empty")
    func clock() async throws {
        let clock = DeadlineClock(tick: .milliseconds(5))
        let due = Flag()
        let removed = Flag()
        _ = clock.add(after: .milliseconds(30)) { due.set() }
        let cancelled = clock.add(after: .milliseconds(30)) { removed.set() }
        clock.remove(cancelled)
        #expect(clock.pending.entries == 1)
        let started = ContinuousClock.now
        while !due.isSet, ContinuousClock.now - started < .seconds(10) { try await Task.sleep(for: .milliseconds(5)) }
        #expect(due.isSet)
        #expect(ContinuousClock.now - started >= .milliseconds(30))
        try await Task.sleep(for: .milliseconds(100))
        #expect(!removed.isSet)
        #expect(clock.pending.entries == 0)
        #expect(!clock.pending.ticking)
        // An entry added after it stopped starts it again.
        let again = Flag()
        _ = clock.add(after: .zero) { again.set() }
        while !again.isSet, ContinuousClock.now - started < .seconds(10) { try await Task.sleep(for: .milliseconds(5)) }
        #expect(again.isSet)
    }

    @Test("calls that finish leave nothing on the deadline clock (a sleeping task per call kept every deadline for its full time)")
    func finishedCallsLeaveNothing() async throws {
        for _ in 0..<1000 { _ = try await withDeadline(.seconds(3600)) { 1 } }
        // Other tests' calls may be in flight on the shared clock, but not a thousand of these.
        #expect(DeadlineClock.shared.pending.entries < 100)
    }
}
