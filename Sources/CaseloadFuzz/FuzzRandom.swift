/// A small, fast, seedable generator (SplitMix64), so a fuzz run can be repeated exactly
/// from its seed.
public struct FuzzRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

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
