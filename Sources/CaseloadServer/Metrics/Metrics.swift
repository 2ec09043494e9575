import CaseloadCore
import Foundation
import Synchronization

/// The server's counters, rendered in Prometheus' text format by the metrics listener.
///
/// Kept by hand rather than through a metrics library: a handful of series, one lock, no
/// dependency. Labels are method names and error names from the registry, so their number is
/// bounded (an unknown method is counted as `unknown`).
public final class Metrics: Sendable {
    /// Latency buckets in seconds (upper bounds).
    static let buckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    struct Series {
        var count = 0
        var sum = 0.0
        var buckets = [Int](repeating: 0, count: Metrics.buckets.count)
    }

    private struct State {
        var connectionsOpen = 0
        var connectionsTotal = 0
        var requests: [String: [String: Int]] = [:]  // method → outcome → count
        var latency: [String: Series] = [:]  // method → histogram
        var transactionsInProgress = 0
        var requestsInFlight = 0
        var refused: [String: Int] = [:]  // limit → connections refused or closed for it
    }

    private let state = Mutex(State())
    let poolSize: Int
    /// Read-only calls served by shared transactions, and those transactions, as the database
    /// layer counts them.
    let sharedReads: @Sendable () -> (calls: Int, transactions: Int)

    /// When this process started (Unix seconds): a change means it restarted, crashed or not.
    let startTime = Date().timeIntervalSince1970

    public init(poolSize: Int, sharedReads: @escaping @Sendable () -> (calls: Int, transactions: Int) = { (0, 0) }) {
        self.poolSize = poolSize
        self.sharedReads = sharedReads
    }

    func connectionOpened() { state.withLock { $0.connectionsOpen += 1; $0.connectionsTotal += 1 } }
    func connectionClosed() { state.withLock { $0.connectionsOpen -= 1 } }
    /// A connection refused or closed by a resource limit (`max_connections`, `line_read_seconds`, ...).
    func connectionRefused(limit: String) { state.withLock { $0.refused[limit, default: 0] += 1 } }

    /// One request: `outcome` is `ok` or the error's name.
    func requestStarted() { state.withLock { $0.requestsInFlight += 1 } }

    /// Requests being worked on now (started and not yet answered).
    public var requestsInFlight: Int { state.withLock { $0.requestsInFlight } }

    /// Counts a finished request (one `requestStarted` before it).
    func request(method: String, outcome: String, seconds: Double) {
        state.withLock { s in
            s.requestsInFlight -= 1
            s.requests[method, default: [:]][outcome, default: 0] += 1
            var series = s.latency[method] ?? Series()
            series.count += 1
            series.sum += seconds
            for (i, bound) in Self.buckets.enumerated() where seconds <= bound { series.buckets[i] += 1 }
            s.latency[method] = series
        }
    }

    func transactionStarted() { state.withLock { $0.transactionsInProgress += 1 } }
    func transactionEnded() { state.withLock { $0.transactionsInProgress -= 1 } }

    /// The Prometheus text exposition.
    public func render() -> String {
        let s = state.withLock { $0 }
        var out: [String] = []
        out.append("# HELP caseload_process_start_time_seconds When this server process started, in Unix seconds (a change means a restart).")
        out.append("# TYPE caseload_process_start_time_seconds gauge")
        out.append("caseload_process_start_time_seconds \(Int64(startTime))")
        out.append("# HELP caseload_connections_refused_total Connections refused or closed by a resource limit, by limit.")
        out.append("# TYPE caseload_connections_refused_total counter")
        for (limit, n) in s.refused.sorted(by: { $0.key < $1.key }) {
            out.append("caseload_connections_refused_total{limit=\"\(limit)\"} \(n)")
        }
        out.append("# HELP caseload_connections_open Client connections open now.")
        out.append("# TYPE caseload_connections_open gauge")
        out.append("caseload_connections_open \(s.connectionsOpen)")
        out.append("# HELP caseload_connections_total Client connections accepted since start.")
        out.append("# TYPE caseload_connections_total counter")
        out.append("caseload_connections_total \(s.connectionsTotal)")
        out.append("# HELP caseload_requests_total Requests by method and outcome (ok or the error name).")
        out.append("# TYPE caseload_requests_total counter")
        for method in s.requests.keys.sorted() {
            for (outcome, n) in (s.requests[method] ?? [:]).sorted(by: { $0.key < $1.key }) {
                out.append("caseload_requests_total{method=\"\(method)\",outcome=\"\(outcome)\"} \(n)")
            }
        }
        out.append("# HELP caseload_request_duration_seconds Request latency by method.")
        out.append("# TYPE caseload_request_duration_seconds histogram")
        for method in s.latency.keys.sorted() {
            let series = s.latency[method] ?? Series()
            for (i, bound) in Self.buckets.enumerated() {
                out.append("caseload_request_duration_seconds_bucket{method=\"\(method)\",le=\"\(bound)\"} \(series.buckets[i])")
            }
            out.append("caseload_request_duration_seconds_bucket{method=\"\(method)\",le=\"+Inf\"} \(series.count)")
            out.append("caseload_request_duration_seconds_sum{method=\"\(method)\"} \(series.sum)")
            out.append("caseload_request_duration_seconds_count{method=\"\(method)\"} \(series.count)")
        }
        out.append("# HELP caseload_requests_in_flight Requests being worked on now.")
        out.append("# TYPE caseload_requests_in_flight gauge")
        out.append("caseload_requests_in_flight \(s.requestsInFlight)")
        out.append("# HELP caseload_db_transactions_in_progress Database transactions running now (pool use).")
        out.append("# TYPE caseload_db_transactions_in_progress gauge")
        out.append("caseload_db_transactions_in_progress \(s.transactionsInProgress)")
        let shared = sharedReads()
        out.append("# HELP caseload_db_shared_reads_total Read-only calls served by a transaction shared with the connection's other reads in flight.")
        out.append("# TYPE caseload_db_shared_reads_total counter")
        out.append("caseload_db_shared_reads_total \(shared.calls)")
        out.append("# HELP caseload_db_shared_read_transactions_total Shared read-only transactions committed (calls per transaction: the ratio of the two).")
        out.append("# TYPE caseload_db_shared_read_transactions_total counter")
        out.append("caseload_db_shared_read_transactions_total \(shared.transactions)")
        out.append("# HELP caseload_db_pool_size Maximum database connections of this instance.")
        out.append("# TYPE caseload_db_pool_size gauge")
        out.append("caseload_db_pool_size \(poolSize)")
        return out.joined(separator: "\n") + "\n"
    }
}
