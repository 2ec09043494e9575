import CaseloadCore
import CaseloadStorage
import Logging
import PostgresNIO

extension Session {
    /// The one rule for a session's periodic token re-check, used by calls
    /// (`RequestContext.inTransaction`) and by watch deliveries (`EventHub`) alike.
    ///
    /// When the check is due (`hashDueForRecheck`), the token is looked up again on
    /// `connection`. Revoked, expired, or now naming another user or agency: the session ends
    /// and the answer is nil. Still valid: the current principal (a changed role or company
    /// replaces the one the session held). Not due: `principal` as it is. Database errors are
    /// thrown, never read as "ended".
    func verified(_ principal: Principal, on connection: PostgresConnection, logger: Logger) async throws -> Principal? {
        guard let hash = hashDueForRecheck() else { return principal }
        guard let fresh = try await AuthStore.authenticate(hash: hash, on: connection, logger: logger),
            fresh.agencyID == principal.agencyID, fresh.userID == principal.userID
        else {
            set(nil)
            return nil
        }
        if fresh != principal { set(fresh, tokenHash: hash) }
        markVerified()
        return fresh
    }
}
