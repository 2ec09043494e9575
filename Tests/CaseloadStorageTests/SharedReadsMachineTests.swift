@testable import CaseloadStorage
import Synchronization
import Testing

/// How a seat reads in an expectation.
private func describe<K, C>(_ seat: SharedReads<K, C>.Seat) -> String {
    switch seat {
    case .join(_, let connection): "join \(connection)"
    case .alone: "alone"
    }
}

/// A counter the test's tasks share.
private final class Counter: Sendable {
    private let value = Atomic(0)
    var count: Int { value.load(ordering: .relaxed) }
    func add() { value.add(1, ordering: .relaxed) }
}

/// The groups a `SharedReads` asked to open, in order.
private final class Opened: Sendable {
    private let groups = Mutex<[UInt64]>([])
    var all: [UInt64] { groups.withLock { $0 } }
    func record(_ group: UInt64) { groups.withLock { $0.append(group) } }
}

/// Waits (briefly) until `condition` holds; false if it never did.
private func eventually(_ condition: () -> Bool) async throws -> Bool {
    for _ in 0..<500 {
        if condition() { return true }
        try await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}

/// An `open` that must not be called.
private func noOpen(_ group: UInt64) { Issue.record("group \(group) opened unexpectedly") }


@Suite("The state machine of shared read transactions")
struct SharedReadsMachineTests {
    @Test("the first call starts a group; same-key calls wait for it and join; other keys and overflow run alone")
    func startWaitJoin() async throws {
        let reads = SharedReads<String, Int>(maximumCalls: 3)
        let opened = Opened()
        async let first = reads.take("agency A") { opened.record($0) }
        #expect(try await eventually { reads.waiting == 1 })
        let g = try #require(opened.all.first)
        async let second = reads.take("agency A", open: noOpen)
        async let third = reads.take("agency A", open: noOpen)
        #expect(try await eventually { reads.waiting == 3 })
        #expect(describe(await reads.take("agency B", open: noOpen)) == "alone")
        // Full (three calls): a fourth runs alone rather than wait.
        #expect(describe(await reads.take("agency A", open: noOpen)) == "alone")
        reads.opened(g, on: 7)
        #expect(describe(await first) == "join 7")
        #expect(describe(await second) == "join 7")
        #expect(describe(await third) == "join 7")

        // A full group no longer holds the place: the next call starts a group of its own.
        async let next = reads.take("agency A") { opened.record($0) }
        #expect(try await eventually { opened.all.count == 2 })
        #expect(opened.all[1] != g)
        reads.failed(opened.all[1])
        #expect(describe(await next) == "alone")

        // The group's task is drained only once all three calls have left.
        let finished = Counter()
        async let draining: Void = { await reads.drained(g); finished.add() }()
        reads.leave(g)
        reads.leave(g)
        for _ in 0..<20 { await Task.yield() }
        try await Task.sleep(for: .milliseconds(50))
        #expect(finished.count == 0)
        reads.leave(g)
        await draining
        #expect(finished.count == 1)
        #expect(reads.isQuiet)
    }

    @Test("a group that cannot be opened sends its calls off alone")
    func failedOpening() async throws {
        let reads = SharedReads<String, Int>()
        let opened = Opened()
        async let first = reads.take("k") { opened.record($0) }
        async let second = reads.take("k") { opened.record($0) }
        #expect(try await eventually { reads.waiting == 2 })
        #expect(opened.all.count == 1)
        reads.failed(try #require(opened.all.first))
        #expect(describe(await first) == "alone")
        #expect(describe(await second) == "alone")
        // Once failed, `opened` for it is ignored and nothing stays behind.
        reads.opened(try #require(opened.all.first), on: 1)
        #expect(reads.isQuiet)
    }

    @Test("while open, calls join at once; the group closes the first time its last call leaves with its task draining")
    func joinWhileOpen() async throws {
        let reads = SharedReads<String, Int>(maximumCalls: 4)
        let opened = Opened()
        async let first = reads.take("k") { opened.record($0) }
        #expect(try await eventually { reads.waiting == 1 })
        let g = try #require(opened.all.first)
        reads.opened(g, on: 5)
        #expect(describe(await first) == "join 5")
        reads.leave(g)
        // Its task has not asked to drain yet: the group is still open to new calls.
        #expect(describe(await reads.take("k", open: noOpen)) == "join 5")
        async let draining: Void = reads.drained(g)
        // While a call works, the group stays open, up to the limit.
        #expect(describe(await reads.take("k", open: noOpen)) == "join 5")
        #expect(describe(await reads.take("k", open: noOpen)) == "join 5")
        reads.leave(g)
        reads.leave(g)
        reads.leave(g)
        await draining
        #expect(reads.isQuiet)
        // Closed: the next call starts a new group.
        async let next = reads.take("k") { opened.record($0) }
        #expect(try await eventually { opened.all.count == 2 })
        reads.failed(opened.all[1])
        #expect(describe(await next) == "alone")
    }
}
