import Foundation

/// What one line from a client turned out to be.
public enum RPCIncoming: Sendable, Equatable {
    /// A single request or notification (or one that could not be read: answer with the response).
    case single(RPCEntry)
    /// A batch: its entries in order.
    case batch([RPCEntry])
    /// The whole line is answered with this one error (parse error, empty batch, batch too large).
    case rejected(RPCResponse)
}

/// One element of a line: a well-formed request, or the error response for a malformed one.
public enum RPCEntry: Sendable, Equatable {
    case request(RPCRequest)
    case invalid(RPCResponse)
}

public enum RPCParser {
    /// Parses one line (without its terminator) sent by a client.
    public static func parseClientLine(_ bytes: Data, maximumBatchSize: Int) -> RPCIncoming {
        // Not Foundation's JSONDecoder: see `JSONSyntax` for what it let through, and what
        // one line could make it do.
        guard let value = JSONValue.parse(bytes) else {
            return .rejected(RPCResponse(id: .null, error: RPCError(.parseError)))
        }
        switch value {
        case .array(let elements):
            if elements.isEmpty {
                return .rejected(RPCResponse(id: .null, error: RPCError(.invalidRequest, "Invalid request: empty batch")))
            }
            if elements.count > maximumBatchSize {
                return .rejected(
                    RPCResponse(
                        id: .null,
                        error: RPCError(
                            .requestTooLarge,
                            "Request too large: a batch may hold at most \(maximumBatchSize) requests",
                            data: ["limit": "maximum_batch_size", "maximum": .int(Int64(maximumBatchSize))]
                        )
                    ))
            }
            return .batch(elements.map(entry))
        default:
            return .single(entry(value))
        }
    }

    /// Reads one JSON value as a request; anything else becomes its error response.
    public static func entry(_ value: JSONValue) -> RPCEntry {
        func invalid(_ why: String, id: RequestID = .null) -> RPCEntry {
            .invalid(RPCResponse(id: id, error: RPCError(.invalidRequest, "Invalid request: \(why)")))
        }
        guard case .object(let members) = value else { return invalid("a request must be a JSON object") }

        let id: RequestID?
        switch members["id"] {
        case nil: id = nil
        case .null?: id = .null
        case .string(let s)?: id = .string(s)
        case .int(let n)?: id = .number(n)
        default: return invalid("id must be a string, an integer or null")
        }
        guard members["jsonrpc"] == .string("2.0") else {
            return invalid("jsonrpc must be \"2.0\"", id: id ?? .null)
        }
        guard case .string(let method)? = members["method"] else {
            return invalid("method must be a string", id: id ?? .null)
        }
        let params = members["params"]
        switch params {
        case nil, .object?, .array?: break
        default: return invalid("params must be an object or an array", id: id ?? .null)
        }
        return .request(RPCRequest(id: id, method: method, params: params))
    }

    /// Parses one line sent by the server: a response, a batch of responses, or a notification.
    public static func parseServerLine(_ bytes: Data) throws -> [RPCServerMessage] {
        // The same strict reader as the server's: a hostile server must not crash a client either.
        guard let value = JSONValue.parse(bytes) else { throw RPCError(.parseError, "the server sent a line that is not JSON") }
        if case .array(let elements) = value {
            return try elements.map(serverMessage)
        }
        return [try serverMessage(value)]
    }

    static func serverMessage(_ value: JSONValue) throws -> RPCServerMessage {
        guard case .object(let m) = value else { throw RPCError(.parseError, "server sent a non-object") }
        if case .string(let method)? = m["method"], m["id"] == nil {
            return .notification(RPCRequest(id: nil, method: method, params: m["params"]))
        }
        let id: RequestID
        switch m["id"] {
        case .string(let s)?: id = .string(s)
        case .int(let n)?: id = .number(n)
        default: id = .null
        }
        if let error = m["error"] {
            return .response(RPCResponse(id: id, error: try WireJSON.convert(error, to: RPCError.self)))
        }
        return .response(RPCResponse(id: id, result: m["result"] ?? .null))
    }
}
