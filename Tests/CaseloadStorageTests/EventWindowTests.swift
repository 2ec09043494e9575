import CaseloadStorage
import Foundation
import Testing

/// The Citus event poller's dedup and window (schema/029): every event handed on once, a late
/// commit inside the window still heard, memory bounded by the window.
@Suite("The event poller's window")
struct EventWindowTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)
    static let agency = UUID()

    func event(_ id: Int64, at seconds: TimeInterval, agency: UUID = agency) -> Database.LoggedEvent {
        .init(agency: agency, id: id, writtenAt: Self.start.addingTimeInterval(seconds), payload: "{\"n\":\(id)}")
    }

    @Test("each event is handed on once, however many polls see it again")
    func once() {
        var window = EventWindow(width: 30, start: Self.start)
        #expect(window.since == Self.start.addingTimeInterval(-30))
        #expect(window.admit([event(1, at: 1), event(2, at: 2)]).map(\.id) == [1, 2])
        #expect(window.admit([event(1, at: 1), event(2, at: 2), event(3, at: 3)]).map(\.id) == [3])
        #expect(window.newest == Self.start.addingTimeInterval(3))
        #expect(window.since == Self.start.addingTimeInterval(-27))
        #expect(window.admit([]).isEmpty)
    }

    @Test("an event that commits late, written before newer ones already handed on, is still handed on")
    func lateCommit() {
        var window = EventWindow(width: 30, start: Self.start)
        #expect(window.admit([event(7, at: 5)]).map(\.id) == [7])
        // Written at 4 s, committed after the poll that saw 5 s: inside the window.
        #expect(window.admit([event(6, at: 4), event(7, at: 5)]).map(\.id) == [6])
        #expect(window.newest == Self.start.addingTimeInterval(5), "an older write does not move the window back")
    }

    @Test("the same id in two agencies is two events; what falls out of the window is forgotten")
    func keysAndMemory() {
        var window = EventWindow(width: 10, start: Self.start)
        let other = UUID()
        #expect(window.admit([event(1, at: 1), event(1, at: 1, agency: other)]).count == 2)
        #expect(window.remembered == 2)
        #expect(window.admit([event(2, at: 20)]).map(\.id) == [2])
        #expect(window.remembered == 1, "events written more than 10 s before the newest are forgotten")
    }
}
