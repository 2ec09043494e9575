import CaseloadCore
import NIOCore
import Synchronization

/// Accepted connections on their way from NIO to a listener's accept loop.
///
/// NIO wraps each accepted socket in a `NIOAsyncChannel` in the child initializer and then
/// hands it to the loop through the listener's stream. When the listener closes in between
/// (a graceful shutdown while clients connect), the stream drops the connection, and a
/// `NIOAsyncChannel` released without being closed traps the process (apple/swift-nio#2813):
/// SIGTERM under a burst of connections ended in SIGILL. So every connection is held here
/// from the moment it is wrapped until the loop takes it; once the loop has ended, the ones
/// it never got are closed, and connections accepted after that are closed unwrapped.
final class AcceptedConnections<Inbound: Sendable, Outbound: Sendable>: Sendable {
    typealias Connection = NIOAsyncChannel<Inbound, Outbound>

    private struct State {
        var pending: [ObjectIdentifier: Connection] = [:]
        var loopEnded = false
    }
    private let state = Mutex(State())

    init() {}

    /// Wraps an accepted channel; call in the child initializer, on the channel's event loop,
    /// after adding its handlers. Nil (and the channel closed) once the accept loop has ended.
    func wrap(_ channel: any Channel) throws -> Connection? {
        try state.withLock { state in
            guard !state.loopEnded else {
                channel.close(promise: nil)
                return nil
            }
            let connection = try Connection(wrappingChannelSynchronously: channel)
            state.pending[ObjectIdentifier(channel)] = connection
            return connection
        }
    }

    /// Runs the accept loop over `listener` until it closes: each accepted connection goes to
    /// `serve` in a task of its own, and this returns once they have all finished. `connection` picks the
    /// wrapped channel out of what the initializer returned.
    func acceptLoop<Accepted: Sendable>(
        _ listener: NIOAsyncChannel<Accepted?, Never>,
        connection: @escaping @Sendable (Accepted) -> Connection,
        serve: @escaping @Sendable (Accepted) async -> Void
    ) async throws {
        try await listener.executeThenClose { accepted in
            try await withThrowingDiscardingTaskGroup { group in
                var failure: (any Error)?
                do {
                    for try await case let next? in accepted {
                        claim(connection(next))
                        group.addTask { await serve(next) }
                    }
                } catch {
                    failure = error
                }
                // The listener has closed: let go of what never reached the loop before
                // waiting for the served connections to drain.
                await closeUnclaimed()
                if let failure { throw failure }
            }
        }
    }

    private func claim(_ connection: Connection) {
        _ = state.withLock { $0.pending.removeValue(forKey: ObjectIdentifier(connection.channel)) }
    }

    /// Closes the connections the loop never got, and makes `wrap` refuse from now on.
    private func closeUnclaimed() async {
        let unclaimed = state.withLock { state in
            state.loopEnded = true
            defer { state.pending = [:] }
            return Array(state.pending.values)
        }
        for connection in unclaimed {
            try? await connection.executeThenClose { _, _ in }
        }
    }
}
