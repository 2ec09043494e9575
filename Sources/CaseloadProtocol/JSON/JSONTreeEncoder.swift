import Foundation

/// Encodes an `Encodable` straight into a `JSONValue` tree, which `JSONWriter` then writes:
/// a Codable result is never encoded to bytes and parsed back.
///
/// It makes the tree `JSONEncoder` (default strategies) would write: integers as integers,
/// `Data` as base64, `URL` as its absolute string, `Date` as `Date.encode(to:)` writes it; a
/// `nil` optional is left out (as `encodeIfPresent` does). A non-finite double is refused, as
/// `JSONEncoder` refuses it.
public struct JSONTreeEncoder: Sendable {
    public init() {}

    public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        let root = Node()
        try TreeEncoder(node: root, codingPath: []).encodeValue(value)
        return root.value
    }
}

/// One value under construction: containers fill it in as the type encodes itself.
private final class Node {
    enum State {
        case empty
        case value(JSONValue)
        case object([String: Node])
        case array([Node])
    }
    var state = State.empty

    var value: JSONValue {
        switch state {
        case .empty: return .object([:])
        case .value(let v): return v
        case .object(let members): return .object(members.mapValues(\.value))
        case .array(let elements): return .array(elements.map(\.value))
        }
    }

    // `member` and `append` take the container out of `state` before changing it: copied
    // while `state` still held it, every member or element copied the whole container
    // (quadratic in a list reply's rows).
    func member(_ key: String) -> Node {
        var members: [String: Node] = [:]
        if case .object(let m) = state { members = m }
        if let existing = members[key] { return existing }
        state = .empty
        let node = Node()
        members[key] = node
        state = .object(members)
        return node
    }

    func makeObject() {
        if case .object = state { return }
        state = .object([:])
    }

    func append() -> Node {
        var elements: [Node] = []
        if case .array(let e) = state { elements = e }
        state = .empty
        let node = Node()
        elements.append(node)
        state = .array(elements)
        return node
    }

    func makeArray() {
        if case .array = state { return }
        state = .array([])
    }
}

private struct TreeEncoder: Encoder {
    let node: Node
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.makeObject()
        return KeyedEncodingContainer(Keyed<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.makeArray()
        return Unkeyed(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { Single(encoder: self) }

    /// Encodes `value` into this node, with the special cases `JSONEncoder` has.
    func encodeValue<T: Encodable>(_ value: T) throws {
        switch value {
        case let tree as JSONValue: node.state = .value(tree)
        case let data as Data: node.state = .value(.string(data.base64EncodedString()))
        case let url as URL: node.state = .value(.string(url.absoluteString))
        default: try value.encode(to: self)
        }
    }

    func set(_ scalar: JSONValue) { node.state = .value(scalar) }

    /// The commonest scalars that reach the generic `encode` (an array's strings, say), taken
    /// as they are rather than through an encoder of their own.
    static func scalar<T: Encodable>(_ value: T) -> JSONValue? {
        switch value {
        case let s as String: .string(s)
        case let i as Int: .int(Int64(i))
        case let b as Bool: .bool(b)
        default: nil
        }
    }

    func double(_ d: Double) throws {
        guard d.isFinite else {
            throw EncodingError.invalidValue(d, .init(codingPath: codingPath, debugDescription: "Unable to encode \(d) directly in JSON"))
        }
        set(.double(d))
    }

    func integer<I: FixedWidthInteger>(_ i: I) throws { set(Self.integer(i)) }

    static func integer<I: FixedWidthInteger>(_ i: I) -> JSONValue {
        // Past Int64 (a UInt64 over 2^63): JSONEncoder writes the digits; so does a double here.
        Int64(exactly: i).map(JSONValue.int) ?? .double(Double(i))
    }
}

private struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: Node
    let codingPath: [any CodingKey]

    func child(_ key: Key) -> TreeEncoder { TreeEncoder(node: node.member(key.stringValue), codingPath: codingPath + [key]) }

    /// A scalar goes straight into its member: no encoder, and no coding path (an array
    /// built per value, most of a wide row's encoding), which only an error would read.
    func set(_ scalar: JSONValue, _ key: Key) { node.member(key.stringValue).state = .value(scalar) }

    mutating func encodeNil(forKey key: Key) throws { set(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { set(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { set(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { try child(key).double(value) }
    mutating func encode(_ value: Float, forKey key: Key) throws { try child(key).double(Double(value)) }
    mutating func encode(_ value: Int, forKey key: Key) throws { set(TreeEncoder.integer(value), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { set(TreeEncoder.integer(value), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { set(TreeEncoder.integer(value), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { set(TreeEncoder.integer(value), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { set(TreeEncoder.integer(value), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { set(TreeEncoder.integer(value), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { set(TreeEncoder.integer(value), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { set(TreeEncoder.integer(value), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { set(TreeEncoder.integer(value), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { set(TreeEncoder.integer(value), key) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        if let scalar = TreeEncoder.scalar(value) { return set(scalar, key) }
        try child(key).encodeValue(value)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        child(key).container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer { child(key).unkeyedContainer() }
    mutating func superEncoder() -> any Encoder { TreeEncoder(node: node.member("super"), codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { child(key) }
}

private struct Unkeyed: UnkeyedEncodingContainer {
    let node: Node
    let codingPath: [any CodingKey]
    var count: Int {
        if case .array(let elements) = node.state { return elements.count }
        return 0
    }

    private struct Index: CodingKey {
        var intValue: Int?
        var stringValue: String { "Index \(intValue ?? 0)" }
        init(intValue: Int) { self.intValue = intValue }
        init?(stringValue: String) { nil }
    }

    func next() -> TreeEncoder {
        // The index before the append: the element's own (`Index 0` for the first, as Foundation names it).
        let index = Index(intValue: count)
        return TreeEncoder(node: node.append(), codingPath: codingPath + [index])
    }

    /// A scalar is appended as it is (as `Keyed.set`: no encoder, no coding path).
    func append(_ scalar: JSONValue) { node.append().state = .value(scalar) }

    mutating func encodeNil() throws { append(.null) }
    mutating func encode(_ value: Bool) throws { append(.bool(value)) }
    mutating func encode(_ value: String) throws { append(.string(value)) }
    mutating func encode(_ value: Double) throws { try next().double(value) }
    mutating func encode(_ value: Float) throws { try next().double(Double(value)) }
    mutating func encode(_ value: Int) throws { append(TreeEncoder.integer(value)) }
    mutating func encode(_ value: Int8) throws { append(TreeEncoder.integer(value)) }
    mutating func encode(_ value: Int16) throws { append(TreeEncoder.integer(value)) }
    mutating func encode(_ value: Int32) throws { append(TreeEncoder.integer(value)) }
    mutating func encode(_ value: Int64) throws { append(TreeEncoder.integer(value)) }
    mutating func encode(_ value: UInt) throws { append(TreeEncoder.integer(value)) }
    mutating func encode(_ value: UInt8) throws { append(TreeEncoder.integer(value)) }
    mutating func encode(_ value: UInt16) throws { append(TreeEncoder.integer(value)) }
    mutating func encode(_ value: UInt32) throws { append(TreeEncoder.integer(value)) }
    mutating func encode(_ value: UInt64) throws { append(TreeEncoder.integer(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        if let scalar = TreeEncoder.scalar(value) { return append(scalar) }
        try next().encodeValue(value)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        next().container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { next().unkeyedContainer() }
    mutating func superEncoder() -> any Encoder { next() }
}

private struct Single: SingleValueEncodingContainer {
    let encoder: TreeEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    mutating func encodeNil() throws { encoder.set(.null) }
    mutating func encode(_ value: Bool) throws { encoder.set(.bool(value)) }
    mutating func encode(_ value: String) throws { encoder.set(.string(value)) }
    mutating func encode(_ value: Double) throws { try encoder.double(value) }
    mutating func encode(_ value: Float) throws { try encoder.double(Double(value)) }
    mutating func encode(_ value: Int) throws { try encoder.integer(value) }
    mutating func encode(_ value: Int8) throws { try encoder.integer(value) }
    mutating func encode(_ value: Int16) throws { try encoder.integer(value) }
    mutating func encode(_ value: Int32) throws { try encoder.integer(value) }
    mutating func encode(_ value: Int64) throws { try encoder.integer(value) }
    mutating func encode(_ value: UInt) throws { try encoder.integer(value) }
    mutating func encode(_ value: UInt8) throws { try encoder.integer(value) }
    mutating func encode(_ value: UInt16) throws { try encoder.integer(value) }
    mutating func encode(_ value: UInt32) throws { try encoder.integer(value) }
    mutating func encode(_ value: UInt64) throws { try encoder.integer(value) }
    mutating func encode<T: Encodable>(_ value: T) throws { try encoder.encodeValue(value) }
}
