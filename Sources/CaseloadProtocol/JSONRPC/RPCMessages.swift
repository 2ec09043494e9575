/// A JSON-RPC 2.0 request or notification (a notification has no id and gets no reply).
public struct RPCRequest: Hashable, Sendable {
    public var id: RequestID?
    public var method: String
    public var params: JSONValue?

    public init(id: RequestID?, method: String, params: JSONValue? = nil) {
        self.id = id
        self.method = method
        self.params = params
    }

    public var isNotification: Bool { id == nil }
}

extension RPCRequest: Encodable {
    enum CodingKeys: String, CodingKey { case jsonrpc, id, method, params }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode("2.0", forKey: .jsonrpc)
        try c.encodeIfPresent(id, forKey: .id)
        try c.encode(method, forKey: .method)
        try c.encodeIfPresent(params, forKey: .params)
    }
}

/// A JSON-RPC 2.0 response: a result or an error, for the request with the same id.
public struct RPCResponse: Hashable, Sendable {
    public var id: RequestID
    public var outcome: Result<JSONValue, RPCError>

    public init(id: RequestID, outcome: Result<JSONValue, RPCError>) {
        self.id = id
        self.outcome = outcome
    }

    public init(id: RequestID, result: JSONValue) {
        self.init(id: id, outcome: .success(result))
    }

    public init(id: RequestID, error: RPCError) {
        self.init(id: id, outcome: .failure(error))
    }

    public var result: JSONValue? { try? outcome.get() }
    public var error: RPCError? {
        if case .failure(let e) = outcome { return e }
        return nil
    }
}

extension RPCResponse: Encodable {
    enum CodingKeys: String, CodingKey { case jsonrpc, id, result, error }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode("2.0", forKey: .jsonrpc)
        try c.encode(id, forKey: .id)
        switch outcome {
        case .success(let value): try c.encode(value, forKey: .result)
        case .failure(let error): try c.encode(error, forKey: .error)
        }
    }
}

/// Either side of the conversation as a client sees it: a response to one of its calls, or
/// a notification the server pushes.
public enum RPCServerMessage: Hashable, Sendable {
    case response(RPCResponse)
    case notification(RPCRequest)
}
