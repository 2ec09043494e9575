/// Reading a case's state as stored (`cases.state`, jsonb printed by PostgreSQL) without
/// Foundation's `JSONDecoder`: every case read decodes one, a list page fifty, and the decoder
/// was the largest single cost of `case.get` and `case.list` in the server (docs/performance.md).
extension CaseState {
    /// The state `text` holds, exactly as `JSONDecoder` would decode it; nil for anything this
    /// reader does not take (malformed text, numbers that are not integers, wrong shapes):
    /// callers then fall back to `JSONDecoder`, which decides and explains.
    public static func decodeStored(_ text: String) -> CaseState? {
        var reader = StoredJSONReader(Array(text.utf8))
        guard case .object(let top)? = reader.document(),
            case .string(let kind)? = top["kind"], case .string(let stage)? = top["stage"],
            case .string(let statusText)? = top["status"], let status = CaseStatus(rawValue: statusText),
            case .object(let stages)? = top["recorded"]
        else { return nil }
        var recorded: [String: [String: FieldValue]] = [:]
        for (stageID, fieldsNode) in stages {
            guard case .object(let fields) = fieldsNode else { return nil }
            var values: [String: FieldValue] = [:]
            for (name, valueNode) in fields {
                guard case .object(let tagged) = valueNode, case .string(let typeText)? = tagged["type"],
                    let type = FieldType(rawValue: typeText), let raw = tagged["value"]
                else { return nil }
                switch (type, raw) {
                case (.date, .string(let s)):
                    guard let date = CalendarDate(iso: s) else { return nil }
                    values[name] = .date(date)
                case (.text, .string(let s)): values[name] = .text(s)
                case (.bool, .bool(let b)): values[name] = .bool(b)
                case (.integer, .int(let i)): values[name] = .integer(i)
                default: return nil
                }
            }
            recorded[stageID] = values
        }
        return CaseState(kind: kind, stage: stage, status: status, recorded: recorded)
    }
}

/// A strict reader of one JSON document into plain values. Integers only (no fractions or
/// exponents); a repeated key keeps the last value, as `JSONDecoder` does.
struct StoredJSONReader {
    enum Node {
        case null
        case bool(Bool)
        case int(Int)
        case string(String)
        case array([Node])
        case object([String: Node])
    }

    let bytes: [UInt8]
    var at = 0
    var depth = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func document() -> Node? {
        guard let node = value() else { return nil }
        skipSpace()
        return at == bytes.count ? node : nil
    }

    mutating func skipSpace() {
        while at < bytes.count, bytes[at] == 0x20 || bytes[at] == 0x0A || bytes[at] == 0x0D || bytes[at] == 0x09 { at += 1 }
    }

    mutating func literal(_ word: String) -> Bool {
        let w = Array(word.utf8)
        guard at + w.count <= bytes.count, Array(bytes[at..<at + w.count]) == w else { return false }
        at += w.count
        return true
    }

    mutating func value() -> Node? {
        skipSpace()
        guard at < bytes.count else { return nil }
        switch bytes[at] {
        case UInt8(ascii: "{"):
            depth += 1
            defer { depth -= 1 }
            guard depth < 64 else { return nil }
            at += 1
            var members: [String: Node] = [:]
            skipSpace()
            if at < bytes.count, bytes[at] == UInt8(ascii: "}") { at += 1; return .object(members) }
            while true {
                skipSpace()
                guard let key = string() else { return nil }
                skipSpace()
                guard at < bytes.count, bytes[at] == UInt8(ascii: ":") else { return nil }
                at += 1
                guard let member = value() else { return nil }
                members[key] = member
                skipSpace()
                guard at < bytes.count else { return nil }
                if bytes[at] == UInt8(ascii: ",") { at += 1; continue }
                if bytes[at] == UInt8(ascii: "}") { at += 1; return .object(members) }
                return nil
            }
        case UInt8(ascii: "["):
            depth += 1
            defer { depth -= 1 }
            guard depth < 64 else { return nil }
            at += 1
            var elements: [Node] = []
            skipSpace()
            if at < bytes.count, bytes[at] == UInt8(ascii: "]") { at += 1; return .array(elements) }
            while true {
                guard let element = value() else { return nil }
                elements.append(element)
                skipSpace()
                guard at < bytes.count else { return nil }
                if bytes[at] == UInt8(ascii: ",") { at += 1; continue }
                if bytes[at] == UInt8(ascii: "]") { at += 1; return .array(elements) }
                return nil
            }
        case UInt8(ascii: "\""):
            return string().map(Node.string)
        case UInt8(ascii: "t"): return literal("true") ? .bool(true) : nil
        case UInt8(ascii: "f"): return literal("false") ? .bool(false) : nil
        case UInt8(ascii: "n"): return literal("null") ? .null : nil
        default: return integer()
        }
    }

    mutating func integer() -> Node? {
        let start = at
        if at < bytes.count, bytes[at] == UInt8(ascii: "-") { at += 1 }
        let digits = at
        while at < bytes.count, bytes[at] >= UInt8(ascii: "0"), bytes[at] <= UInt8(ascii: "9") { at += 1 }
        guard at > digits, at - digits == 1 || bytes[digits] != UInt8(ascii: "0") else { return nil }
        // A fraction or an exponent: not this reader's to decide.
        if at < bytes.count, bytes[at] == UInt8(ascii: ".") || bytes[at] == UInt8(ascii: "e") || bytes[at] == UInt8(ascii: "E") { return nil }
        return Int(String(decoding: bytes[start..<at], as: UTF8.self)).map(Node.int)
    }

    static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    mutating func hex4() -> UInt32? {
        guard at + 4 <= bytes.count else { return nil }
        var v: UInt32 = 0
        for i in 0..<4 {
            guard let h = Self.hexValue(bytes[at + i]) else { return nil }
            v = v << 4 | h
        }
        at += 4
        return v
    }

    mutating func string() -> String? {
        guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { return nil }
        at += 1
        // Most strings hold no escape: taken whole from the bytes, not a byte at a time.
        let start = at
        var end = at
        while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\"), bytes[end] >= 0x20 { end += 1 }
        if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
            at = end + 1
            return String(validating: bytes[start..<end], as: UTF8.self)
        }
        var out: [UInt8] = []
        while at < bytes.count {
            let b = bytes[at]
            at += 1
            switch b {
            case UInt8(ascii: "\""):
                return String(validating: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard at < bytes.count else { return nil }
                let e = bytes[at]
                at += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard var scalar = hex4() else { return nil }
                    if scalar >= 0xD800, scalar < 0xDC00 {
                        guard literal("\\u"), let low = hex4(), low >= 0xDC00, low < 0xE000 else { return nil }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let u = Unicode.Scalar(scalar) else { return nil }
                    out.append(contentsOf: Array(String(Character(u)).utf8))
                default: return nil
                }
            case 0x00..<0x20: return nil
            default: out.append(b)
            }
        }
        return nil
    }
}
