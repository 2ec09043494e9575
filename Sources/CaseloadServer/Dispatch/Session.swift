import CaseloadCore
import CaseloadProtocol
import CaseloadStorage
import NIOCore
import Synchronization

/// What one connection knows about its caller: set by `auth.login`, cleared by `auth.logout`.
///
/// The token is checked again (by its hash) at most every `recheckInterval`, so a token
/// revoked or expired while a connection is open stops working there too.
public final class Session: Sendable {
    static let recheckInterval: Duration = .seconds(5)

    private struct State {
        var principal: Principal?
        var tokenHash: [UInt8] = []
        var verifiedAt = ContinuousClock.now
    }

    private let state = Mutex(State())
    /// The language of this connection's error messages: kept across login and logout, since
    /// it belongs to the connection (a client may choose it before logging in).
    private let chosenLanguage = Mutex(Language.standard)
    private let peer: PeerAddress
    /// The client's IP address (no port), for limiting failed logins; "unknown" when absent.
    public var remoteAddress: String { peer.address }
    /// Writes a server-initiated line (a `watch.event` notification) on this connection.
    let push: @Sendable (ByteBuffer) -> Void
    /// Where this connection's reads share transactions: with its own reads in flight when it
    /// pipelines (`reads`), otherwise in its lane of the server's, with other connections of
    /// the same user (see `Database.withSharedRead(_:lane:_:)`). Measured at 32 connections:
    /// one call in flight each, the lanes double `case.get`'s rate and cut its p99 by two
    /// thirds; eight each, the connection's own groups do better than large shared ones.
    let reads = Database.ReadSharing()
    let readLane = Int.random(in: 0..<Database.readLanes)
    let readsInFlight = Atomic<Int>(0)

    public init(peer: PeerAddress, push: @escaping @Sendable (ByteBuffer) -> Void = { _ in }) {
        self.peer = peer
        self.push = push
    }

    public convenience init(remoteAddress: String = "unknown", push: @escaping @Sendable (ByteBuffer) -> Void = { _ in }) {
        self.init(peer: PeerAddress(remoteAddress), push: push)
    }

    public var principal: Principal? {
        state.withLock { $0.principal }
    }

    /// The language error messages on this connection are written in.
    public var language: Language {
        chosenLanguage.withLock { $0 }
    }

    func set(language: Language) {
        chosenLanguage.withLock { $0 = language }
    }

    func set(_ principal: Principal?, tokenHash: [UInt8] = []) {
        state.withLock { $0 = State(principal: principal, tokenHash: tokenHash, verifiedAt: .now) }
    }

    /// The token hash to verify again, if the last check is older than the interval.
    func hashDueForRecheck() -> [UInt8]? {
        state.withLock { s in
            guard s.principal != nil, !s.tokenHash.isEmpty, ContinuousClock.now - s.verifiedAt > Self.recheckInterval else { return nil }
            return s.tokenHash
        }
    }

    func markVerified() {
        state.withLock { $0.verifiedAt = .now }
    }
}
