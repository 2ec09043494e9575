/// One field of a change: absent (keep what is stored), null (clear it), or a new value.
/// An update's params type says "absent keeps, null clears" with it, in its type: a
/// synthesized `Decodable` reads an absent key as `.absent` (see the `KeyedDecodingContainer`
/// overload below), so no handler reads raw params to tell absent from null.
public enum Patch<Value: Decodable & Sendable>: Sendable {
    case absent
    case null
    case value(Value)

    /// Whether the params name the field at all (null included).
    public var isPresent: Bool {
        if case .absent = self { return false }
        return true
    }

    /// The field after the change, over what is stored.
    public func applied(to current: Value?) -> Value? {
        switch self {
        case .absent: current
        case .null: nil
        case .value(let value): value
        }
    }
}

extension Patch: Decodable {
    /// A present key: null or a value.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self = container.decodeNil() ? .null : .value(try container.decode(Value.self))
    }
}

extension KeyedDecodingContainer {
    /// An absent key is `.absent`, not an error: chosen over the generic `decode` for `Patch`
    /// fields, synthesized `Decodable`s included.
    public func decode<Value>(_ type: Patch<Value>.Type, forKey key: Key) throws -> Patch<Value> {
        guard contains(key) else { return .absent }
        return try decodeIfPresent(Patch<Value>.self, forKey: key) ?? .null
    }
}

