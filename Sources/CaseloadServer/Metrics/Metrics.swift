import CoreMetrics
import Foundation
import Prometheus
import Synchronization

/// The server's metrics: recorded through apple/swift-metrics, exported by swift-prometheus
/// (Prometheus' text format) on the metrics listener.
///
/// Each server has a registry of its own (tests run several in one process, so the global
/// `MetricsSystem` is not bootstrapped). The per-request series are made once, for every
/// method of the registry, so a request touches only its own series (an atomic counter, a
/// histogram's own lock), never a lock shared by all requests. Labels are method names and
/// error names, so their number is bounded (an unknown method is counted as `unknown`).
public final class Metrics: Sendable {
    /// Latency buckets (upper bounds).
    static let buckets: [Duration] = [
        .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]
    static let durationLabel = "caseload_request_duration_seconds"

    /// One method's series: its successes and its latency, made up front.
    private struct MethodSeries: Sendable {
        let ok: CoreMetrics.Counter
        let duration: CoreMetrics.Timer
    }

    private let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let methods: [String: MethodSeries]
    private let connectionsTotal: CoreMetrics.Counter
    private let processStart: CoreMetrics.Gauge
    private let poolSizeGauge: CoreMetrics.Gauge
    private let connectionsOpenGauge: CoreMetrics.Gauge
    private let inFlightGauge: CoreMetrics.Gauge
    private let transactionsGauge: CoreMetrics.Gauge
    private let sharedReadCalls: CoreMetrics.Counter
    private let sharedReadTransactions: CoreMetrics.Counter

    // Levels, read at scrape time (and by tests): atomics, no lock.
    private let connectionsOpen = Atomic<Int>(0)
    private let inFlight = Atomic<Int>(0)
    private let transactions = Atomic<Int>(0)
    /// The shared-read totals exported so far (scrapes only), so the counters advance by the difference.
    private let sharedReadsExported = Mutex<(calls: Int, transactions: Int)>((0, 0))

    /// Read-only calls served by shared transactions, and those transactions, as the database
    /// layer counts them.
    let sharedReads: @Sendable () -> (calls: Int, transactions: Int)

    /// - Parameters:
    ///   - methods: the names requests are counted under (the registry's, plus `unknown`).
    public init(poolSize: Int, methods: [String] = [], sharedReads: @escaping @Sendable () -> (calls: Int, transactions: Int) = { (0, 0) }) {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = [Self.durationLabel: Self.buckets]
        self.factory = factory
        self.sharedReads = sharedReads
        var series: [String: MethodSeries] = [:]
        for method in Set(methods + ["unknown"]) {
            series[method] = MethodSeries(
                ok: Counter(label: "caseload_requests_total", dimensions: [("method", method), ("outcome", "ok")], factory: factory),
                duration: Timer(label: Self.durationLabel, dimensions: [("method", method)], factory: factory))
        }
        self.methods = series
        connectionsTotal = Counter(label: "caseload_connections_total", factory: factory)
        processStart = Gauge(label: "caseload_process_start_time_seconds", factory: factory)
        poolSizeGauge = Gauge(label: "caseload_db_pool_size", factory: factory)
        connectionsOpenGauge = Gauge(label: "caseload_connections_open", factory: factory)
        inFlightGauge = Gauge(label: "caseload_requests_in_flight", factory: factory)
        transactionsGauge = Gauge(label: "caseload_db_transactions_in_progress", factory: factory)
        sharedReadCalls = Counter(label: "caseload_db_shared_reads_total", factory: factory)
        sharedReadTransactions = Counter(label: "caseload_db_shared_read_transactions_total", factory: factory)
        // When this process started (Unix seconds): a change means it restarted, crashed or not.
        processStart.record(Int64(Date().timeIntervalSince1970))
        poolSizeGauge.record(poolSize)
    }

    func connectionOpened() {
        connectionsOpen.add(1, ordering: .relaxed)
        connectionsTotal.increment()
    }
    func connectionClosed() { connectionsOpen.subtract(1, ordering: .relaxed) }

    /// A connection refused or closed by a resource limit (`max_connections`, `line_read_seconds`, ...).
    func connectionRefused(limit: String) {
        Counter(label: "caseload_connections_refused_total", dimensions: [("limit", limit)], factory: factory).increment()
    }

    /// One request began (one `request(method:outcome:duration:)` follows).
    func requestStarted() { inFlight.add(1, ordering: .relaxed) }

    /// Requests being worked on now (started and not yet answered).
    public var requestsInFlight: Int { inFlight.load(ordering: .relaxed) }

    /// Counts a finished request: `outcome` is `ok` or the error's name.
    func request(method: String, outcome: String, duration: Duration) {
        inFlight.subtract(1, ordering: .relaxed)
        let series = methods[method] ?? methods["unknown"]
        series?.duration.recordNanoseconds(Int64(duration.components.seconds) &* 1_000_000_000 &+ duration.components.attoseconds / 1_000_000_000)
        if outcome == "ok", let ok = series?.ok {
            ok.increment()
        } else {
            // Failures are rarer: their series are made (or found) in the registry when they happen.
            Counter(label: "caseload_requests_total", dimensions: [("method", methods[method] == nil ? "unknown" : method), ("outcome", outcome)], factory: factory)
                .increment()
        }
    }

    func transactionStarted() { transactions.add(1, ordering: .relaxed) }
    func transactionEnded() { transactions.subtract(1, ordering: .relaxed) }

    /// The Prometheus text exposition.
    public func render() -> String {
        String(decoding: renderBytes(), as: UTF8.self)
    }

    /// The Prometheus text exposition, as bytes: the levels are read now, then everything is emitted.
    func renderBytes() -> [UInt8] {
        connectionsOpenGauge.record(connectionsOpen.load(ordering: .relaxed))
        inFlightGauge.record(inFlight.load(ordering: .relaxed))
        transactionsGauge.record(transactions.load(ordering: .relaxed))
        let shared = sharedReads()
        let delta = sharedReadsExported.withLock { exported in
            defer { exported = shared }
            return (calls: max(0, shared.calls - exported.calls), transactions: max(0, shared.transactions - exported.transactions))
        }
        if delta.calls > 0 { sharedReadCalls.increment(by: delta.calls) }
        if delta.transactions > 0 { sharedReadTransactions.increment(by: delta.transactions) }
        var out: [UInt8] = []
        registry.emit(into: &out)
        return out
    }
}
