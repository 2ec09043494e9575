import CaseloadConcurrency
import Synchronization
import Testing

@Suite("AsyncGate: at most N at once, in turn, and a cancelled waiter leaves")
struct AsyncGateTests {
    final class Log: Sendable {
        private let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }
        func add(_ line: String) { lines.withLock { $0.append(line) } }
    }
    final class Count: Sendable {
        private let value = Atomic(0)
        private let highest = Atomic(0)
        var now: Int { value.load(ordering: .relaxed) }
        var most: Int { highest.load(ordering: .relaxed) }
        func up() { _ = highest.max(value.add(1, ordering: .relaxed).newValue, ordering: .relaxed) }
        func down() { value.subtract(1, ordering: .relaxed) }
    }

    /// Waits (briefly) until `condition` holds.
    private func eventually(_ condition: () -> Bool) async throws -> Bool {
        for _ in 0..<500 {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(5))
        }
        return condition()
    }

    @Test("with one permit the second body waits for the first, and the third for the second, in order")
    func oneAtATime() async throws {
        let gate = AsyncGate(permits: 1)
        let log = Log()
        let (release, releaser) = AsyncStream<Void>.makeStream()
        try await withThrowingTaskGroup { group in
            group.addTask {
                try await gate.withPermit {
                    log.add("first in")
                    for await _ in release { break }
                    log.add("first out")
                }
            }
            #expect(try await eventually { log.all == ["first in"] })
            group.addTask { try await gate.withPermit { log.add("second") } }
            #expect(try await eventually { gate.waiting == 1 })
            group.addTask { try await gate.withPermit { log.add("third") } }
            #expect(try await eventually { gate.waiting == 2 })
            #expect(log.all == ["first in"])
            releaser.yield()
            try await group.waitForAll()
        }
        #expect(log.all == ["first in", "first out", "second", "third"])
        #expect(gate.waiting == 0)
    }

    @Test("a waiter cancelled in the queue throws CancellationError, runs nothing and takes no permit")
    func cancelledWaiter() async throws {
        let gate = AsyncGate(permits: 1)
        let ran = Count()
        let (release, releaser) = AsyncStream<Void>.makeStream()
        let holder = Task { try await gate.withPermit { for await _ in release { break } } }
        #expect(try await eventually { gate.waiting == 0 })
        try await Task.sleep(for: .milliseconds(20))
        let waiter = Task { try await gate.withPermit { ran.up() } }
        #expect(try await eventually { gate.waiting == 1 })
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(gate.waiting == 0)
        #expect(ran.now == 0)
        releaser.yield()
        try await holder.value
        // The permit came back: the next body runs at once.
        try await gate.withPermit { ran.up() }
        #expect(ran.now == 1)
    }

    @Test("N permits let N bodies run together and no more")
    func severalPermits() async throws {
        let gate = AsyncGate(permits: 3)
        let running = Count()
        try await withThrowingTaskGroup { group in
            for _ in 0..<12 {
                group.addTask {
                    try await gate.withPermit {
                        running.up()
                        try await Task.sleep(for: .milliseconds(10))
                        running.down()
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(running.most == 3)
        #expect(gate.waiting == 0)
    }
}
