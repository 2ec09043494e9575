import Foundation

/// Strict JSON (RFC 8259) for bytes from outside: a check (`isValid`) and a reader that
/// builds a `JSONValue` (`JSONValue.parse`). Lines from the network never reach Foundation's
/// `JSONDecoder`, for three reasons found by fuzzing (docs/security.md, "Fuzzing"):
///
/// - It traps, ending the process, on some input nested past its limit of 512 (exactly 513
///   `[` and nothing else, as of Swift 6.3): one line from any client stopped the server.
/// - Read into a `JSONValue`, 512 nested arrays (a 1 KiB line) took it seconds of CPU.
/// - It accepts text that is not JSON (trailing commas `[1,]`, a NUL after the value), and
///   does not look at the value of a repeated key at all (invalid UTF-8 and `1e400` there
///   went unnoticed), where the protocol promises `parse_error`.
///
/// The reader refuses nesting deeper than 512, invalid UTF-8, lone surrogate escapes and
/// numbers beyond a Double's range, wherever they are. Of repeated keys the first wins, as it
/// did with Foundation. A number is an integer when it is exactly one that fits Int64 (`1.0`,
/// `1e2`), else a Double. It never recurses, so depth cannot exhaust a thread's stack.
public enum JSONSyntax {
    /// The deepest nesting of arrays and objects accepted (Foundation's own limit).
    public static let maximumDepth = 512

    /// Whether `data` is one JSON text (a leading UTF-8 byte order mark is allowed).
    public static func isValid(_ data: Data) -> Bool {
        data.withUnsafeBytes { bytes in
            var reader = Reader(bytes: bytes, build: false)
            return reader.run() != nil
        }
    }

    static func parse(_ data: Data) -> JSONValue? {
        data.withUnsafeBytes { bytes in
            var reader = Reader(bytes: bytes, build: true)
            return reader.run()
        }
    }

    /// One pass over the bytes, as a state machine with explicit stacks of open containers.
    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        /// Build values (`parse`) or only check (`isValid`).
        let build: Bool
        var index = 0
        /// Open containers, innermost last: `[` or `{`.
        var open: [UInt8] = []
        /// The elements of each open array, and the members (and pending key) of each open object.
        var arrays: [[JSONValue]] = []
        var objects: [[String: JSONValue]] = []
        var keys: [String] = []
        var result: JSONValue?

        enum Expect {
            case value
            case valueOrClose  // just after `[`
            case key
            case keyOrClose  // just after `{`
            case colon
            case commaOrClose
            case end
        }

        init(bytes: UnsafeRawBufferPointer, build: Bool) {
            self.bytes = bytes
            self.build = build
            // A UTF-8 byte order mark may open the text (RFC 8259 §8.1).
            if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
        }

        var afterValue: Expect { open.isEmpty ? .end : .commaOrClose }

        /// The value, or nil if the bytes are not one JSON text. (`.null` when only checking.)
        mutating func run() -> JSONValue? {
            var expect = Expect.value
            while index < bytes.count {
                let b = bytes[index]
                if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D {
                    index += 1
                    continue
                }
                switch expect {
                case .value, .valueOrClose:
                    if expect == .valueOrClose, b == UInt8(ascii: "]") {
                        index += 1
                        close()
                        expect = afterValue
                        continue
                    }
                    switch b {
                    case UInt8(ascii: "["), UInt8(ascii: "{"):
                        guard open.count < JSONSyntax.maximumDepth else { return nil }
                        open.append(b)
                        if build {
                            if b == UInt8(ascii: "[") { arrays.append([]) } else { objects.append([:]) }
                        }
                        index += 1
                        expect = b == UInt8(ascii: "[") ? .valueOrClose : .keyOrClose
                        continue
                    case UInt8(ascii: "\""):
                        guard let s = string() else { return nil }
                        add(.string(s))
                    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                        guard let n = number() else { return nil }
                        add(n)
                    case UInt8(ascii: "t"):
                        guard literal("true") else { return nil }
                        add(.bool(true))
                    case UInt8(ascii: "f"):
                        guard literal("false") else { return nil }
                        add(.bool(false))
                    case UInt8(ascii: "n"):
                        guard literal("null") else { return nil }
                        add(.null)
                    default:
                        return nil
                    }
                    expect = afterValue
                case .key, .keyOrClose:
                    if expect == .keyOrClose, b == UInt8(ascii: "}") {
                        index += 1
                        close()
                        expect = afterValue
                        continue
                    }
                    guard b == UInt8(ascii: "\""), let key = string() else { return nil }
                    if build { keys.append(key) }
                    expect = .colon
                case .colon:
                    guard b == UInt8(ascii: ":") else { return nil }
                    index += 1
                    expect = .value
                case .commaOrClose:
                    let inArray = open.last == UInt8(ascii: "[")
                    if b == UInt8(ascii: ",") {
                        index += 1
                        expect = inArray ? .value : .key  // a value must follow: no trailing commas
                    } else if b == (inArray ? UInt8(ascii: "]") : UInt8(ascii: "}")) {
                        index += 1
                        close()
                        expect = afterValue
                    } else {
                        return nil
                    }
                case .end:
                    return nil  // anything but whitespace after the value
                }
            }
            guard expect == .end else { return nil }
            return build ? result : .null
        }

        /// A finished value goes into the innermost open container, or is the result.
        mutating func add(_ value: JSONValue) {
            guard build else { return }
            switch open.last {
            case nil:
                result = value
            case UInt8(ascii: "[")?:
                arrays[arrays.count - 1].append(value)
            default:
                let key = keys.removeLast()
                if objects[objects.count - 1][key] == nil { objects[objects.count - 1][key] = value }
            }
        }

        /// Closes the innermost container and adds it to the one around it.
        mutating func close() {
            let kind = open.removeLast()
            guard build else { return }
            add(kind == UInt8(ascii: "[") ? .array(arrays.removeLast()) : .object(objects.removeLast()))
        }

        mutating func literal(_ word: StaticString) -> Bool {
            let count = word.utf8CodeUnitCount
            guard bytes.count - index >= count else { return false }
            for i in 0..<count where bytes[index + i] != word.utf8Start[i] { return false }
            index += count
            return true
        }

        /// A string from its opening quote: escapes must be valid, control characters escaped,
        /// the UTF-8 valid. Its text when building (else an empty string).
        mutating func string() -> String? {
            index += 1
            let start = index
            var decoded: [UInt8]? = nil  // only once an escape is met
            while index < bytes.count {
                let b = bytes[index]
                switch b {
                case UInt8(ascii: "\""):
                    defer { index += 1 }
                    guard build else { return "" }
                    // After an escape, `decoded` holds the text so far; else the bytes are the text.
                    if let decoded { return String(decoding: decoded, as: UTF8.self) }
                    return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                case UInt8(ascii: "\\"):
                    if build, decoded == nil { decoded = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<index])) }
                    guard index + 1 < bytes.count else { return nil }
                    let escaped: UInt8
                    switch bytes[index + 1] {
                    case UInt8(ascii: "\""): escaped = 0x22
                    case UInt8(ascii: "\\"): escaped = 0x5C
                    case UInt8(ascii: "/"): escaped = 0x2F
                    case UInt8(ascii: "b"): escaped = 0x08
                    case UInt8(ascii: "f"): escaped = 0x0C
                    case UInt8(ascii: "n"): escaped = 0x0A
                    case UInt8(ascii: "r"): escaped = 0x0D
                    case UInt8(ascii: "t"): escaped = 0x09
                    case UInt8(ascii: "u"):
                        guard let scalar = escapedScalar() else { return nil }
                        if build { UTF8.encode(scalar) { decoded!.append($0) } }
                        continue
                    default:
                        return nil
                    }
                    index += 2
                    if build { decoded!.append(escaped) }
                case 0x00..<0x20:
                    return nil
                case 0x80...:
                    let from = index
                    guard utf8Sequence() else { return nil }
                    if build, decoded != nil { decoded!.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[from..<index])) }
                default:
                    index += 1
                    if build, decoded != nil { decoded!.append(b) }
                }
            }
            return nil  // no closing quote
        }

        /// `\uXXXX` (and its low surrogate, for a high one) at `index`: the character, or nil
        /// if the hex digits are missing or a surrogate is alone.
        mutating func escapedScalar() -> Unicode.Scalar? {
            guard let unit = escapedUnit() else { return nil }
            switch unit {
            case 0xD800..<0xDC00:
                guard bytes.count - index >= 2, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u"),
                    let low = escapedUnit(), (0xDC00..<0xE000).contains(low)
                else { return nil }
                return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
            case 0xDC00..<0xE000:
                return nil
            default:
                return Unicode.Scalar(unit)
            }
        }

        /// `\uXXXX` at `index`: the code unit, or nil if the four hex digits are not there.
        mutating func escapedUnit() -> UInt32? {
            guard bytes.count - index >= 6 else { return nil }
            var unit: UInt32 = 0
            for i in 2..<6 {
                let b = bytes[index + i]
                let digit: UInt8
                switch b {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
                default: return nil
                }
                unit = unit << 4 | UInt32(digit)
            }
            index += 6
            return unit
        }

        /// One multi-byte UTF-8 sequence, strictly (no overlong forms, no surrogates, nothing
        /// past U+10FFFF), per the Unicode Standard's table 3-7.
        mutating func utf8Sequence() -> Bool {
            let lead = bytes[index]
            let length: Int
            var second: ClosedRange<UInt8> = 0x80...0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: (length, second) = (3, 0xA0...0xBF)
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: (length, second) = (3, 0x80...0x9F)
            case 0xF0: (length, second) = (4, 0x90...0xBF)
            case 0xF1...0xF3: length = 4
            case 0xF4: (length, second) = (4, 0x80...0x8F)
            default: return false
            }
            guard bytes.count - index >= length, second.contains(bytes[index + 1]) else { return false }
            for i in 2..<length where !(0x80...0xBF).contains(bytes[index + i]) { return false }
            index += length
            return true
        }

        /// A number, `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, within a Double's
        /// range: an integer when it is exactly one in Int64's range, else a Double.
        mutating func number() -> JSONValue? {
            let start = index
            var integral = true
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { return nil }
            if bytes[index] == UInt8(ascii: "0") {
                index += 1
            } else {
                digits()
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                integral = false
                index += 1
                guard digits() > 0 else { return nil }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                integral = false
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                guard digits() > 0 else { return nil }
            }
            let length = index - start
            // Up to 18 digits without fraction or exponent always fits; only those are not
            // converted when merely checking.
            if !build, integral, length <= 18 { return .null }
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            if integral, let i = Int64(text) { return .int(i) }
            guard let d = Double(text), d.isFinite else { return nil }
            if !integral, let i = Int64(exactly: d) { return .int(i) }
            return .double(d)
        }

        @discardableResult
        mutating func digits() -> Int {
            let start = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            return index - start
        }

        func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
    }
}

extension JSONValue {
    /// Reads one JSON text strictly (see `JSONSyntax`); nil if `data` is not one.
    public static func parse(_ data: Data) -> JSONValue? {
        JSONSyntax.parse(data)
    }
}
