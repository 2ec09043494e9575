import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The server's handle on PostgreSQL: a connection pool plus the one way to run work for
/// an agency, inside a transaction whose row-level-security context names that agency.
///
/// `client` must be running (`run()`, or as a service in a ServiceGroup) or every query hangs.
public final class Database: Sendable {
    public let client: PostgresClient
    public let url: DatabaseURL
    /// Whether PostgreSQL answers, kept by `monitor()` while that runs: calls made while it is
    /// down fail at once with `StorageError.unavailable` instead of queueing in the pool.
    public let availability = DatabaseAvailability()
    let logger: Logger
    private let readsShared = Atomic<Int>(0)
    private let readGroups = Atomic<Int>(0)
    /// Whether the schema is the Citus variant (schema/021): 0 not yet asked, 1 no, 2 yes.
    /// Asked once, by the first agency transaction; a database does not change variant under
    /// a running server (`migrate --citus` runs before it serves).
    private let distribution = Atomic<UInt8>(0)
    /// Read-only calls served by shared transactions, and those transactions (committed), since
    /// start (see `withSharedRead`): their difference is the transactions saved.
    public var sharedReadCounts: (calls: Int, transactions: Int) {
        (readsShared.load(ordering: .relaxed), readGroups.load(ordering: .relaxed))
    }

    /// The longest any statement (or lock wait) of an agency transaction may take: the
    /// request deadline, so a stuck query ends with the request instead of holding a connection.
    let statementTimeoutMilliseconds: Int64

    public init(url: DatabaseURL, logger: Logger, maximumConnections: Int = 20, statementTimeoutSeconds: Int64 = 30) {
        self.statementTimeoutMilliseconds = statementTimeoutSeconds * 1000
        var configuration = url.clientConfiguration()
        configuration.options.maximumConnections = maximumConnections
        // Fail fast while PostgreSQL is away rather than hold clients for the default 10 s
        // (but not so fast that a loaded machine's slow connect counts as an outage).
        configuration.options.connectTimeout = .seconds(5)
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.url = url
        self.logger = logger
    }

    /// Runs the pool until the task is cancelled.
    public func run() async {
        await client.run()
    }

    /// The service that keeps `availability` (one connection of its own).
    public func monitor() -> DatabaseMonitor {
        DatabaseMonitor(url: url, availability: availability, logger: logger)
    }

    /// Leases a pooled connection, unless PostgreSQL is known to be down, and runs `body` on
    /// it (in a transaction if asked). A connection the pool hands out already closed is
    /// refused before anything is written to it. While it waits and works, the call is known
    /// to `availability`, so the monitor can answer it if PostgreSQL goes away under it.
    private func leased<Result>(
        transaction: Bool, _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> sending Result {
        guard availability.isReachable else { throw StorageError.unavailable }
        let call = availability.register()
        defer { availability.unregister(call) }
        do {
            if transaction {
                return try await client.withTransaction(logger: logger) { connection in
                    try checkOpen(connection, call)
                    return try await body(connection)
                }
            }
            return try await client.withConnection { connection in
                try checkOpen(connection, call)
                return try await body(connection)
            }
        } catch {
            // A wait for a connection cancelled because PostgreSQL went away is an outage.
            if !availability.isReachable, Task.isCancelled { throw StorageError.unavailable }
            throw StorageError.classify(error)
        }
    }

    private func checkOpen(_ connection: PostgresConnection, _ call: UInt64?) throws {
        guard !connection.isClosed else { throw StorageError.unavailable }
        availability.leased(call, connection)
    }

    /// Who a transaction acts as. Row-level security derives what it may see and change from
    /// the user's role in the agency (schema/008); the server's own jobs act as `.system`.
    public enum Actor: Sendable, Hashable {
        case user(UUID)
        /// The whole agency, for work no user asked for (sweeps, scheduled jobs, tests' setup).
        case system
    }

    /// Runs `body` in one transaction acting for `agency` as `actor`; `method` names the
    /// call in the audit log; `timeoutSeconds` replaces the default statement and lock
    /// timeout for calls allowed to run longer; `readOnly` makes PostgreSQL refuse any write.
    /// Errors come out classified (`StorageError` where one applies), never wrapped in
    /// `PostgresTransactionError`.
    ///
    /// A transaction PostgreSQL rolled back as a deadlock's victim (or a serialization
    /// failure) is run again, up to `transientAttempts` times in all, after a short random
    /// pause: nothing of it committed, and `body` does nothing outside the transaction before
    /// it commits. If it still fails, the call is `timedOut`: nothing was changed.
    public func withAgency<Result>(
        _ agency: UUID,
        as actor: Actor,
        method: String? = nil,
        timeoutSeconds: Int64? = nil,
        readOnly: Bool = false,
        _ body: (AgencyTransaction) async throws -> sending Result
    ) async throws -> sending Result {
        var attempt = 1
        while true {
            do {
                return try await agencyTransaction(agency, as: actor, method: method, timeoutSeconds: timeoutSeconds, readOnly: readOnly, body)
            } catch let error where Self.isTransient(error) {
                guard attempt < Self.transientAttempts else {
                    logger.warning("transaction rolled back by contention on every attempt", metadata: ["attempts": "\(attempt)", "method": "\(method ?? "-")"])
                    throw StorageError.timedOut
                }
                logger.debug("transaction rolled back by contention; running it again", metadata: ["sqlstate": "\(StorageError.sqlState(of: error) ?? "-")"])
                attempt += 1
                try await Task.sleep(for: .milliseconds(Int.random(in: 5...50) * attempt))
            }
        }
    }

    /// How many times a transaction rolled back by a deadlock or a serialization failure runs.
    static let transientAttempts = 3

    /// Whether PostgreSQL rolled the transaction back for contention alone (safe to run again).
    static func isTransient(_ error: any Error) -> Bool {
        let state = StorageError.sqlState(of: error)
        return state == SQLState.deadlockDetected || state == SQLState.serializationFailure
    }

    private func agencyTransaction<Result>(
        _ agency: UUID, as actor: Actor, method: String?, timeoutSeconds: Int64?, readOnly: Bool,
        _ body: (AgencyTransaction) async throws -> sending Result
    ) async throws -> sending Result {
        let distributed = try await isDistributed()
        return try await leased(transaction: true) { connection in
            let timeout = "\(timeoutSeconds.map { $0 * 1000 } ?? statementTimeoutMilliseconds)ms"
            let user: String
            let system: String
            switch actor {
            case .user(let id): (user, system) = (id.uuidString, "")
            case .system: (user, system) = ("", "on")
            }
            let bindings = PostgresBindings(agency.uuidString, user, system, method ?? "", timeout, readOnly ? "on" : "off")
            if distributed {
                _ = try await connection.run(CitusAgencyContextStatement(bindings: bindings), logger: logger)
            } else {
                _ = try await connection.run(AgencyContextStatement(bindings: bindings), logger: logger)
            }
            return try await body(AgencyTransaction(connection: connection, agency: agency, logger: logger))
        }
    }

    /// Whether this database is sharded with Citus (schema/021's `caseload_distributed()`),
    /// asked once outside any transaction. A schema older than 021 is a single node.
    public func isDistributed() async throws -> Bool {
        switch distribution.load(ordering: .relaxed) {
        case 1: return false
        case 2: return true
        default: break
        }
        let answer = try await withConnection { connection -> Bool in
            do {
                let rows = try await connection.query("SELECT caseload_distributed()", logger: logger)
                for try await value in rows.decode(Bool.self) { return value }
                return false
            } catch where StorageError.sqlState(of: error) == SQLState.undefinedFunction {
                return false
            }
        }
        distribution.store(answer ? 2 : 1, ordering: .relaxed)
        return answer
    }

    /// Who a read-only transaction acts for: calls share one only when all of this is equal.
    public struct ReadContext: Sendable, Hashable {
        public var agency: UUID
        public var actor: Actor
        public var timeoutSeconds: Int64?

        public init(agency: UUID, actor: Actor, timeoutSeconds: Int64?) {
            self.agency = agency
            self.actor = actor
            self.timeoutSeconds = timeoutSeconds
        }
    }

    /// The read-only transactions one caller's calls may share (see `SharedReads`).
    public typealias ReadSharing = SharedReads<ReadContext, PostgresConnection>

    /// Where the server's read-only calls meet to share transactions: the calls in flight
    /// together of every connection acting for the same agency, user and timeout, not only one
    /// connection's pipelined ones, so a user's reads from several connections (and clients
    /// that send one call at a time) share BEGIN, the context and COMMIT as well. A fixed set
    /// of `SharedReads`, picked by the context's hash and the caller's `lane`: connections are
    /// spread over a few lanes, so one user's many connections form several groups at once
    /// (a group's statements run one after another on its connection) and do not all queue on
    /// one lock. Two contexts on one stripe take turns (one shares while the other's calls run
    /// alone), which costs nothing but the sharing.
    let readStripes: [ReadSharing] = (0..<64).map { _ in ReadSharing() }
    /// Lanes per context (see `readStripes`).
    public static let readLanes = 4

    /// `withSharedRead` on the server-wide stripe for `context` and the caller's lane
    /// (0..<readLanes; a connection keeps its own).
    public func withSharedRead<Result>(
        _ context: ReadContext, lane: Int, _ body: (AgencyTransaction) async throws -> sending Result
    ) async throws -> sending Result {
        var hasher = Hasher()
        hasher.combine(context)
        hasher.combine(lane)
        let stripe = Int(UInt(bitPattern: hasher.finalize()) % UInt(readStripes.count))
        return try await withSharedRead(readStripes[stripe], context, body)
    }

    /// Runs `body` in a read-only transaction for `context`, shared with the other calls of
    /// `sharing` in flight at the same time (see `SharedReads`). A call whose shared
    /// transaction was aborted by another call's failed statement runs again, alone.
    public func withSharedRead<Result>(
        _ sharing: ReadSharing, _ context: ReadContext, _ body: (AgencyTransaction) async throws -> sending Result
    ) async throws -> sending Result {
        func alone() async throws -> sending Result {
            try await withAgency(context.agency, as: context.actor, timeoutSeconds: context.timeoutSeconds, readOnly: true, body)
        }
        guard availability.isReachable else { throw StorageError.unavailable }
        // Known to the monitor while it waits for its group to open and works in it (alone, it
        // is known through `withAgency`).
        let call = availability.register()
        let seat = await sharing.take(context) { group in
            // The transaction is the group's, not this call's: a task of its own runs it, so
            // no call waits for another to finish before it is answered.
            Task.detached { await self.runGroup(group, context, sharing) }
        }
        guard case .join(let group, let connection) = seat else {
            availability.unregister(call)
            return try await alone()
        }
        defer { availability.unregister(call) }
        readsShared.add(1, ordering: .relaxed)
        do {
            try checkOpen(connection, call)
            let result = try await body(AgencyTransaction(connection: connection, agency: context.agency, logger: logger))
            sharing.leave(group)
            return result
        } catch {
            sharing.leave(group)
            // Another call's statement failed and took the transaction with it.
            if StorageError.sqlState(of: error) == SQLState.inFailedTransaction { return try await alone() }
            throw StorageError.classify(error)
        }
    }

    /// A group's read-only transaction: open, serve the group's calls, commit once they are done.
    private func runGroup(_ group: UInt64, _ context: ReadContext, _ sharing: ReadSharing) async {
        do {
            try await withAgency(context.agency, as: context.actor, timeoutSeconds: context.timeoutSeconds, readOnly: true) { tx in
                sharing.opened(group, on: tx.connection)
                await sharing.drained(group)
            }
            readGroups.add(1, ordering: .relaxed)
        } catch {
            // Harmless once opened: the calls are answered by their own statements.
            sharing.failed(group)
        }
    }

    /// Runs `body` on a pooled connection outside any agency (only functions such as
    /// `caseload_authenticate` answer there).
    public func withConnection<Result>(_ body: (PostgresConnection) async throws -> sending Result) async throws -> sending Result {
        try await leased(transaction: false, body)
    }

    /// Whether PostgreSQL answers a trivial query now (for health checks).
    public func ping() async -> Bool {
        (try? await withConnection { try await $0.query("SELECT 1", logger: logger) }) != nil
    }

    /// Acts for `agency` for the rest of the session on `connection` (as the schema owner, for
    /// admin tools that write as an agency outside any request, like the demo seeder).
    public static func actFor(agency: UUID, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("SELECT set_config('caseload.agency_id', \(agency.uuidString), false)", logger: logger)
    }

    /// Refuses to serve through a role that could read across agencies: a superuser, a role
    /// with BYPASSRLS, or one that owns the tables or is a member of their owner (owners skip RLS).
    public func checkServerRole() async throws {
        try await withConnection { connection in
            let rows = try await connection.query(
                """
                SELECT r.rolname, r.rolsuper, r.rolbypassrls,
                       (SELECT count(*) FROM pg_tables t WHERE t.schemaname = 'public' AND pg_has_role(r.rolname, t.tableowner, 'USAGE'))
                FROM pg_roles r WHERE r.rolname = current_user
                """,
                logger: logger
            )
            for try await (name, isSuper, bypass, owned) in rows.decode((String, Bool, Bool, Int64).self) {
                if isSuper || bypass || owned > 0 {
                    throw UnsafeRole(role: name)
                }
            }
        }
    }

    public struct UnsafeRole: Error, CustomStringConvertible {
        public var role: String
        public var description: String {
            "database role '\(role)' can bypass row-level security (superuser, BYPASSRLS or table owner): "
                + "serve through a login role that is only a member of caseload_app (see `caseload-server migrate --app-role`)"
        }
    }
}
