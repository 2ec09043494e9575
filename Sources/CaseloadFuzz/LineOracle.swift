/// What the server must answer to a line, worked out from docs/protocol.md alone (with the
/// reference JSON reader), so the fuzzer can check every reply.
///
/// Two layers: `shape(of:)` is what the line is as JSON-RPC (blank, refused as a whole, one
/// entry, a batch), and `OracleSession.expect(_:)` runs the entries against a model of the
/// methods and the connection's login state, giving the reply's signature.
public enum LineOracle {
    /// A request id as the server echoes it.
    public enum ID: Hashable, Sendable {
        case null
        case number(Int64)
        case string(String)

        var key: String {
            switch self {
            case .null: "n"
            case .number(let n): "i\(n)"
            case .string(let s): "s" + s.debugDescription
            }
        }
    }

    /// One element of a line: a request (or notification), or one refused as `invalid_request`.
    public enum Entry: Equatable, Sendable {
        case invalid(id: ID)
        case request(id: ID?, method: String, params: RefValue?)
    }

    /// A line as JSON-RPC.
    public enum Shape: Equatable, Sendable {
        /// Only spaces, tabs and carriage returns: ignored, no reply.
        case blank
        /// Answered as a whole with this error and `id: null`: `limit` names a refused limit.
        case rejected(code: Int, limit: String?)
        case single(Entry)
        case batch([Entry])
    }

    public static let parseError = -32700
    public static let invalidRequest = -32600
    public static let methodNotFound = -32601
    public static let invalidParams = -32602
    public static let unauthenticated = -32001
    public static let rateLimited = -32009
    public static let requestTooLarge = -32007

    public static func isBlank(_ line: some Collection<UInt8>) -> Bool {
        line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }

    public static func shape(of line: [UInt8], maximumBatchSize: Int) -> Shape {
        if isBlank(line) { return .blank }
        guard let value = ReferenceJSON.parse(line) else { return .rejected(code: parseError, limit: nil) }
        guard case .array(let elements) = value else { return .single(entry(value)) }
        if elements.isEmpty { return .rejected(code: invalidRequest, limit: nil) }
        if elements.count > maximumBatchSize { return .rejected(code: requestTooLarge, limit: "maximum_batch_size") }
        return .batch(elements.map(entry))
    }

    /// JSON-RPC 2.0's rules for one request object, in the order that decides which id an
    /// error echoes: an unreadable id makes it null; after that the id is echoed.
    static func entry(_ value: RefValue) -> Entry {
        guard case .object(let members) = value else { return .invalid(id: .null) }
        let id: ID?
        switch members["id"] {
        case nil: id = nil
        case .null?: id = .null
        case .int(let n)?: id = .number(n)
        case .string(let s)?: id = .string(s)
        default: return .invalid(id: .null)
        }
        guard members["jsonrpc"] == .string("2.0"), case .string(let method)? = members["method"] else {
            return .invalid(id: id ?? .null)
        }
        switch members["params"] {
        case nil, .object?, .array?: return .request(id: id, method: method, params: members["params"])
        default: return .invalid(id: id ?? .null)
        }
    }

    /// The reply signature for one entry's outcome: `<id>|e<code>` or `<id>|r` (`|r:pong` for a ping).
    static func signature(id: ID, outcome: String) -> String { id.key + "|" + outcome }
}

/// The methods the fuzzer knows about: every name the server lists (`rpc.discover`), which
/// of them need a login, and a model of the few the fuzzer calls with valid params.
public struct MethodTable: Sendable {
    public var names: Set<String>
    public var requiresLogin: Set<String>

    public init(names: Set<String>, requiresLogin: Set<String>) {
        self.names = names
        self.requiresLogin = requiresLogin
    }

    /// Reads the table from an OpenRPC document (`rpc.discover`'s result).
    public init?(openRPC: RefValue) {
        guard case .array(let methods)? = openRPC["methods"] else { return nil }
        var names: Set<String> = []
        var login: Set<String> = []
        for m in methods {
            guard let name = m["name"]?.stringValue else { return nil }
            names.insert(name)
            if m["x-requires-login"] != .bool(false) { login.insert(name) }
        }
        self.init(names: names, requiresLogin: login)
    }

    /// Methods whose outcome with any params the model predicts exactly.
    static let modelled: Set<String> = ["system.ping", "system.version", "rpc.discover", "auth.login", "auth.logout", "auth.whoami"]
    /// Params the fuzzer adds so a data method is refused before it runs (`unknown_field`).
    public static let unknownFieldPrefix = "fuzz_unknown"
    /// Pings that hold their reply back longer than this are not sent (they would only slow the run).
    public static let longestDelay: Int64 = 20
}

/// The login state of one connection, as the server must see it after each line: lines are
/// simulated in the order they are sent, which is the order that matters (a login or logout
/// waits for everything before it, and nothing after it starts before it ends).
public struct OracleSession: Sendable {
    public let methods: MethodTable
    public let token: String?
    /// Whether logins with a wrong token may be sent. A server slows and then refuses
    /// repeated failures from one address (`rate_limited`), which the model does not follow,
    /// so against a server with its usual login policy they are not sent.
    public let failedLogins: Bool
    public private(set) var loggedIn: Bool
    /// Within a batch: whether an `rpc.discover` came already (a batch may hold one; the rest
    /// are `rate_limited`). Nil outside a batch.
    private var discoverInBatch: Bool?

    public init(methods: MethodTable, token: String?, failedLogins: Bool = true, loggedIn: Bool = false) {
        self.methods = methods
        self.token = token
        self.failedLogins = failedLogins
        self.loggedIn = loggedIn
    }

    /// The expected reply signature for a line (nil: no reply), or `.unpredictable` when the
    /// model cannot say (such lines are not sent). Updates the login state.
    public enum Expectation: Equatable, Sendable {
        case none
        case reply(String)
        case unpredictable
    }

    public mutating func expect(_ shape: LineOracle.Shape) -> Expectation {
        switch shape {
        case .blank:
            return .none
        case .rejected(let code, let limit):
            return .reply("S" + LineOracle.signature(id: .null, outcome: "e\(code)" + (limit.map { ":" + $0 } ?? "")))
        case .single(let entry):
            var trial = self
            guard let outcome = trial.run(entry) else { return .unpredictable }
            self = trial
            return outcome.map { .reply("S" + $0) } ?? .none
        case .batch(let entries):
            var trial = self
            trial.discoverInBatch = false
            defer { self.discoverInBatch = nil }
            var replies: [String] = []
            for entry in entries {
                guard let outcome = trial.run(entry) else { return .unpredictable }
                if let outcome { replies.append(outcome) }
            }
            self = trial
            return replies.isEmpty ? .none : .reply("B[" + replies.joined(separator: ",") + "]")
        }
    }

    /// One entry: nil when unpredictable, `.some(nil)` when it gets no reply (a notification).
    mutating func run(_ entry: LineOracle.Entry) -> String?? {
        switch entry {
        case .invalid(let id):
            return .some(LineOracle.signature(id: id, outcome: "e\(LineOracle.invalidRequest)"))
        case .request(let id, let method, let params):
            guard let outcome = outcome(method: method, params: params) else { return nil }
            guard let id else { return .some(nil) }
            return .some(LineOracle.signature(id: id, outcome: outcome))
        }
    }

    /// `e<code>` or `r` / `r:pong`; nil when the model cannot tell (or the call would be slow).
    mutating func outcome(method: String, params: RefValue?) -> String? {
        guard methods.names.contains(method) else { return "e\(LineOracle.methodNotFound)" }
        if method == "rpc.discover", let seen = discoverInBatch {
            // Checked before anything else: the second in a batch is refused whatever it says.
            if seen { return "e\(LineOracle.rateLimited)" }
            discoverInBatch = true
        }
        if methods.requiresLogin.contains(method), !loggedIn { return "e\(LineOracle.unauthenticated)" }
        let members: [String: RefValue]
        switch params {
        case nil: members = [:]
        case .array(let a)?:
            guard a.isEmpty else { return "e\(LineOracle.invalidParams)" }
            members = [:]
        case .object(let o)?: members = o
        default: return "e\(LineOracle.invalidRequest)"  // not reached: shape() refuses these
        }
        let invalid = "e\(LineOracle.invalidParams)"
        switch method {
        case "system.ping":
            guard members.keys.allSatisfy({ $0 == "delay_ms" }) else { return invalid }
            switch members["delay_ms"] {
            case nil: return "r:pong"
            case .int(let ms)? where (0...10_000).contains(ms): return ms <= MethodTable.longestDelay ? "r:pong" : nil
            default: return invalid
            }
        case "system.version", "rpc.discover", "auth.whoami":
            return members.isEmpty ? "r" : invalid
        case "auth.logout":
            guard members.isEmpty else { return invalid }
            loggedIn = false
            return "r"
        case "auth.login":
            // docs/protocol.md "Limits": no NUL, lengths in Unicode scalars, a required string
            // of only spaces is missing.
            guard members.count == 1, case .string(let token)? = members["token"], token.unicodeScalars.count <= 200,
                !token.allSatisfy(\.isWhitespace), !token.unicodeScalars.contains("\u{0}")
            else { return invalid }
            if token == self.token {
                loggedIn = true
                return "r"
            }
            guard failedLogins else { return nil }
            loggedIn = false
            return "e\(LineOracle.unauthenticated)"
        default:
            // A data method (logged in): only refused params are predictable.
            return members.keys.contains { $0.hasPrefix(MethodTable.unknownFieldPrefix) } ? invalid : nil
        }
    }
}

extension LineOracle {
    /// The signature of a reply line as received, in the form `OracleSession.expect` gives,
    /// or a description of what is wrong with it (which never matches an expectation).
    public static func replySignature(_ line: [UInt8]) -> String {
        guard let value = ReferenceJSON.parse(line) else { return "X:not JSON: " + String(decoding: line.prefix(200), as: UTF8.self) }
        if case .array(let elements) = value {
            guard !elements.isEmpty else { return "X:empty batch reply" }
            return "B[" + elements.map(responseSignature).joined(separator: ",") + "]"
        }
        return "S" + responseSignature(value)
    }

    static func responseSignature(_ value: RefValue) -> String {
        guard case .object(let m) = value, m["jsonrpc"] == .string("2.0") else { return "X:not a JSON-RPC 2.0 response" }
        let id: ID
        switch m["id"] {
        case .null?: id = .null
        case .int(let n)?: id = .number(n)
        case .string(let s)?: id = .string(s)
        default: return "X:bad id"
        }
        switch (m["result"], m["error"]) {
        case (let result?, nil):
            return signature(id: id, outcome: result == .string("pong") ? "r:pong" : "r")
        case (nil, .object(let error)?):
            guard case .int(let code)? = error["code"], case .string(let message)? = error["message"], !message.isEmpty else {
                return "X:bad error object"
            }
            let limit = code == Int64(requestTooLarge) ? error["data"]?["limit"]?.stringValue.map { ":" + $0 } ?? ":?" : ""
            return signature(id: id, outcome: "e\(code)" + limit)
        default:
            return "X:needs exactly one of result and error"
        }
    }
}
