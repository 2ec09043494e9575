import CaseloadConcurrency
import CaseloadCore
import CaseloadProtocol
import CaseloadStorage
import Foundation
import Logging
import PostgresNIO

/// What a handler gets besides its params: the caller, the database, a logger.
public struct RequestContext: Sendable {
    public let session: Session
    public let services: ServerServices
    /// The registry that dispatched this call (`rpc.discover` describes it).
    public let registry: MethodRegistry
    public let logger: Logger
    /// The method called, and its params as the client sent them (cursors are bound to both).
    let method: String
    let params: JSONValue
    /// The call's instant by the business clock (`ServerConfiguration.clock`), read once when
    /// the call starts: every rule of one call sees the same now and today, and handlers never
    /// read `Date()`.
    public let now: Date
    /// The call's transaction: every `withAgency` of the handler runs in it, so the call's
    /// changes, its audit entries and its idempotency record commit together or not at all.
    var transaction: Transaction?

    public var database: Database { services.database }

    /// The call's date in Shanghai.
    public var today: CalendarDate { CalendarDate(shanghai: now) }

    /// The logged-in caller, or an `unauthenticated` error.
    public func principal() throws -> Principal {
        guard let principal = session.principal else { throw RPCError(.unauthenticated) }
        return principal
    }

    /// Runs `body` in the call's transaction, acting for the caller's agency: row-level
    /// security sees only what the caller's role may see.
    public func withAgency<Result>(_ body: (Transaction) async throws -> sending Result) async throws -> sending Result {
        let principal = try principal()
        // Inside the call's transaction this is the method's boundary to storage, so errors
        // are classified here, as `Database.withAgency` does for a transaction of its own: a
        // method catching `StorageError.duplicate` sees it either way. (Classifying is
        // idempotent; the transaction's boundary sees the same value again.)
        if let transaction {
            do { return try await body(transaction) } catch { throw StorageError.classify(error) }
        }
        return try await inTransaction(for: principal, method: nil) { _, tx in try await body(tx) }
    }

    /// Opens the call's transaction as `principal` and runs `body` with a context whose
    /// `withAgency` uses it; a `readOnly` call's transaction refuses writes and is shared with
    /// the session's other reads in flight. A token due for its periodic re-check is checked
    /// first: revoked or expired ends the session; a changed role or company replaces the
    /// principal, and `body` gets the current one.
    func inTransaction<Result>(
        for principal: Principal, method: String?, timeoutSeconds: Int64? = nil, readOnly: Bool = false,
        _ body: (RequestContext, Transaction) async throws -> sending Result
    ) async throws -> sending Result {
        services.metrics.transactionStarted()
        defer { services.metrics.transactionEnded() }
        func work(_ storage: AgencyTransaction) async throws -> sending Result {
            guard let current = try await session.verified(principal, on: storage.connection, logger: logger) else {
                throw RPCError(.unauthenticated, "Your token was revoked or has expired: log in again", zh: "你的令牌已被吊销或已过期：请重新登录")
            }
            let tx = Transaction(
                principal: current, now: now, storage: AgencyTransaction(connection: storage.connection, agency: storage.agency, logger: logger))
            var context = self
            context.transaction = tx
            return try await body(context, tx)
        }
        if readOnly {
            let read = Database.ReadContext(agency: principal.agencyID, actor: .user(principal.userID), timeoutSeconds: timeoutSeconds)
            let pipelined = session.readsInFlight.add(1, ordering: .relaxed).newValue > 1
            defer { session.readsInFlight.subtract(1, ordering: .relaxed) }
            if pipelined { return try await database.withSharedRead(session.reads, read, work) }
            return try await database.withSharedRead(read, lane: session.readLane, work)
        }
        return try await database.withAgency(principal.agencyID, as: .user(principal.userID), method: method, timeoutSeconds: timeoutSeconds, work)
    }
}

/// Long-lived things every handler may need, shared by all connections.
public struct ServerServices: Sendable {
    public let database: Database
    public let configuration: ServerConfiguration
    public let version: String
    /// Seals and looks up personal identifiers.
    public let cipher: PIICipher
    /// Failed logins per source address.
    public let loginThrottle: LoginThrottle
    /// This instance's watch subscriptions.
    public let events: EventHub
    /// Seals and opens pagination cursors.
    let cursors: CursorSealer
    /// `rpc.discover`'s document, built once.
    public let discovery: Discovery
    /// Counters for the metrics endpoint.
    public let metrics: Metrics
    /// Where heavy calls (`RPCMethod.heavy`: the reports) take turns: half the cores at once,
    /// so month-end reports leave CPU to the interactive calls beside them.
    public let heavyCalls = AsyncGate(permits: ProcessInfo.processInfo.activeProcessorCount / 2)

    public init(
        database: Database, configuration: ServerConfiguration, version: String, cipher: PIICipher,
        loginThrottle: LoginThrottle = LoginThrottle(), events: EventHub, metrics: Metrics, cursors: CursorSealer,
        discovery: Discovery
    ) {
        self.cursors = cursors
        self.discovery = discovery
        self.metrics = metrics
        self.cipher = cipher
        self.loginThrottle = loginThrottle
        self.events = events
        self.database = database
        self.configuration = configuration
        self.version = version
    }
}
