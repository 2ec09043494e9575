import CaseloadProtocol
import CaseloadStorage
import Logging
import PostgresNIO

/// What a handler gets besides its params: the caller, the database, a logger.
public struct RequestContext: Sendable {
    public let session: Session
    public let services: ServerServices
    /// The registry that dispatched this call (`rpc.discover` describes it).
    public let registry: MethodRegistry
    public let logger: Logger

    public var database: Database { services.database }

    /// The logged-in caller, or an `unauthenticated` error.
    public func principal() throws -> Principal {
        guard let principal = session.principal else { throw RPCError(.unauthenticated) }
        return principal
    }

    /// Runs `body` in a transaction acting for the caller's agency: row-level security sees
    /// only that agency's rows.
    public func withAgency<Result>(_ body: (Principal, PostgresConnection) async throws -> sending Result) async throws
        -> sending Result
    {
        let principal = try principal()
        let recheck = session.hashDueForRecheck()
        return try await database.withAgency(principal.agencyID, user: principal.userID) { connection in
            if let hash = recheck {
                guard try await AuthStore.authenticate(hash: hash, on: connection, logger: logger) == principal else {
                    session.set(nil)
                    throw RPCError(.unauthenticated, "Your token was revoked or has expired: log in again")
                }
                session.markVerified()
            }
            return try await body(principal, connection)
        }
    }
}

/// Long-lived things every handler may need, shared by all connections.
public struct ServerServices: Sendable {
    public let database: Database
    public let configuration: ServerConfiguration
    public let version: String
    /// Seals and looks up personal identifiers.
    public let cipher: PIICipher

    public init(database: Database, configuration: ServerConfiguration, version: String, cipher: PIICipher) {
        self.cipher = cipher
        self.database = database
        self.configuration = configuration
        self.version = version
    }
}
