import CaseloadCore
import CaseloadProtocol
import Foundation

/// `rpc.discover`'s document, built and encoded once at start: the registry does not change
/// while the server runs, and the document is by far the largest reply (about 100 KB for a
/// 60-byte request). The dispatcher answers the call with `bytes`; before login, calls are
/// limited per client address, and a batch may hold only one.
public final class Discovery: Sendable {
    public let document: JSONValue
    let bytes: [UInt8]
    private let limiter: AddressRateLimiter

    public init(registry: MethodRegistry, version: String, perMinuteBeforeLogin: Int) {
        let document = OpenRPC.document(for: registry, version: version)
        var bytes: [UInt8] = []
        if !JSONWriter.write(document, into: &bytes) { bytes = Array((try? WireJSON.encode(document)) ?? Data("null".utf8)) }
        self.document = document
        self.bytes = bytes
        limiter = AddressRateLimiter(perMinute: perMinuteBeforeLogin)
    }

    /// Refuses a caller who is not logged in and has used up their address's allowance.
    func admit(_ session: Session) throws {
        guard session.principal == nil, let wait = limiter.take(session.remoteAddress) else { return }
        throw RPCError(
            .rateLimited, "Too many requests: rpc.discover before login is limited per address; log in, or wait",
            zh: "请求过多：登录前每个地址调用 rpc.discover 的次数有限；请登录，或稍候再试",
            data: ["limit": "discover_per_minute", "retry_after_seconds": .int(max(1, wait.components.seconds))])
    }
}
