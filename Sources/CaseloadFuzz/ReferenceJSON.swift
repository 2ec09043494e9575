/// The fuzz oracle's own JSON reader: strict RFC 8259, written apart from the server's
/// parser so the two can be compared. It decides what a line *should* parse to.
///
/// Beyond the RFC it fixes the choices the protocol leaves to the implementation, as the
/// server makes them: a UTF-8 byte order mark may open the text; nesting deeper than 512
/// arrays or objects is refused; a number must fit a Double (`1e400` is refused); a number
/// that is an exact integer in Int64 range is an integer (`1.0`, `1e2`); lone surrogate escapes
/// are refused; of duplicate keys, the first wins.
public indirect enum RefValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([RefValue])
    case object([String: RefValue])

    public subscript(key: String) -> RefValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }
}

public enum ReferenceJSON {
    public static let maximumDepth = 512

    /// The value of `bytes`, or nil when they are not one valid JSON text.
    public static func parse(_ bytes: [UInt8]) -> RefValue? {
        // Outside strings only ASCII is allowed, so validating the whole line covers strings.
        guard String(validating: bytes, as: UTF8.self) != nil else { return nil }
        var reader = Reader(bytes: bytes)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { reader.index = 3 }
        reader.skipWhitespace()
        guard let value = reader.value(depth: 0) else { return nil }
        reader.skipWhitespace()
        return reader.index == bytes.count ? value : nil
    }

    struct Reader {
        let bytes: [UInt8]
        var index = 0

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipWhitespace() {
            while let b = current, b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { index += 1 }
        }

        mutating func literal(_ text: StaticString) -> Bool {
            let expected = UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
            guard bytes.count - index >= expected.count, bytes[index..<index + expected.count].elementsEqual(expected) else { return false }
            index += expected.count
            return true
        }

        mutating func value(depth: Int) -> RefValue? {
            guard let b = current else { return nil }
            switch b {
            case UInt8(ascii: "{"): return object(depth: depth + 1)
            case UInt8(ascii: "["): return array(depth: depth + 1)
            case UInt8(ascii: "\""): return string().map(RefValue.string)
            case UInt8(ascii: "t"): return literal("true") ? .bool(true) : nil
            case UInt8(ascii: "f"): return literal("false") ? .bool(false) : nil
            case UInt8(ascii: "n"): return literal("null") ? .null : nil
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return number()
            default: return nil
            }
        }

        mutating func array(depth: Int) -> RefValue? {
            guard depth <= ReferenceJSON.maximumDepth else { return nil }
            index += 1
            skipWhitespace()
            var elements: [RefValue] = []
            if current == UInt8(ascii: "]") {
                index += 1
                return .array(elements)
            }
            while true {
                skipWhitespace()
                guard let element = value(depth: depth) else { return nil }
                elements.append(element)
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "]"):
                    index += 1
                    return .array(elements)
                default: return nil
                }
            }
        }

        mutating func object(depth: Int) -> RefValue? {
            guard depth <= ReferenceJSON.maximumDepth else { return nil }
            index += 1
            skipWhitespace()
            var members: [String: RefValue] = [:]
            if current == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            }
            while true {
                skipWhitespace()
                guard current == UInt8(ascii: "\""), let key = string() else { return nil }
                skipWhitespace()
                guard current == UInt8(ascii: ":") else { return nil }
                index += 1
                skipWhitespace()
                guard let member = value(depth: depth) else { return nil }
                if members[key] == nil { members[key] = member }
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "}"):
                    index += 1
                    return .object(members)
                default: return nil
                }
            }
        }

        mutating func hex4() -> UInt32? {
            guard bytes.count - index >= 4 else { return nil }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let b = bytes[index]
                let digit: UInt32
                switch b {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(b - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(b - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(b - UInt8(ascii: "A") + 10)
                default: return nil
                }
                v = v * 16 + digit
                index += 1
            }
            return v
        }

        mutating func string() -> String? {
            index += 1  // opening quote
            var scalars = String.UnicodeScalarView()
            var run = index  // start of raw bytes not yet copied
            func flush(_ reader: Reader, to end: Int) -> Bool {
                guard let s = String(validating: reader.bytes[run..<end], as: UTF8.self) else { return false }
                scalars.append(contentsOf: s.unicodeScalars)
                return true
            }
            while let b = current {
                switch b {
                case UInt8(ascii: "\""):
                    guard flush(self, to: index) else { return nil }
                    index += 1
                    return String(scalars)
                case UInt8(ascii: "\\"):
                    guard flush(self, to: index) else { return nil }
                    index += 1
                    guard let e = current else { return nil }
                    index += 1
                    switch e {
                    case UInt8(ascii: "\""): scalars.append("\"")
                    case UInt8(ascii: "\\"): scalars.append("\\")
                    case UInt8(ascii: "/"): scalars.append("/")
                    case UInt8(ascii: "b"): scalars.append("\u{08}")
                    case UInt8(ascii: "f"): scalars.append("\u{0C}")
                    case UInt8(ascii: "n"): scalars.append("\n")
                    case UInt8(ascii: "r"): scalars.append("\r")
                    case UInt8(ascii: "t"): scalars.append("\t")
                    case UInt8(ascii: "u"):
                        guard let unit = hex4() else { return nil }
                        if (0xD800..<0xDC00).contains(unit) {
                            // A high surrogate must be followed by an escaped low one.
                            guard literal("\\u"), let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                            scalars.append(Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))!)
                        } else {
                            guard let scalar = Unicode.Scalar(unit) else { return nil }  // a lone low surrogate
                            scalars.append(scalar)
                        }
                    default: return nil
                    }
                    run = index
                case 0x00..<0x20:
                    return nil  // control characters must be escaped
                default:
                    index += 1
                }
            }
            return nil  // unterminated
        }

        mutating func number() -> RefValue? {
            let start = index
            var integral = true
            if current == UInt8(ascii: "-") { index += 1 }
            guard let first = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return nil }
            index += 1
            if first != UInt8(ascii: "0") { skipDigits() }
            if current == UInt8(ascii: ".") {
                integral = false
                index += 1
                guard skipDigits() > 0 else { return nil }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                integral = false
                index += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
                guard skipDigits() > 0 else { return nil }
            }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            if integral, let i = Int64(text) { return .int(i) }
            guard let d = Double(text), d.isFinite else { return nil }
            if !integral, let i = Int64(exactly: d) { return .int(i) }
            return .double(d)
        }

        @discardableResult
        mutating func skipDigits() -> Int {
            let start = index
            while let b = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) { index += 1 }
            return index - start
        }
    }
}
