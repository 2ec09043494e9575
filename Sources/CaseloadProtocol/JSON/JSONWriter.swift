/// Writes a `JSONValue` as the bytes `WireJSON.encode` gives for it (sorted keys, slashes
/// not escaped, control characters escaped as Foundation's encoder does), without going
/// through `Encodable`: replies are written for every call, and Foundation's encoder was
/// most of the server's own time on `case.get` and `case.list` (docs/performance.md).
///
/// Numbers other than integers are left to Foundation (its formatting of doubles is the
/// reference): `write` answers false for them and the caller falls back.
public enum JSONWriter {
    /// Appends `value`; false (with `out` partly written) if it holds a double.
    public static func write(_ value: JSONValue, into out: inout [UInt8]) -> Bool {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .double: return false
        case .string(let s): writeString(s, into: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (i, element) in elements.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                guard write(element, into: &out) else { return false }
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            // The dictionary's own positions are sorted, not its members: copying the (key,
            // value) pairs out retained and released both. Each position carries its key's
            // first eight bytes as one integer, so most comparisons are one integer's, not a
            // walk of two strings (sorting was a quarter of a list reply's writing).
            let keys = members.keys
            var order: [(prefix: UInt64, index: [String: JSONValue].Index)] = []
            order.reserveCapacity(members.count)
            for index in members.indices { order.append((prefix(of: keys[index]), index)) }
            order.sort { a, b in a.prefix != b.prefix ? a.prefix < b.prefix : utf8Precedes(keys[a.index], keys[b.index]) }
            var first = true
            for (_, index) in order {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                writeString(keys[index], into: &out)
                out.append(UInt8(ascii: ":"))
                guard write(members.values[index], into: &out) else { return false }
            }
            out.append(UInt8(ascii: "}"))
        }
        return true
    }

    /// `key`'s first eight UTF-8 bytes, big-endian, zero-padded: when two keys' prefixes
    /// differ, they order the keys as `utf8Precedes` does (a zero pad sorts before every
    /// byte, as a shorter key sorts before one it begins); equal prefixes need the full walk.
    static func prefix(of key: String) -> UInt64 {
        var key = key
        return key.withUTF8 { bytes in
            var value: UInt64 = 0
            for i in 0..<8 { value = value << 8 | UInt64(i < bytes.count ? bytes[i] : 0) }
            return value
        }
    }

    /// Whether `a` sorts before `b` byte by byte in UTF-8 (the encoder's key order), on the
    /// strings' own storage: the generic `utf8.lexicographicallyPrecedes` walked an iterator
    /// per byte and was most of a `case.list` reply's key sorting.
    static func utf8Precedes(_ a: String, _ b: String) -> Bool {
        let fast = a.utf8.withContiguousStorageIfAvailable { x in
            b.utf8.withContiguousStorageIfAvailable { y in
                for i in 0..<min(x.count, y.count) where x[i] != y[i] { return x[i] < y[i] }
                return x.count < y.count
            }
        }
        return (fast ?? nil) ?? a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// A reply to one call, `{"id":…,"jsonrpc":"2.0","result":…}`; nil if the result holds a double.
    public static func result(_ value: JSONValue, id: RequestID) -> [UInt8]? {
        var out = resultHead(id: id, capacity: 512)
        guard write(value, into: &out) else { return nil }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// A reply whose result is already encoded (`encoded` must be one JSON value).
    public static func result(encoded: [UInt8], id: RequestID) -> [UInt8] {
        var out = resultHead(id: id, capacity: encoded.count + 64)
        out += encoded
        out.append(UInt8(ascii: "}"))
        return out
    }

    private static func resultHead(id: RequestID, capacity: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(capacity)
        out.append(contentsOf: #"{"id":"#.utf8)
        switch id {
        case .string(let s): writeString(s, into: &out)
        case .number(let n): out.append(contentsOf: String(n).utf8)
        case .null: out.append(contentsOf: "null".utf8)
        }
        out.append(contentsOf: #","jsonrpc":"2.0","result":"#.utf8)
        return out
    }

    static let hex = Array("0123456789abcdef".utf8)

    static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { bytes in
            // Runs of bytes that need no escape (nearly all of a report's text) go in whole.
            var run = 0
            for i in bytes.indices {
                let byte = bytes[i]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<i]))
                run = i + 1
                switch byte {
                case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
                case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
                case 0x08: out.append(contentsOf: #"\b"#.utf8)
                case 0x09: out.append(contentsOf: #"\t"#.utf8)
                case 0x0A: out.append(contentsOf: #"\n"#.utf8)
                case 0x0C: out.append(contentsOf: #"\f"#.utf8)
                case 0x0D: out.append(contentsOf: #"\r"#.utf8)
                default:
                    out.append(contentsOf: #"\u00"#.utf8)
                    out.append(hex[Int(byte >> 4)])
                    out.append(hex[Int(byte & 0x0F)])
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run...]))
        }
        out.append(UInt8(ascii: "\""))
    }
}
