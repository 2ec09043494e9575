import Foundation

extension JSONValue: Codable {
    /// From a foreign decoder (`JSONTreeDecoder` hands the subtree over itself): each kind is
    /// tried in turn, containers first: every failed attempt throws, a throw costs in
    /// proportion to the depth, and trying the scalars first at every level made 512 nested
    /// arrays cost seconds of CPU.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let o = try? container.decode([String: JSONValue].self) {
            self = .object(o)
        } else if let a = try? container.decode([JSONValue].self) {
            self = .array(a)
        } else if container.decodeNil() {
            self = .null
        } else if let b = try? container.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? container.decode(Int64.self) {
            self = .int(i)
        } else if let d = try? container.decode(Double.self) {
            self = .double(d)
        } else if let s = try? container.decode(String.self) {
            self = .string(s)
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a JSON value")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let b): try container.encode(b)
        case .int(let i): try container.encode(i)
        case .double(let d): try container.encode(d)
        case .string(let s): try container.encode(s)
        case .array(let a): try container.encode(a)
        case .object(let o): try container.encode(o)
        }
    }
}

/// Compact, stable JSON encoding for the wire: one line, sorted keys, no escaped slashes.
public enum WireJSON {
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    /// Decodes JSON that may come from outside (a client's cursor, a stored document): the
    /// syntax is checked first, so no input can reach Foundation's decoder traps (`JSONSyntax`).
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        if T.self == JSONValue.self, let value = JSONValue.parse(data) { return value as! T }
        guard JSONSyntax.isValid(data) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "not valid JSON"))
        }
        return try JSONDecoder().decode(type, from: data)
    }

    /// Converts a `JSONValue` into a `Decodable` type, straight from the tree (`JSONTreeDecoder`).
    public static func convert<T: Decodable>(_ value: JSONValue, to type: T.Type) throws -> T {
        try JSONTreeDecoder().decode(type, from: value)
    }

    /// Converts an `Encodable` value into a `JSONValue`, straight to the tree (`JSONTreeEncoder`).
    public static func value<T: Encodable>(of encodable: T) throws -> JSONValue {
        try JSONTreeEncoder().encode(encodable)
    }

    public static func string(_ value: JSONValue) -> String {
        // Encoding a JSONValue cannot fail except for non-finite doubles, which never come from parsing.
        (try? String(decoding: encode(value), as: UTF8.self)) ?? "null"
    }
}
