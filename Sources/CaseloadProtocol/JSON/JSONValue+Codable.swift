import Foundation

extension JSONValue: Codable {
    /// Inside `WireJSON.convert` the value is taken from the tree being converted, found by
    /// the coding path. Otherwise each kind is tried in turn, containers first: every failed
    /// attempt throws, a throw costs in proportion to the depth, and trying the scalars
    /// first at every level made 512 nested arrays cost seconds of CPU.
    public init(from decoder: any Decoder) throws {
        if let source = decoder.userInfo[.wireJSONSource] as? WireJSON.Source, let value = source.root.at(decoder.codingPath) {
            self = value
            return
        }
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

    /// Converts a `JSONValue` into a `Decodable` type (by a round trip through bytes; any
    /// `JSONValue` inside the type is taken from `value` directly, see `JSONValue.init(from:)`).
    public static func convert<T: Decodable>(_ value: JSONValue, to type: T.Type) throws -> T {
        if T.self == JSONValue.self { return value as! T }
        let decoder = JSONDecoder()
        decoder.userInfo[.wireJSONSource] = Source(root: value)
        return try decoder.decode(type, from: encode(value))
    }

    /// The tree `convert` is decoding from.
    final class Source: Sendable {
        let root: JSONValue
        init(root: JSONValue) { self.root = root }
    }

    /// Converts an `Encodable` value into a `JSONValue`.
    public static func value<T: Encodable>(of encodable: T) throws -> JSONValue {
        try decode(JSONValue.self, from: encode(encodable))
    }

    public static func string(_ value: JSONValue) -> String {
        // Encoding a JSONValue cannot fail except for non-finite doubles, which never come from parsing.
        (try? String(decoding: encode(value), as: UTF8.self)) ?? "null"
    }
}

extension CodingUserInfoKey {
    static let wireJSONSource = CodingUserInfoKey(rawValue: "caseload.wire-json-source")!
}

extension JSONValue {
    /// The value at a coding path (array elements by index, object members by key).
    func at(_ path: [any CodingKey]) -> JSONValue? {
        var value = self
        for key in path {
            switch value {
            case .array(let elements):
                guard let i = key.intValue, elements.indices.contains(i) else { return nil }
                value = elements[i]
            case .object(let members):
                guard let member = members[key.stringValue] else { return nil }
                value = member
            default:
                return nil
            }
        }
        return value
    }
}
