import CaseloadConcurrency
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// Whether PostgreSQL is reachable, as last seen by a `DatabaseMonitor`, and the calls that
/// are using it. Until a monitor says otherwise it is reachable: a `Database` without one
/// behaves as before.
public final class DatabaseAvailability: Sendable {
    /// A call between asking the pool for a connection and returning it.
    struct Call {
        var work: AbandonableWork
        var connection: PostgresConnection?
        /// When the sweep first found its connection closed.
        var closedSeen: ContinuousClock.Instant?
    }

    private struct State {
        var downSince: ContinuousClock.Instant?
        var calls: [UInt64: Call] = [:]
        var nextID: UInt64 = 0
    }
    private let state = Mutex(State())

    /// How long a call may stay on a closed connection before it is answered for: longer than
    /// postgres-nio takes to fail the queries of a closing connection.
    static let closedGrace: Duration = .milliseconds(200)

    public init() {}

    /// True unless the monitor has seen PostgreSQL go away and not yet come back.
    public var isReachable: Bool { state.withLock { $0.downSince == nil } }

    /// Records an outage; returns true if this is news (it was reachable).
    @discardableResult
    func markDown() -> Bool {
        state.withLock { s in
            guard s.downSince == nil else { return false }
            s.downSince = .now
            return true
        }
    }

    /// Records that PostgreSQL answers again; returns how long it was away, if it was.
    @discardableResult
    func markUp() -> Duration? {
        state.withLock { s in
            defer { s.downSince = nil }
            return s.downSince.map { .now - $0 }
        }
    }

    /// Registers the current call (if it runs under `withDeadline`) while it waits for and
    /// uses a connection; `nil` when there is nothing to register.
    func register() -> UInt64? {
        guard let work = AbandonableWork.current else { return nil }
        return state.withLock { s in
            s.nextID &+= 1
            s.calls[s.nextID] = Call(work: work)
            return s.nextID
        }
    }

    func leased(_ id: UInt64?, _ connection: PostgresConnection) {
        guard let id else { return }
        state.withLock { $0.calls[id]?.connection = connection }
    }

    func unregister(_ id: UInt64?) {
        guard let id else { return }
        _ = state.withLock { $0.calls.removeValue(forKey: id) }
    }

    /// Answers, with `StorageError.unavailable`, the calls that cannot finish: those still
    /// waiting for a connection while PostgreSQL is down (nothing was sent for them; the pool
    /// would hold them until it is back), and those on a connection that closed under them
    /// more than `closedGrace` ago (a query written to it as it closed is never answered).
    /// Returns how many.
    @discardableResult
    func sweep(now: ContinuousClock.Instant = .now) -> Int {
        let stuck = state.withLock { s -> [AbandonableWork] in
            let down = s.downSince != nil
            var stuck: [AbandonableWork] = []
            for (id, call) in s.calls {
                if let connection = call.connection {
                    guard connection.isClosed else { continue }
                    guard let seen = call.closedSeen else {
                        s.calls[id]?.closedSeen = now
                        continue
                    }
                    guard now - seen >= Self.closedGrace else { continue }
                } else if !down {
                    continue
                }
                stuck.append(call.work)
                s.calls[id] = nil
            }
            return stuck
        }
        for work in stuck { work.abandon(StorageError.unavailable) }
        return stuck.count
    }
}

/// Watches PostgreSQL over one connection of its own, so that calls made while it is down
/// fail at once with `StorageError.unavailable` instead of queueing in the pool until their
/// deadline (postgres-nio's pool waits for a connection for as long as it takes).
///
/// The connection's close is seen within 50 ms of PostgreSQL shutting down or the link
/// breaking (a restart closes every backend), and a reconnect tried at once tells whether
/// PostgreSQL went away; a periodic `SELECT 1` finds links that die silently. While PostgreSQL
/// is away the monitor reconnects every `retryInterval`; the first success marks it reachable
/// again. Failures that are not an outage (too many connections, a refused login)
/// leave the state as it was: the pool's own connections may still be fine.
public struct DatabaseMonitor: Service {
    public let url: DatabaseURL
    public let availability: DatabaseAvailability
    public let logger: Logger
    public var retryInterval: Duration = .milliseconds(250)
    public var pingInterval: Duration = .seconds(5)

    public init(url: DatabaseURL, availability: DatabaseAvailability, logger: Logger) {
        self.url = url
        self.availability = availability
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await sweep() }
                await watchLoop()
                group.cancelAll()
            }
        }
    }

    /// Every tick, answers the calls that cannot finish (`DatabaseAvailability.sweep`).
    private func sweep() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(50))
            let answered = availability.sweep()
            if answered > 0 { logger.warning("calls answered database_unavailable: PostgreSQL went away under them", metadata: ["calls": "\(answered)"]) }
        }
    }

    /// Connects, watches, and reconnects while PostgreSQL is away, until cancelled. When the
    /// connection is lost, the reconnect is tried at once: it, not the loss, decides whether
    /// PostgreSQL went away (a connection can also end for reasons of its own).
    private func watchLoop() async {
        var pause = false
        while !Task.isCancelled {
            if pause { try? await Task.sleep(for: retryInterval) }
            do {
                var configuration = try url.connectionConfiguration()
                configuration.options.connectTimeout = .seconds(2)
                let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
                cameBack()
                await watch(connection)
                try? await connection.close()
                pause = false
            } catch {
                if Task.isCancelled { return }
                if Self.isOutage(error) { wentAway() }
                pause = true
            }
        }
    }

    /// Returns when `connection` closes or stops answering, or the task is cancelled.
    private func watch(_ connection: PostgresConnection) async {
        // A close (PostgreSQL stopping, a broken link) is seen within a tick; the pings find
        // a link that died without one. A slow ping only ends this connection: on a loaded
        // machine it may be the machine, not PostgreSQL.
        let tick = Duration.milliseconds(50)
        var sincePing: Duration = .zero
        while !Task.isCancelled, !connection.isClosed {
            try? await Task.sleep(for: tick)
            sincePing += tick
            guard sincePing >= pingInterval else { continue }
            sincePing = .zero
            do {
                // Bounded: a query written as the connection closes never returns (see withDeadline).
                try await withDeadline(.seconds(5)) { _ = try await connection.query("SELECT 1", logger: logger).collect() }
            } catch {
                return
            }
        }
    }

    private func wentAway() {
        if availability.markDown() { logger.warning("PostgreSQL is unreachable; calls fail with database_unavailable until it is back") }
    }

    private func cameBack() {
        if let away = availability.markUp() {
            logger.notice("PostgreSQL is reachable again", metadata: ["away_seconds": "\(away.components.seconds)"])
        }
    }

    /// Connection-level failures and PostgreSQL's "shutting down / starting up" refusals; not
    /// too-many-connections (53300), which says nothing of the pool's connections.
    static func isOutage(_ error: any Error) -> Bool {
        guard case .unavailable = StorageError.classify(error) as? StorageError else { return false }
        return StorageError.sqlState(of: error) != SQLState.tooManyConnections
    }
}
