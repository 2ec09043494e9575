/// Latencies of completed requests and the summary the benchmark prints: nearest-rank
/// percentiles over every sample (no histogram buckets, so p99 is exact).
public struct LatencyRecorder: Sendable {
    /// Microseconds per completed request, in completion order.
    public private(set) var samples: [UInt32] = []
    public private(set) var errors = 0

    public init() { samples.reserveCapacity(1 << 16) }

    public mutating func record(nanoseconds: UInt64, ok: Bool) {
        samples.append(UInt32(min(nanoseconds / 1000, UInt64(UInt32.max))))
        if !ok { errors += 1 }
    }

    public mutating func merge(_ other: LatencyRecorder) {
        samples += other.samples
        errors += other.errors
    }

    /// The nearest-rank percentile `p` (0...100) in milliseconds; 0 when there are no samples.
    public func percentile(_ p: Double) -> Double {
        Self.percentile(p, of: samples.sorted())
    }

    /// Nearest rank: the smallest sample with at least p% of the samples at or below it.
    public static func percentile(_ p: Double, of sorted: [UInt32]) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return Double(sorted[min(max(rank, 1), sorted.count) - 1]) / 1000
    }
}

/// One measured run, as printed and written to the results JSON.
public struct RunResult: Codable, Sendable {
    public var scenario: String
    public var connections: Int
    public var depth: Int
    public var seconds: Double
    public var completed: Int
    public var errors: Int
    public var throughput: Double
    public var p50Milliseconds: Double
    public var p99Milliseconds: Double
    /// Server resident memory (kB) while the run's idle connections were held, when asked for.
    public var serverRSSKilobytes: Int?
    public var idleConnections: Int?

    public init(scenario: String, connections: Int, depth: Int, seconds: Double, recorder: LatencyRecorder) {
        let sorted = recorder.samples.sorted()
        self.scenario = scenario
        self.connections = connections
        self.depth = depth
        self.seconds = seconds
        self.completed = sorted.count
        self.errors = recorder.errors
        self.throughput = seconds > 0 ? Double(sorted.count) / seconds : 0
        self.p50Milliseconds = LatencyRecorder.percentile(50, of: sorted)
        self.p99Milliseconds = LatencyRecorder.percentile(99, of: sorted)
    }
}
