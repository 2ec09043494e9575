import CaseloadCore
import Synchronization

/// Slows and then refuses failed logins, per source address — and only failed ones.
///
/// A valid token always logs in: the token is checked first (its hash is looked up, so the
/// check takes the same time whatever the guess), and the throttle only decides how a
/// *failure* is answered. So ten mistyped tokens behind an office's NAT cost nobody there
/// their login; they only slow the next wrong guesses from that address:
///
/// - the first `freeFailures` failures within `window` are answered at once;
/// - each later one waits, 100 ms doubling up to `maximumDelay`;
/// - once `limit` failures fall within `window`, further failures are answered `rate_limited`
///   with `retry_after_seconds` (when the oldest of them leaves the window).
///
/// A token has 256 random bits, so this protects the server, the database and the logs more
/// than the tokens. Per server instance; memory is bounded by `maximumAddresses` addresses
/// of at most `limit` failures each.
public final class LoginThrottle: Sendable {
    public struct Policy: Sendable, Hashable {
        public var freeFailures = 3
        public var limit = 10
        public var window: Duration = .seconds(600)
        public var maximumDelay: Duration = .seconds(2)
        public var maximumAddresses = 10_000
        public init() {}
    }

    /// How to answer a failed login.
    public enum Answer: Sendable, Equatable {
        /// `unauthenticated`, after waiting this long.
        case delayed(Duration)
        /// `rate_limited`: the address may try again after this long.
        case limited(retryAfter: Duration)
    }

    public let policy: Policy
    private let failures = Mutex<[String: [ContinuousClock.Instant]]>([:])

    public init(policy: Policy = Policy()) {
        self.policy = policy
    }

    /// Records a failed login from `address` and says how to answer it.
    public func failed(_ address: String, now: ContinuousClock.Instant = .now) -> Answer {
        failures.withLock { table in
            if table.count >= policy.maximumAddresses, table[address] == nil {
                // Forget addresses whose failures are all old; if none, the stalest one.
                table = table.filter { _, times in times.contains { now - $0 < policy.window } }
                if table.count >= policy.maximumAddresses,
                    let stalest = table.min(by: { ($0.value.last ?? now) < ($1.value.last ?? now) })?.key
                {
                    table[stalest] = nil
                }
            }
            var recent = (table[address] ?? []).filter { now - $0 < policy.window }
            let limited = recent.count >= policy.limit
            recent.append(now)
            // Only the newest `limit` matter: more would only keep an address limited longer.
            if recent.count > policy.limit { recent.removeFirst(recent.count - policy.limit) }
            table[address] = recent
            if limited, let oldest = recent.first {
                return .limited(retryAfter: policy.window - (now - oldest))
            }
            let over = recent.count - policy.freeFailures
            guard over > 0 else { return .delayed(.zero) }
            return .delayed(min(.milliseconds(100) * (1 << min(over - 1, 20)), policy.maximumDelay))
        }
    }

    /// Failures of `address` within the window (for tests and metrics).
    public func recentFailures(_ address: String, now: ContinuousClock.Instant = .now) -> Int {
        failures.withLock { table in (table[address] ?? []).filter { now - $0 < policy.window }.count }
    }
}
