import Testing

extension TestServer {
    /// Returns once the server has a request in flight, or records an issue after `limit`:
    /// a request answered before the first look would otherwise leave the caller waiting
    /// forever (a whole CI run once hung on such a loop). Callers send a slow request
    /// (`system.ping` with `delay_ms`) just before.
    func untilRequestsInFlight(limit: Duration = .seconds(20)) async throws {
        let until = ContinuousClock.now + limit
        while app.metrics.requestsInFlight == 0 {
            guard ContinuousClock.now < until else {
                Issue.record("no request showed as in flight within \(limit)")
                return
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
