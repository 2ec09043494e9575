import CaseloadCore
import Synchronization

/// At most `perMinute` events per client address in any one-minute window (a fixed window per
/// address, started by its first event). Memory is bounded by `maximumAddresses`: when full,
/// addresses whose window has ended are forgotten first, then the oldest.
final class AddressRateLimiter: Sendable {
    let perMinute: Int
    let maximumAddresses: Int
    private let windows = Mutex<[String: (started: ContinuousClock.Instant, count: Int)]>([:])
    private static let window: Duration = .seconds(60)

    init(perMinute: Int, maximumAddresses: Int = 10_000) {
        self.perMinute = perMinute
        self.maximumAddresses = maximumAddresses
    }

    /// Counts an event from `address`: nil when allowed, else how long until it would be.
    func take(_ address: String, now: ContinuousClock.Instant = .now) -> Duration? {
        windows.withLock { table in
            if var current = table[address], now - current.started < Self.window {
                guard current.count < perMinute else { return Self.window - (now - current.started) }
                current.count += 1
                table[address] = current
                return nil
            }
            if table.count >= maximumAddresses {
                table = table.filter { now - $0.value.started < Self.window }
                if table.count >= maximumAddresses, let oldest = table.min(by: { $0.value.started < $1.value.started })?.key {
                    table[oldest] = nil
                }
            }
            table[address] = (now, 1)
            return nil
        }
    }
}
