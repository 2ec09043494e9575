import CaseloadStorage
import Synchronization

/// What one connection knows about its caller: set by `auth.login`, cleared by `auth.logout`.
public final class Session: Sendable {
    private let state = Mutex<Principal?>(nil)

    public init() {}

    public var principal: Principal? {
        state.withLock { $0 }
    }

    func set(_ principal: Principal?) {
        state.withLock { $0 = principal }
    }
}
