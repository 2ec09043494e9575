import CaseloadCore

/// A seedable generator (SplitMix64) with the draws the fuzzer needs, so a fuzz run can be
/// repeated exactly from its seed.
public struct FuzzRandom: RandomNumberGenerator, Sendable {
    private var core: SplitMix64

    public init(seed: UInt64) {
        core = SplitMix64(seed: seed)
    }

    public mutating func next() -> UInt64 { core.next() }

    /// A value in `0..<bound` (bound > 0).
    public mutating func below(_ bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }

    /// True with probability `numerator / denominator`.
    public mutating func chance(_ numerator: Int, in denominator: Int) -> Bool {
        below(denominator) < numerator
    }

    public mutating func pick<T>(_ choices: [T]) -> T {
        choices[below(choices.count)]
    }

    /// A length skewed towards small values but now and then large: most inputs are short,
    /// some probe the limits.
    public mutating func length(upTo maximum: Int) -> Int {
        switch below(10) {
        case 0..<6: return below(min(maximum, 16) + 1)
        case 6..<9: return below(min(maximum, 256) + 1)
        default: return below(maximum + 1)
        }
    }
}
