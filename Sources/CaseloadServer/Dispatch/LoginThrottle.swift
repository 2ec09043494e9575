import Synchronization

/// Slows and then stops guessing at tokens, per source address.
///
/// The first few failures cost nothing; after that each failed login is answered only after
/// a delay that doubles up to `maximumDelay`; at `limit` failures within `window` the address
/// gets `rate_limited` until its oldest failure leaves the window. A success clears the
/// address. (A token has 256 random bits, so this protects the server and the logs more than
/// the tokens.) Per server instance; memory is bounded by `maximumAddresses`.
public final class LoginThrottle: Sendable {
    public struct Policy: Sendable, Hashable {
        public var freeFailures = 3
        public var limit = 10
        public var window: Duration = .seconds(600)
        public var maximumDelay: Duration = .seconds(2)
        public var maximumAddresses = 10_000
        public init() {}
    }

    public let policy: Policy
    private let failures = Mutex<[String: [ContinuousClock.Instant]]>([:])

    public init(policy: Policy = Policy()) {
        self.policy = policy
    }

    /// Nil when `address` may try to log in; otherwise how long until it may.
    public func retryAfter(_ address: String, now: ContinuousClock.Instant = .now) -> Duration? {
        failures.withLock { table in
            let recent = (table[address] ?? []).filter { now - $0 < policy.window }
            table[address] = recent.isEmpty ? nil : recent
            guard recent.count >= policy.limit, let oldest = recent.first else { return nil }
            return policy.window - (now - oldest)
        }
    }

    /// Records a failure; returns how long to wait before answering it.
    public func failed(_ address: String, now: ContinuousClock.Instant = .now) -> Duration {
        failures.withLock { table in
            if table.count >= policy.maximumAddresses, table[address] == nil {
                // Forget addresses whose failures are all old; if none, the oldest entry.
                table = table.filter { _, times in times.contains { now - $0 < policy.window } }
                if table.count >= policy.maximumAddresses, let stalest = table.min(by: { $0.value.last! < $1.value.last! })?.key {
                    table[stalest] = nil
                }
            }
            var recent = (table[address] ?? []).filter { now - $0 < policy.window }
            recent.append(now)
            table[address] = recent
            let over = recent.count - policy.freeFailures
            guard over > 0 else { return .zero }
            let delay = Duration.milliseconds(100) * (1 << min(over - 1, 20))
            return min(delay, policy.maximumDelay)
        }
    }

    public func succeeded(_ address: String) {
        _ = failures.withLock { $0.removeValue(forKey: address) }
    }
}
