/// Makes fuzz lines: well-formed requests written in many legal ways, requests of the wrong
/// shape, batches, and then the hostile kinds (mutated and truncated JSON, random bytes,
/// invalid UTF-8, deep nesting, huge numbers, long lines). A line never holds `\n` and is at
/// most `maximumLineLength` bytes; the oracle decides what each should get.
public struct LineGenerator: Sendable {
    public var random: FuzzRandom
    public let methods: [String]
    public let token: String?
    public let maximumLineLength: Int
    public let maximumBatchSize: Int
    private var counter: Int64 = 0

    public init(seed: UInt64, methods: [String], token: String?, maximumLineLength: Int, maximumBatchSize: Int) {
        random = FuzzRandom(seed: seed)
        self.methods = methods.sorted()
        self.token = token
        self.maximumLineLength = maximumLineLength
        self.maximumBatchSize = maximumBatchSize
    }

    /// A JSON tree that can also hold raw text (for numbers and tokens no value can express).
    indirect enum Node {
        case null
        case bool(Bool)
        case int(Int64)
        case double(Double)
        case string(String)
        case array([Node])
        case object([(String, Node)])
        case raw(String)
    }

    public mutating func next() -> [UInt8] {
        var line: [UInt8]
        switch random.below(100) {
        case 0..<22: line = serialize(request())
        case 22..<34: line = serialize(wrongShape())
        case 34..<44: line = serialize(batch())
        case 44..<68: line = mutate(serialize(random.chance(1, in: 4) ? batch() : request()))
        case 68..<73: line = randomBytes()
        case 73..<79: line = jsonSoup()
        case 79..<84: line = nesting()
        case 84..<90: line = serialize(numbers())
        case 90..<93: line = blank()
        default: line = longLine()
        }
        for i in line.indices where line[i] == 0x0A { line[i] = 0x20 }
        if line.count > maximumLineLength { line.removeLast(line.count - maximumLineLength) }
        return line
    }

    // MARK: - Requests

    mutating func nextID() -> Node {
        counter += 1
        switch random.below(20) {
        case 0..<8: return .int(counter)
        case 8..<13: return .string("f\(counter)")
        case 13: return .string(text())
        case 14: return .null
        case 15: return .int(random.pick([0, -1, Int64.max, Int64.min, -counter]))
        case 16: return .raw(random.pick(["1.5", "true", "[]", "{}", "[1]", "1e30", "9223372036854775808", "-9223372036854775809", "1.0", "1e2", "-0"]))
        default: return .string(String(counter))
        }
    }

    mutating func method() -> Node {
        switch random.below(20) {
        case 0..<7: return .string("system.ping")
        case 7..<14: return .string(random.pick(methods))
        case 14: return .string(random.pick(["auth.login", "auth.logout", "auth.whoami", "system.version"]))
        case 15: return .string(random.pick(["no.such.method", "", "system.ping ", "SYSTEM.PING", "system..ping", "rpc.", "system.ping\u{0}"]))
        case 16: return .string(text())
        case 17: return random.chance(1, in: 20) ? .string("rpc.discover") : .string("system.version")
        default: return random.pick([.int(1), .null, .array([]), .object([]), .bool(true)])
        }
    }

    mutating func params(for method: Node) -> Node? {
        guard case .string(let name) = method else { return random.chance(1, in: 2) ? .object([]) : nil }
        switch random.below(12) {
        case 0: return nil
        case 1: return .array([])
        case 2: return .array([.int(1)])
        case 3: return random.pick([.null, .string("x"), .int(5), .bool(false)])
        default: break
        }
        switch name {
        case "system.ping":
            switch random.below(6) {
            case 0: return .object([])
            case 1: return .object([("delay_ms", .int(Int64(random.below(4))))])
            case 2: return .object([("delay_ms", random.pick([.int(-1), .int(10_001), .string("5"), .double(1.5), .null, .raw("1e400"), .raw("1e3"), .bool(true), .int(Int64.max)]))])
            case 3: return .object([("delay_ms", .int(0)), (MethodTable.unknownFieldPrefix, .string(text()))])
            case 4: return .object([(text(), value(depth: 2))])
            default: return .object([("delay_ms", .int(Int64(random.below(3)))), ("delay_ms", .string("dup"))])
            }
        case "auth.login":
            switch random.below(6) {
            case 0: return .object([("token", .string(token ?? "cl_none"))])
            case 1: return .object([("token", .string("cl_" + text()))])
            case 2: return .object([("token", random.pick([.string(""), .string(String(repeating: "t", count: 201)), .int(1), .null]))])
            case 3: return .object([])
            default: return .object([("token", .string(token ?? "x")), (MethodTable.unknownFieldPrefix, .int(1))])
            }
        case "system.version", "rpc.discover", "auth.logout", "auth.whoami":
            return random.chance(1, in: 2) ? .object([]) : .object([(MethodTable.unknownFieldPrefix, value(depth: 2))])
        default:
            // Data methods: always with a field no method has, so they are refused before they run.
            var members: [(String, Node)] = [(MethodTable.unknownFieldPrefix + "_\(random.below(100))", value(depth: 2))]
            if random.chance(1, in: 2) { members.append(("id", .string("00000000-0000-0000-0000-000000000000"))) }
            if random.chance(1, in: 3) { members.append(("limit", value(depth: 1))) }
            return .object(members)
        }
    }

    mutating func request() -> Node {
        var members: [(String, Node)] = []
        switch random.below(20) {
        case 0: break
        case 1: members.append(("jsonrpc", random.pick([.string("1.0"), .double(2.0), .raw("2.0"), .string("2"), .null, .string("2.0 ")])))
        default: members.append(("jsonrpc", .string("2.0")))
        }
        if !random.chance(1, in: 10) { members.append(("id", nextID())) }
        let method = random.chance(1, in: 30) ? nil : self.method()
        if let method { members.append(("method", method)) }
        if let params = method.flatMap({ params(for: $0) }) { members.append(("params", params)) }
        if random.chance(1, in: 15) { members.append((random.pick(["extra", "result", "error", "ID", "Method"]), value(depth: 1))) }
        if random.chance(1, in: 25), let first = members.first { members.append((first.0, value(depth: 1))) }  // a duplicate key
        shuffle(&members)
        return .object(members)
    }

    mutating func wrongShape() -> Node {
        switch random.below(6) {
        case 0: return value(depth: 3)
        case 1: return .array([])
        case 2: return .object([("jsonrpc", .string("2.0")), ("id", nextID()), ("method", .string("system.ping")), ("params", random.pick([.null, .string("p"), .int(1), .bool(true), .raw("1.5")]))])
        case 3: return .object([("jsonrpc", .string("2.0")), ("id", random.pick([.raw("1.5"), .bool(false), .array([]), .object([]), .raw("1e300")])), ("method", .string("system.ping"))])
        case 4: return .object([("jsonrpc", .string("2.0")), ("id", nextID())])
        default: return .object([("id", nextID()), ("method", .string("system.ping"))])
        }
    }

    mutating func batch() -> Node {
        let count: Int
        switch random.below(10) {
        case 0: count = maximumBatchSize + 1 + random.below(3)
        case 1: count = maximumBatchSize
        case 2: count = 0
        default: count = 1 + random.below(min(maximumBatchSize, 8))
        }
        return .array((0..<count).map { _ in random.chance(1, in: 8) ? (random.chance(1, in: 2) ? value(depth: 2) : batchOfOne()) : request() })
    }

    mutating func batchOfOne() -> Node { .array([request()]) }

    // MARK: - Values

    mutating func value(depth: Int) -> Node {
        switch random.below(depth > 0 ? 9 : 6) {
        case 0: return .null
        case 1: return .bool(random.chance(1, in: 2))
        case 2: return .int(Int64(bitPattern: random.next()) >> random.below(64))
        case 3: return .double(random.pick([0.5, -1.25e-7, 3.141592653589793, 1e300, -2.5e-308, 6.02214076e23]))
        case 4, 5: return .string(text())
        case 6: return numbers()
        case 7: return .array((0..<random.below(4)).map { _ in value(depth: depth - 1) })
        default: return .object((0..<random.below(4)).map { _ in (text(), value(depth: depth - 1)) })
        }
    }

    static let alphabet: [String] = [
        "a", "Z", "0", " ", "\"", "\\", "/", "\t", "\r", "\u{0}", "\u{1F}", "\u{7F}", "é", "e\u{301}", "张", "伟", "😀", "\u{2028}", "\u{FEFF}",
        "\u{FFFD}", "{", "}", "[", "]", ",", ":", "cl_", "system.ping", "\u{10FFFF}", "\u{D7FF}", "\u{E000}",
    ]

    mutating func text() -> String {
        String((0..<random.length(upTo: 24)).map { _ in random.pick(Self.alphabet) }.joined())
    }

    mutating func numbers() -> Node {
        .raw(
            random.pick([
                "1e400", "-1e400", "1e-400", "1.7976931348623157e308", "1.8e308", "4.9e-324", "9223372036854775807", "9223372036854775808",
                "-9223372036854775808", "-9223372036854775809", "123456789012345678901234567890", String(repeating: "9", count: 400), "0.1e1", "-0",
                "-0.0", "1E+2", "1e-2", "0e0", "01", "1.", ".5", "+1", "-", "1e", "0x10", "NaN", "Infinity", "-Infinity", "1_000",
                "1" + String(repeating: "0", count: 20) + "e-20",
            ]))
    }

    // MARK: - Writing JSON in many legal ways

    mutating func whitespace() -> [UInt8] {
        guard random.chance(1, in: 6) else { return [] }
        return (0..<1 + random.below(3)).map { _ in random.pick([0x20, 0x09, 0x0D]) }
    }

    mutating func serialize(_ node: Node) -> [UInt8] {
        var out: [UInt8] = []
        if random.chance(1, in: 50) { out += [0xEF, 0xBB, 0xBF] }  // a byte order mark
        out += whitespace()
        write(node, into: &out)
        out += whitespace()
        return out
    }

    mutating func write(_ node: Node, into out: inout [UInt8]) {
        switch node {
        case .null: out += Array("null".utf8)
        case .bool(let b): out += Array((b ? "true" : "false").utf8)
        case .int(let i): out += Array(String(i).utf8)
        case .double(let d): out += Array("\(d)".utf8)
        case .raw(let text): out += Array(text.utf8)
        case .string(let s): writeString(s, into: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (i, e) in elements.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out += whitespace()
                write(e, into: &out)
                out += whitespace()
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (i, (key, value)) in members.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out += whitespace()
                writeString(key, into: &out)
                out += whitespace()
                out.append(UInt8(ascii: ":"))
                out += whitespace()
                write(value, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// A string, each character written raw or escaped (`\u` escapes, surrogate pairs for
    /// characters beyond the BMP, the short escapes), always legally.
    mutating func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for scalar in s.unicodeScalars {
            let v = scalar.value
            let mustEscape = v < 0x20 || scalar == "\"" || scalar == "\\"
            if !mustEscape, !random.chance(1, in: 8) {
                out += Array(String(scalar).utf8)
                continue
            }
            switch scalar {
            case "\"": out += Array(#"\""#.utf8)
            case "\\": out += Array(#"\\"#.utf8)
            case "\n" where random.chance(1, in: 2): out += Array(#"\n"#.utf8)
            case "\t" where random.chance(1, in: 2): out += Array(#"\t"#.utf8)
            case "/" where random.chance(1, in: 2): out += Array(#"\/"#.utf8)
            default:
                if v > 0xFFFF {
                    let u = v - 0x10000
                    out += unicodeEscape(0xD800 + (u >> 10)) + unicodeEscape(0xDC00 + (u & 0x3FF))
                } else {
                    out += unicodeEscape(v)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    mutating func unicodeEscape(_ unit: UInt32) -> [UInt8] {
        let digits = random.chance(1, in: 2) ? "0123456789abcdef" : "0123456789ABCDEF"
        let d = Array(digits.utf8)
        return Array("\\u".utf8) + [d[Int(unit >> 12 & 0xF)], d[Int(unit >> 8 & 0xF)], d[Int(unit >> 4 & 0xF)], d[Int(unit & 0xF)]]
    }

    mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) { array.swapAt(i, random.below(i + 1)) }
    }

    // MARK: - Hostile lines

    static let nasty: [[UInt8]] = [
        [0xFF], [0xFE, 0xFF], [0xC0, 0x80], [0xC3], [0xE4, 0xB8], [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80],
        [0x80], [0xBF], [0x00], [0x0D], [0x09], [0x1B], [0x22], [0x5C], [0x2C], [0x5D], [0x7D], [0x7B], [0x5B], Array(#"\u"#.utf8), Array(#"\ud800"#.utf8),
        Array(#"\udc00"#.utf8), Array(#"\uD83D\uDE00"#.utf8), Array("1e400".utf8), Array(",".utf8), [0xEF, 0xBB, 0xBF], Array("null".utf8), Array("\"\":".utf8),
    ]

    mutating func mutate(_ input: [UInt8]) -> [UInt8] {
        var line = input
        for _ in 0..<1 + random.below(3) {
            let at = line.isEmpty ? 0 : random.below(line.count + 1)
            switch random.below(9) {
            case 0 where !line.isEmpty:
                let i = min(at, line.count - 1)
                line[i] ^= UInt8(1 << random.below(8))
            case 1: line.insert(contentsOf: random.pick(Self.nasty), at: at)
            case 2 where !line.isEmpty:
                let end = min(line.count, at + 1 + random.below(8))
                line.removeSubrange(min(at, end)..<end)
            case 3: line.removeLast(line.count - at)  // truncate
            case 4 where !line.isEmpty:
                let end = min(line.count, at + 1 + random.below(16))
                line.insert(contentsOf: line[min(at, end)..<end], at: random.below(line.count + 1))
            case 5:
                // A trailing comma before a closing bracket.
                if let close = line.indices.filter({ line[$0] == 0x5D || line[$0] == 0x7D }).randomElement(using: &random) {
                    line.insert(0x2C, at: close)
                }
            case 6: line += random.pick([Array(" x".utf8), [0x00], Array("}".utf8), Array("]".utf8), Array(" {}".utf8), Array("\r".utf8)])
            case 7:
                if let digit = line.indices.filter({ (0x30...0x39).contains(line[$0]) }).randomElement(using: &random) {
                    line.insert(contentsOf: Array(random.pick(["e400", "000000000000000000000", ".5", "e-2", "E+1"]).utf8), at: digit + 1)
                }
            default: line.insert(contentsOf: Array(text().utf8), at: at)
            }
        }
        return line
    }

    mutating func randomBytes() -> [UInt8] {
        (0..<random.length(upTo: 512)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
    }

    mutating func jsonSoup() -> [UInt8] {
        let soup = Array(#"{}[],:"\0123456789.eE+-truefalsn tu \"#.utf8)
        return (0..<random.length(upTo: 128)).map { _ in random.pick(soup) }
    }

    mutating func nesting() -> [UInt8] {
        let depth = random.chance(1, in: 2) ? 505 + random.below(12) : random.below(maximumLineLength / 2)
        let inner = random.chance(1, in: 2) ? #"{"jsonrpc":"2.0","id":1,"method":"system.ping"}"# : "1"
        switch random.below(4) {
        case 0: return Array((String(repeating: "[", count: depth) + inner + String(repeating: "]", count: depth)).utf8)
        case 1:
            let open = String(repeating: #"{"a":"#, count: depth / 5)
            return Array((#"{"jsonrpc":"2.0","id":"deep","method":"system.ping","params":"# + open + "1" + String(repeating: "}", count: depth / 5) + "}").utf8)
        case 2: return Array(String(repeating: "[", count: depth).utf8)  // never closed
        default: return Array((String(repeating: "[{\"a\":", count: depth / 6) + "0" + String(repeating: "}]", count: depth / 6)).utf8)
        }
    }

    mutating func blank() -> [UInt8] {
        (0..<random.below(6)).map { _ in random.pick([0x20, 0x09, 0x0D]) }
    }

    /// A line near the length limit: a valid ping padded with a long string (refused as an
    /// unknown param), or the same cut short, or a long run of one byte.
    mutating func longLine() -> [UInt8] {
        let target = maximumLineLength - random.below(min(64, maximumLineLength))
        switch random.below(3) {
        case 0:
            counter += 1
            let head = Array(#"{"jsonrpc":"2.0","id":\#(counter),"method":"system.ping","params":{"pad":""#.utf8)
            let tail = Array(#""}}"#.utf8)
            let fill = max(0, target - head.count - tail.count)
            return head + [UInt8](repeating: UInt8(ascii: random.pick(["x", " ", "9"])), count: fill) + tail
        case 1:
            return Array(#"{"jsonrpc":"2.0","id":"long","method":"system.ping","params":{"pad":""#.utf8) + [UInt8](repeating: 0x61, count: target)
        default:
            return [UInt8](repeating: random.pick([0x20, 0x7B, 0x5B, 0x22, 0x31, 0xE5]), count: target)
        }
    }
}
