import CaseloadCore
import CaseloadProtocol
import CaseloadStorage
import Foundation
import Logging
import NIOCore
import Synchronization

/// This instance's subscriptions, and the delivery of events to them.
///
/// An event reaches a subscriber only if the subscriber may see it now: the hub asks
/// PostgreSQL, in a transaction acting as the subscriber (row-level security and all), for the
/// entity the event names. Nobody is told of a change they could not read.
public final class EventHub: Sendable {
    struct Subscription: Sendable {
        var id: UUID
        var session: Session
        var principal: Principal
        var scope: WatchScope
        var kinds: Set<String>
        var push: @Sendable (ByteBuffer) -> Void
    }

    private let subscriptions = Mutex<[UUID: Subscription]>([:])
    let database: Database
    let logger: Logger

    init(database: Database, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    func add(_ subscription: Subscription) {
        subscriptions.withLock { $0[subscription.id] = subscription }
    }

    /// Removes one subscription of `session`; false if it has no such subscription.
    func remove(_ id: UUID, session: ObjectIdentifier) -> Bool {
        subscriptions.withLock { all in
            guard let found = all[id], ObjectIdentifier(found.session) == session else { return false }
            all[id] = nil
            return true
        }
    }

    /// Removes every subscription of a connection that closed or logged out.
    func removeAll(session: ObjectIdentifier) {
        subscriptions.withLock { all in all = all.filter { ObjectIdentifier($0.value.session) != session } }
    }

    var count: Int { subscriptions.withLock { $0.count } }

    /// Delivers one NOTIFY payload to the subscriptions it concerns.
    func deliver(payload: String) async {
        guard let event = try? JSONDecoder().decode(WatchEvent.self, from: Data(payload.utf8)) else {
            logger.warning("unreadable event payload")
            return
        }
        let interested = subscriptions.withLock { all in
            all.values.filter { $0.principal.agencyID == event.agencyID && $0.kinds.contains(event.kind) && $0.scope.matches(event) }
        }
        for subscription in interested where await visible(event, to: subscription) {
            send(method: "watch.event", params: event.params(subscription: subscription.id), to: subscription)
        }
    }

    /// Tells every subscriber that events may have been missed between `since` and now.
    func gap(since: Date, reason: String) {
        let all = subscriptions.withLock { Array($0.values) }
        for subscription in all {
            send(
                method: "watch.gap",
                params: ["subscription_id": .string(subscription.id.uuidString.lowercased()), "since": .string(since.iso8601Timestamp),
                         "until": .string(Date().iso8601Timestamp), "reason": .string(reason)],
                to: subscription)
        }
    }

    private func send(method: String, params: [String: JSONValue], to subscription: Subscription) {
        let notification: JSONValue = ["jsonrpc": "2.0", "method": .string(method), "params": .object(params)]
        guard var line = try? WireJSON.encode(notification) else { return }
        line.append(UInt8(ascii: "\n"))
        subscription.push(ByteBuffer(bytes: line))
    }

    /// Whether the subscriber may read the entity the event is about, asked as them. A
    /// subscriber whose token was revoked or whose role changed since is dropped.
    private func visible(_ event: WatchEvent, to subscription: Subscription) async -> Bool {
        let principal = subscription.principal
        guard subscription.session.principal == principal else {
            // Logged out, or logged in as someone else, since subscribing.
            _ = remove(subscription.id, session: ObjectIdentifier(subscription.session))
            return false
        }
        let target: (AccessStore.Entity, UUID)?
        if let id = event.documentID { target = (.document, id) }
        else if let id = event.deadlineID { target = (.deadline, id) }
        else if let id = event.caseID { target = (.case, id) }
        else { target = event.companyID.map { (.company, $0) } }
        guard let (entity, id) = target else { return false }
        do {
            let recheck = subscription.session.hashDueForRecheck()
            return try await database.withAgency(principal.agencyID, as: .user(principal.userID), method: "watch.deliver") { connection in
                if let hash = recheck {
                    guard try await AuthStore.authenticate(hash: hash, on: connection, logger: logger) == principal else {
                        subscription.session.set(nil)
                        removeAll(session: ObjectIdentifier(subscription.session))
                        return false
                    }
                    subscription.session.markVerified()
                }
                return try await AccessStore.company(of: entity, id, agency: principal.agencyID, on: connection, logger: logger) != nil
            }
        } catch {
            return false
        }
    }
}
