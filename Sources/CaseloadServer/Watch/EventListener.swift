import CaseloadCore
import CaseloadStorage
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

/// Hears every committed change a watcher may care about and hands it to the hub: on a single
/// PostgreSQL through this instance's one LISTEN connection (channel `caseload_events`), on
/// Citus by polling `event_log` (schema/029: a worker's NOTIFY never reaches the coordinator).
/// A lost connection is re-established; subscribers are then told that events may have been
/// missed while it was down.
struct EventListener: Service {
    static let channel = "caseload_events"

    let url: DatabaseURL
    let database: Database
    let hub: EventHub
    let logger: Logger
    let retryDelay: Duration
    /// How far back each Citus poll looks (``EventWindow``): longer than any call's transaction.
    let pollWindow: TimeInterval
    /// How often the Citus poller asks.
    var pollInterval: Duration = .milliseconds(250)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            guard let distributed = await distribution() else { return }
            if distributed { await poll() } else { await listen() }
        }
    }

    /// Whether the database is Citus, asked until it answers; nil once cancelled.
    private func distribution() async -> Bool? {
        while !Task.isCancelled {
            do { return try await database.isDistributed() } catch {
                logger.warning("cannot tell whether the database is distributed; retrying", metadata: ["error_type": "\(type(of: StorageError.classify(error)))"])
            }
            try? await Task.sleep(for: retryDelay)
        }
        return nil
    }

    private func listen() async {
        var lostAt: Date?
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(
                    configuration: try url.connectionConfiguration(), id: 0, logger: logger)
                do {
                    try await connection.listen(on: Self.channel) { notifications in
                        reconnected(&lostAt)
                        logger.debug("listening for events")
                        for try await notification in notifications {
                            await hub.deliver(payload: notification.payload)
                        }
                    }
                } catch {
                    try? await connection.close()
                    throw error
                }
                try? await connection.close()
            } catch {
                if Task.isCancelled { return }
                lost(error, since: &lostAt)
            }
            try? await Task.sleep(for: retryDelay)
        }
    }

    private func poll() async {
        var window: EventWindow?
        var lostAt: Date?
        var pruned = ContinuousClock.now
        logger.debug("polling event_log for events")
        while !Task.isCancelled {
            do {
                var current: EventWindow
                if let window { current = window } else { current = EventWindow(width: pollWindow, start: try await database.databaseNow()) }
                let events = try await database.loggedEvents(since: current.since)
                reconnected(&lostAt)
                for event in current.admit(events) { await hub.deliver(payload: event.payload) }
                window = current
                if ContinuousClock.now - pruned > .seconds(60) {
                    pruned = .now
                    try await database.pruneLoggedEvents()
                }
                try? await Task.sleep(for: pollInterval)
            } catch {
                if Task.isCancelled { return }
                lost(error, since: &lostAt)
                try? await Task.sleep(for: retryDelay)
            }
        }
    }

    private func reconnected(_ lostAt: inout Date?) {
        guard let since = lostAt else { return }
        hub.gap(since: since, reason: "the server's event connection to PostgreSQL was lost and is back")
        lostAt = nil
    }

    private func lost(_ error: any Error, since lostAt: inout Date?) {
        if lostAt == nil { lostAt = Date() }
        logger.warning("event connection lost; reconnecting", metadata: ["error_type": "\(type(of: StorageError.classify(error)))"])
    }
}
