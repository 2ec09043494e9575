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
    ///
    /// A session's subscriptions made as one user share one check (one transaction) per
    /// event. An event whose visibility cannot be checked (the database failed) is not dropped
    /// in silence: those subscribers get `watch.gap`, so they re-read what they show.
    func deliver(payload: String) async {
        guard let event = try? JSONDecoder().decode(WatchEvent.self, from: Data(payload.utf8)) else {
            logger.warning("unreadable event payload")
            return
        }
        let interested = subscriptions.withLock { all in
            all.values.filter { $0.principal.agencyID == event.agencyID && $0.kinds.contains(event.kind) && $0.scope.matches(event) }
        }
        let groups = Dictionary(grouping: interested) { Subscriber(session: ObjectIdentifier($0.session), user: $0.principal.userID) }
        let since = Date()
        for (subscriber, group) in groups {
            switch await visibility(of: event, to: group[0]) {
            case .visible(let names):
                for subscription in group {
                    send(method: "watch.event", params: event.params(subscription: subscription.id, names: names), to: subscription)
                }
            case .hidden:
                continue
            case .ended:
                // Logged out, logged in as someone else, or the token was revoked.
                removeAll(session: subscriber.session, user: subscriber.user)
            case .unknown:
                for subscription in group { sendGap(to: subscription, since: since, reason: "an event could not be checked against your permissions") }
            }
        }
    }

    /// Tells every subscriber that events may have been missed between `since` and now.
    func gap(since: Date, reason: String) {
        for subscription in subscriptions.withLock({ Array($0.values) }) { sendGap(to: subscription, since: since, reason: reason) }
    }

    private func sendGap(to subscription: Subscription, since: Date, reason: String) {
        send(
            method: "watch.gap",
            params: ["subscription_id": .string(subscription.id.lowercasedString), "since": .string(since.iso8601Timestamp),
                     "until": .string(Date().iso8601Timestamp), "reason": .string(reason)],
            to: subscription)
    }

    private func send(method: String, params: [String: JSONValue], to subscription: Subscription) {
        let notification: JSONValue = ["jsonrpc": "2.0", "method": .string(method), "params": .object(params)]
        guard var line = try? WireJSON.encode(notification) else { return }
        line.append(UInt8(ascii: "\n"))
        subscription.push(ByteBuffer(bytes: line))
    }

    /// The subscriptions one session made as one user: they share a visibility check.
    private struct Subscriber: Hashable {
        var session: ObjectIdentifier
        var user: UUID
    }

    private func removeAll(session: ObjectIdentifier, user: UUID) {
        subscriptions.withLock { all in all = all.filter { ObjectIdentifier($0.value.session) != session || $0.value.principal.userID != user } }
    }

    /// What a subscriber may know of one event.
    enum Visibility {
        /// Visible, with the names its line shows (`WatchEvent.names`).
        case visible([String: JSONValue])
        case hidden
        /// The session no longer acts as the user who subscribed.
        case ended
        /// The check failed (the database): the subscriber is told of a gap.
        case unknown
    }

    /// Whether the subscriber may read the entity the event is about, asked as them, with the
    /// session's token re-checked by the same rule as calls (`Session.verified`).
    private func visibility(of event: WatchEvent, to subscription: Subscription) async -> Visibility {
        let subscribed = subscription.principal
        guard let current = subscription.session.principal, current.agencyID == subscribed.agencyID, current.userID == subscribed.userID else {
            return .ended
        }
        let target: (AccessStore.Entity, UUID)?
        if let id = event.documentID { target = (.document, id) }
        else if let id = event.deadlineID { target = (.deadline, id) }
        else if let id = event.caseID { target = (.case, id) }
        else { target = event.companyID.map { (.company, $0) } }
        guard let (entity, id) = target else { return .hidden }
        do {
            return try await database.withAgency(current.agencyID, as: .user(current.userID), method: "watch.deliver") { tx in
                guard try await subscription.session.verified(current, on: tx.connection, logger: logger) != nil else { return .ended }
                guard try await tx.access.company(of: entity, id) != nil else { return .hidden }
                let names = try await tx.names.of(
                    companies: Set([event.companyID].compactMap { $0 }), cases: Set([event.caseID].compactMap { $0 }),
                    users: Set([event.userID].compactMap { $0 }), deadlines: Set([event.deadlineID].compactMap { $0 }),
                    documents: Set([event.documentID].compactMap { $0 }))
                return .visible(event.names(from: names))
            }
        } catch {
            logger.warning("watch event visibility check failed; subscribers get watch.gap", metadata: ["error_type": "\(type(of: error))"])
            return .unknown
        }
    }
}
