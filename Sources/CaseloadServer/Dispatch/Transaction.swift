import CaseloadCore
import CaseloadStorage
import Foundation
import Logging
import PostgresNIO

/// What a handler works in: the caller as they are now, the call's instant, and the agency's
/// stores on the call's transaction (`tx.cases.get(id)`), with the call's logger. One value
/// instead of a principal, a connection, a logger and a clock passed to every function.
@dynamicMemberLookup
public struct Transaction: Sendable {
    /// The caller, as verified when the transaction opened (a role may have changed since login).
    public let principal: Principal
    /// The call's instant by the business clock, the same for every rule of the call.
    public let now: Date
    /// The agency's stores, on the call's connection, logging to the call's logger.
    public let storage: AgencyTransaction

    init(principal: Principal, now: Date, storage: AgencyTransaction) {
        self.principal = principal
        self.now = now
        self.storage = storage
    }

    /// The call's date in Shanghai.
    public var today: CalendarDate { CalendarDate(shanghai: now) }
    public var agency: UUID { storage.agency }
    public var connection: PostgresConnection { storage.connection }
    public var logger: Logger { storage.logger }

    /// The stores: `tx.cases`, `tx.deadlines`, … (see `AgencyTransaction`).
    public subscript<Store>(dynamicMember path: KeyPath<AgencyTransaction, Store>) -> Store { storage[keyPath: path] }
}
