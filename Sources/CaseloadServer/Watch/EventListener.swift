import CaseloadCore
import CaseloadStorage
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

/// Holds this instance's one LISTEN connection (channel `caseload_events`) and hands every
/// notification to the hub. A lost connection is re-established; subscribers are then told
/// that events may have been missed while it was down.
struct EventListener: Service {
    static let channel = "caseload_events"

    let url: DatabaseURL
    let hub: EventHub
    let logger: Logger
    let retryDelay: Duration

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var lostAt: Date?
            while !Task.isCancelled {
                do {
                    let connection = try await PostgresConnection.connect(
                        configuration: try url.connectionConfiguration(), id: 0, logger: logger)
                    do {
                        try await connection.listen(on: Self.channel) { notifications in
                            if let since = lostAt {
                                hub.gap(since: since, reason: "the server's event connection to PostgreSQL was lost and is back")
                                lostAt = nil
                            }
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
                    if lostAt == nil { lostAt = Date() }
                    logger.warning("event connection lost; reconnecting", metadata: ["error_type": "\(type(of: StorageError.classify(error)))"])
                }
                try? await Task.sleep(for: retryDelay)
            }
        }
    }
}
