import PostgresNIO
import _ConnectionPoolModule

/// What the storage layer reports upward. Carries no SQL and no values: safe to show.
public enum StorageError: Error, Sendable, Equatable {
    /// PostgreSQL could not be reached or the connection broke; nothing was committed.
    case unavailable
    /// No such row in the caller's agency.
    case notFound(entity: String)
    /// A unique key already holds this value (`constraint` names which).
    case duplicate(constraint: String)
    /// The caller's expected version is stale.
    case versionConflict(current: Int)
    /// Row-level security or a grant refused the statement.
    case forbidden
    /// Other rows still refer to this one (`constraint` names the reference).
    case stillReferenced(constraint: String)
    /// A statement ran past the transaction's statement or lock timeout; it was rolled back.
    case timedOut
    /// PostgreSQL refused a value (a data exception, SQLSTATE class 22, or a CHECK or NOT
    /// NULL constraint): input the server's own validation should have refused first. Its
    /// SQLSTATE and constraint name, never the value.
    case valueRefused(sqlState: String, constraint: String?)
}

extension StorageError {
    /// Classifies an error thrown by postgres-nio, unwrapping transaction errors first.
    public static func classify(_ error: any Error) -> (any Error) {
        if let storage = error as? StorageError { return storage }
        if let tx = error as? PostgresTransactionError {
            if let inner = tx.closureError { return classify(inner) }
            if let inner = tx.beginError ?? tx.commitError { return classify(inner) }
            return tx
        }
        if let pool = error as? ConnectionPoolError {
            // Only the circuit breaker (no connection for a minute) and shutdown arrive here
            // unwrapped; a cancelled request comes as PSQLError.queryCancelled.
            return pool == .requestCancelled ? CancellationError() : StorageError.unavailable
        }
        guard let psql = error as? PSQLError else { return error }
        switch psql.code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .poolClosed, .uncleanShutdown,
            .sslUnsupported, .failedToAddSSLHandler:
            return StorageError.unavailable
        case .server:
            let state = psql.serverInfo?[.sqlState] ?? ""
            switch state {
            case "23505": return StorageError.duplicate(constraint: psql.serverInfo?[.constraintName] ?? "unique")
            case "42501": return StorageError.forbidden
            case "57014", "55P03": return StorageError.timedOut
            case "23503": return StorageError.stillReferenced(constraint: psql.serverInfo?[.constraintName] ?? "reference")
            case _ where state.hasPrefix("08"), "57P01", "57P02", "57P03", "53300":
                return StorageError.unavailable
            case _ where state.hasPrefix("22"), "23502", "23514":
                return StorageError.valueRefused(sqlState: state, constraint: psql.serverInfo?[.constraintName])
            default: return error
            }
        default:
            return error
        }
    }

    /// The SQLSTATE of a server error, if it is one (after unwrapping transactions).
    public static func sqlState(of error: any Error) -> String? {
        if case .valueRefused(let state, _)? = error as? StorageError { return state }
        if let tx = error as? PostgresTransactionError {
            return (tx.closureError ?? tx.beginError ?? tx.commitError).flatMap(sqlState(of:))
        }
        return (error as? PSQLError)?.serverInfo?[.sqlState]
    }
}
