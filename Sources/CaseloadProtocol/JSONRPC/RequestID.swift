/// A JSON-RPC request id: a string or an integer as the client sent it, or null where the
/// server could not read one (parse errors, invalid requests).
public enum RequestID: Hashable, Sendable {
    case string(String)
    case number(Int64)
    case null
}

extension RequestID: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let i = try? container.decode(Int64.self) {
            self = .number(i)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let s): try container.encode(s)
        case .number(let n): try container.encode(n)
        case .null: try container.encodeNil()
        }
    }
}

extension RequestID: CustomStringConvertible {
    public var description: String {
        switch self {
        case .string(let s): "\"\(s)\""
        case .number(let n): String(n)
        case .null: "null"
        }
    }
}
