import Foundation

/// What an event poller has handed on, over a sliding window of write times.
///
/// Rows of `event_log` become visible when their transaction commits, not in the order of
/// their ids or write times: a transaction that wrote at 10:00:00.100 and committed at .900
/// shows up after one that wrote at .500 and committed at once. A poller that moved an id or
/// time cursor past what it saw would skip the late one for good. So each poll asks again for
/// everything written in the last `width` seconds before the newest write time seen, and this
/// hands on only what it has not handed on before. A transaction that commits more than
/// `width` after writing its event is not heard: the server makes the width longer than its
/// request deadline, which bounds a call's transaction.
public struct EventWindow: Sendable {
    public let width: TimeInterval
    /// The newest write time seen (at first, the database's clock when polling began).
    public private(set) var newest: Date
    private var handedOn: [Key: Date] = [:]

    private struct Key: Hashable {
        var agency: UUID
        var id: Int64
    }

    public init(width: TimeInterval, start: Date) {
        self.width = width
        self.newest = start
    }

    /// Where the next poll starts: `width` before the newest write seen.
    public var since: Date { newest.addingTimeInterval(-width) }

    /// The events of one poll not handed on before, in the order given; remembers them, moves
    /// the window on and forgets what fell out of it.
    public mutating func admit(_ events: [Database.LoggedEvent]) -> [Database.LoggedEvent] {
        var fresh: [Database.LoggedEvent] = []
        for event in events where handedOn.updateValue(event.writtenAt, forKey: Key(agency: event.agency, id: event.id)) == nil {
            fresh.append(event)
            newest = max(newest, event.writtenAt)
        }
        let horizon = since
        handedOn = handedOn.filter { $0.value > horizon }
        return fresh
    }

    /// How many events it remembers (all written within the window).
    public var remembered: Int { handedOn.count }
}
