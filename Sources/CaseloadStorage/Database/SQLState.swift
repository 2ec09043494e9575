/// The PostgreSQL error codes (SQLSTATE) the storage layer acts on, by name
/// (postgresql.org/docs/current/errcodes-appendix.html).
public enum SQLState {
    public static let uniqueViolation = "23505"
    public static let foreignKeyViolation = "23503"
    public static let notNullViolation = "23502"
    public static let checkViolation = "23514"
    /// Class 22, data exception: a value PostgreSQL cannot take (NUL, out of range, …).
    public static let dataExceptionClass = "22"
    /// Class 08, connection exception.
    public static let connectionExceptionClass = "08"
    public static let insufficientPrivilege = "42501"
    public static let duplicateObject = "42710"
    public static let undefinedFunction = "42883"
    public static let queryCanceled = "57014"
    public static let lockNotAvailable = "55P03"
    public static let adminShutdown = "57P01"
    public static let crashShutdown = "57P02"
    public static let cannotConnectNow = "57P03"
    public static let tooManyConnections = "53300"
    /// The transaction was aborted by an earlier failed statement.
    public static let inFailedTransaction = "25P02"
    public static let divisionByZero = "22012"
    /// Chosen as a deadlock's victim: the transaction was rolled back, and may simply run again.
    public static let deadlockDetected = "40P01"
    /// A serializable transaction could not be ordered with another: likewise safe to run again.
    public static let serializationFailure = "40001"
}
