import CaseloadProtocol
import Foundation
import NIOCore
import NIOFoundationCompat
import Synchronization

/// A JSON-RPC client over one line-delimited TCP connection.
///
/// Calls may run concurrently; replies are matched to calls by id, in whatever order the
/// server sends them. Use it inside `RPCClient.withConnection`, which closes the
/// connection when the body returns.
public final class RPCClient: Sendable {
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private let state = Mutex(State())
    private let onNotification: @Sendable (RPCRequest) -> Void

    private struct State {
        var nextID: Int64 = 1
        var pending: [RequestID: CheckedContinuation<RPCResponse, any Error>] = [:]
        /// Batch replies that arrived before their waiter registered.
        var early: [RequestID: RPCResponse] = [:]
        var closed: (any Error)?
    }

    /// The connection was closed before a reply came.
    public struct ConnectionClosed: Error, CustomStringConvertible {
        public var description: String { "the server closed the connection" }
    }

    private init(outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, onNotification: @escaping @Sendable (RPCRequest) -> Void) {
        self.outbound = outbound
        self.onNotification = onNotification
    }

    /// Connects, runs `body` with a client, and closes the connection afterwards. With `tls`,
    /// the server is verified before `body` runs; a failed verification throws `TLSFailure`.
    public static func withConnection<Result: Sendable>(
        host: String,
        port: Int,
        tls: ClientTLS? = nil,
        onNotification: @escaping @Sendable (RPCRequest) -> Void = { _ in },
        _ body: (RPCClient) async throws -> Result
    ) async throws -> Result {
        let channel = try await LineChannel.connect(host: host, port: port, tls: tls)
        return try await channel.executeThenClose { inbound, outbound in
            let client = RPCClient(outbound: outbound, onNotification: onNotification)
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.readReplies(inbound) }
                defer { group.cancelAll() }
                return try await body(client)
            }
        }
    }

    /// Calls `method` and returns its result, or throws the server's `RPCError`.
    public func call(_ method: String, _ params: JSONValue? = nil) async throws -> JSONValue {
        try await send(method, params).outcome.get()
    }

    /// Calls `method` with Encodable params and decodes the result.
    public func call<P: Encodable, R: Decodable>(_ method: String, _ params: P, as: R.Type) async throws -> R {
        let result = try await call(method, try WireJSON.value(of: params))
        return try WireJSON.convert(result, to: R.self)
    }

    /// Sends a request and returns the whole response (result or error) without throwing RPC errors.
    public func send(_ method: String, _ params: JSONValue? = nil) async throws -> RPCResponse {
        let id = state.withLock { state -> RequestID in
            defer { state.nextID += 1 }
            return .number(state.nextID)
        }
        let request = RPCRequest(id: id, method: method, params: params)
        return try await withCheckedThrowingContinuation { continuation in
            let closed = state.withLock { state -> (any Error)? in
                if let error = state.closed { return error }
                state.pending[id] = continuation
                return nil
            }
            if let closed {
                continuation.resume(throwing: closed)
                return
            }
            Task { [outbound] in
                do {
                    try await outbound.write(ByteBuffer(data: WireJSON.encode(request)))
                } catch {
                    self.fail(id: id, with: error)
                }
            }
        }
    }

    /// Sends a notification: no reply is expected or possible.
    public func notify(_ method: String, _ params: JSONValue? = nil) async throws {
        try await outbound.write(ByteBuffer(data: WireJSON.encode(RPCRequest(id: nil, method: method, params: params))))
    }

    /// Sends one batch and returns the responses in the server's order.
    public func batch(_ requests: [(method: String, params: JSONValue?)]) async throws -> [RPCResponse] {
        // Batches reply in one line, so they bypass the per-id matching: ids here are negative
        // to stay clear of `call`'s ids.
        let ids = requests.indices.map { RequestID.number(-Int64($0) - 1) }
        let payload = zip(ids, requests).map { RPCRequest(id: $0, method: $1.method, params: $1.params) }
        return try await withThrowingTaskGroup(of: RPCResponse.self) { group in
            for id in ids {
                group.addTask { try await self.await(id: id) }
            }
            try await outbound.write(ByteBuffer(data: WireJSON.encode(payload)))
            var responses: [RPCResponse] = []
            for try await r in group { responses.append(r) }
            return responses.sorted { ids.firstIndex(of: $0.id)! < ids.firstIndex(of: $1.id)! }
        }
    }

    private func await(id: RequestID) async throws -> RPCResponse {
        try await withCheckedThrowingContinuation { continuation in
            let ready = state.withLock { state -> Result<RPCResponse, any Error>? in
                if let response = state.early.removeValue(forKey: id) { return .success(response) }
                if let error = state.closed { return .failure(error) }
                state.pending[id] = continuation
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }

    private func fail(id: RequestID, with error: any Error) {
        let continuation = state.withLock { $0.pending.removeValue(forKey: id) }
        continuation?.resume(throwing: error)
    }

    private func readReplies(_ inbound: NIOAsyncChannelInboundStream<LineFrame>) async {
        var failure: any Error = ConnectionClosed()
        do {
            for try await frame in inbound {
                guard case .line(let line) = frame else { continue }
                for message in (try? RPCParser.parseServerLine(Data(line.readableBytesView))) ?? [] {
                    switch message {
                    case .notification(let n):
                        onNotification(n)
                    case .response(let response):
                        let continuation = state.withLock { state in
                            let c = state.pending.removeValue(forKey: response.id)
                            if c == nil, case .number(let n) = response.id, n < 0 { state.early[response.id] = response }
                            return c
                        }
                        continuation?.resume(returning: response)
                    }
                }
            }
        } catch {
            failure = error
        }
        let pending = state.withLock { state in
            state.closed = failure
            defer { state.pending = [:] }
            return state.pending
        }
        for continuation in pending.values { continuation.resume(throwing: failure) }
    }
}
