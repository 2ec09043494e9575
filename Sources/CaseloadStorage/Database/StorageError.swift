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
    /// How errors from PostgreSQL become what the layers above see: the database entry points
    /// (`Database.withAgency`, `withSharedRead`, `withConnection`, and a method's own
    /// `RequestContext.withAgency` inside a call's transaction) call it on every error they
    /// throw, so the methods and the dispatcher above them never classify. Idempotent.
    public static func classify(_ error: any Error) -> (any Error) {
        let error = unwrapped(error)
        if let storage = error as? StorageError { return storage }
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
            case SQLState.uniqueViolation: return StorageError.duplicate(constraint: constraint(psql) ?? "unique")
            case SQLState.insufficientPrivilege: return StorageError.forbidden
            case SQLState.queryCanceled, SQLState.lockNotAvailable: return StorageError.timedOut
            case SQLState.foreignKeyViolation: return StorageError.stillReferenced(constraint: constraint(psql) ?? "reference")
            case _ where state.hasPrefix(SQLState.connectionExceptionClass), SQLState.adminShutdown, SQLState.crashShutdown,
                SQLState.cannotConnectNow, SQLState.tooManyConnections:
                return StorageError.unavailable
            case _ where state.hasPrefix(SQLState.dataExceptionClass), SQLState.notNullViolation, SQLState.checkViolation:
                return StorageError.valueRefused(sqlState: state, constraint: constraint(psql))
            default: return error
            }
        default:
            return error
        }
    }

    /// The constraint an error names, as the schema names it.
    ///
    /// Citus forwards a worker's error without its constraint field, so the name is then taken
    /// from the message (the last quoted name: `violates unique constraint "x"`, `… foreign key
    /// constraint "x"`), and it is the shard's name (`companies_agency_id_credit_code_key_102184`),
    /// whose shard-id suffix is dropped. PostgreSQL's own names end in `_key`, `_fkey`, `_pkey`
    /// or `_check`, never in `_<digits>`.
    static func constraint(_ error: PSQLError) -> String? {
        constraint(named: error.serverInfo?[.constraintName], message: error.serverInfo?[.message])
    }

    /// ``constraint(_:)`` over the error's two fields: apart, so a test can pin it.
    static func constraint(named field: String?, message: String?) -> String? {
        guard let name = field ?? message.flatMap(lastQuoted) else { return nil }
        guard let cut = name.lastIndex(of: "_"), name.index(after: cut) < name.endIndex,
            name[name.index(after: cut)...].allSatisfy({ $0.isASCII && $0.isNumber })
        else { return name }
        return String(name[..<cut])
    }

    private static func lastQuoted(_ message: String) -> String? {
        let parts = message.split(separator: "\"", omittingEmptySubsequences: false)
        guard parts.count >= 3 else { return nil }
        return String(parts[parts.count - 2])
    }

    /// The SQLSTATE of a server error, if it is one (after unwrapping transactions).
    public static func sqlState(of error: any Error) -> String? {
        let error = unwrapped(error)
        if case .valueRefused(let state, _)? = error as? StorageError { return state }
        return (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// The error inside a `PostgresTransactionError` (the body's, else BEGIN's or COMMIT's):
    /// the one place the wrapper is taken off, in one order.
    public static func unwrapped(_ error: any Error) -> any Error {
        guard let tx = error as? PostgresTransactionError else { return error }
        return tx.closureError.map(unwrapped) ?? tx.beginError ?? tx.commitError ?? tx
    }
}
