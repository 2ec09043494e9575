/// A JSON-RPC error object, thrown by handlers and sent to the client as `error`.
///
/// Messages are written for people and never carry internals (SQL, stack traces, tokens,
/// personal data); details a program needs go in `data`.
///
/// The server writes each message in English and Chinese (`zh`, and `issuesZh` for the
/// entries of `data.errors`); `localized(to:issueFallback:)` picks the session's language
/// before the error is sent. Only `code`, `message` and `data` go on the wire.
public struct RPCError: Error, Hashable, Sendable, Codable {
    public var code: Int
    public var message: String
    public var data: JSONValue?
    /// The message in Chinese; nil for the code's Chinese default (`RPCErrorCode.defaultMessageZh`).
    public var zh: String?
    /// The Chinese of each `data.errors` entry's message, in order; nil for the rule's fallback.
    public var issuesZh: [String?] = []

    enum CodingKeys: String, CodingKey { case code, message, data }

    public init(code: Int, message: String, zh: String? = nil, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.zh = zh
        self.data = data
    }

    public init(_ code: RPCErrorCode, _ message: String? = nil, zh: String? = nil, data: JSONValue? = nil) {
        self.init(code: code.rawValue, message: message ?? code.defaultMessage, zh: zh, data: data)
    }

    /// The well-known code, if this is one.
    public var knownCode: RPCErrorCode? { RPCErrorCode(rawValue: code) }
}

extension RPCError: CustomStringConvertible {
    public var description: String { "\(message) (\(code))" }
}

/// Every error code Caseload sends. The JSON-RPC reserved range first, then the
/// application's own in -32000…-32099; docs/protocol.md documents each.
public enum RPCErrorCode: Int, CaseIterable, Sendable {
    case parseError = -32700
    case invalidRequest = -32600
    case methodNotFound = -32601
    case invalidParams = -32602
    case internalError = -32603

    case unauthenticated = -32001
    case forbidden = -32002
    case notFound = -32003
    case conflict = -32004
    case validationFailed = -32005
    case databaseUnavailable = -32006
    case requestTooLarge = -32007
    case deadlineExceeded = -32008
    case rateLimited = -32009

    public var name: String {
        switch self {
        case .parseError: "parse_error"
        case .invalidRequest: "invalid_request"
        case .methodNotFound: "method_not_found"
        case .invalidParams: "invalid_params"
        case .internalError: "internal_error"
        case .unauthenticated: "unauthenticated"
        case .forbidden: "forbidden"
        case .notFound: "not_found"
        case .conflict: "conflict"
        case .validationFailed: "validation_failed"
        case .databaseUnavailable: "database_unavailable"
        case .requestTooLarge: "request_too_large"
        case .deadlineExceeded: "deadline_exceeded"
        case .rateLimited: "rate_limited"
        }
    }

    public var defaultMessage: String {
        switch self {
        case .parseError: "Parse error: the line is not valid UTF-8 JSON"
        case .invalidRequest: "Invalid request"
        case .methodNotFound: "Method not found"
        case .invalidParams: "Invalid params"
        case .internalError: "Internal error"
        case .unauthenticated: "Not logged in: call auth.login first"
        case .forbidden: "Forbidden"
        case .notFound: "Not found"
        case .conflict: "Conflict"
        case .validationFailed: "Validation failed"
        case .databaseUnavailable: "Database unavailable: try again shortly"
        case .requestTooLarge: "Request too large"
        case .deadlineExceeded: "Deadline exceeded: the request took too long; its outcome is unknown"
        case .rateLimited: "Too many failed logins from your address: wait and try again"
        }
    }

    /// `defaultMessage` in Chinese.
    public var defaultMessageZh: String {
        switch self {
        case .parseError: "解析错误：这一行不是有效的 UTF-8 JSON"
        case .invalidRequest: "无效的请求"
        case .methodNotFound: "没有这个方法"
        case .invalidParams: "参数无效"
        case .internalError: "服务器内部错误"
        case .unauthenticated: "尚未登录：请先调用 auth.login"
        case .forbidden: "无权进行此操作"
        case .notFound: "未找到"
        case .conflict: "冲突"
        case .validationFailed: "校验失败"
        case .databaseUnavailable: "数据库暂时无法连接：请稍后再试"
        case .requestTooLarge: "请求过大"
        case .deadlineExceeded: "请求超时：处理时间过长，结果未知"
        case .rateLimited: "来自你的地址的失败登录次数过多：请稍后再试"
        }
    }

    /// When a client sees this code.
    public var meaning: String {
        switch self {
        case .parseError: "The line was not valid JSON or not valid UTF-8. The id is null."
        case .invalidRequest: "Valid JSON but not a JSON-RPC 2.0 request (missing `jsonrpc: \"2.0\"`, no method, wrong id type, empty batch)."
        case .methodNotFound: "No method of that name. `rpc.discover` lists them all."
        case .invalidParams: "Params do not match the method's schema: `data.errors` lists each field and rule."
        case .internalError: "A bug or unexpected failure on the server; nothing internal is disclosed."
        case .unauthenticated: "The method needs a logged-in connection (`auth.login`), or the token is unknown, expired or revoked."
        case .forbidden: "The logged-in user's role may not do this."
        case .notFound: "No such entity in the caller's agency (entities of other agencies are never revealed)."
        case .conflict: "The change collides with existing data (a duplicate key, or a stale expected version)."
        case .validationFailed: "Well-formed values that break a domain rule (checksum, date, state): `data.errors` lists each field and rule."
        case .databaseUnavailable: "PostgreSQL cannot be reached; nothing was changed. Retry later."
        case .requestTooLarge: "A line longer than the maximum (the connection is then closed) or a batch with too many requests."
        case .deadlineExceeded: "The request ran past the per-request deadline; a write may or may not have committed."
        case .rateLimited: "Too many failed logins from one address: `data.retry_after_seconds` says when to try again."
        }
    }
}

extension RPCError {
    /// One `data.errors` entry: the field, the rule, and the message in English and Chinese
    /// (nil: the rule's fallback).
    public typealias Issue = (field: String, rule: String, message: String, zh: String?)

    public static func invalidParams(_ issues: [Issue]) -> RPCError {
        var error = RPCError(.invalidParams, data: .object(["errors": .array(issues.map(issueValue))]))
        error.issuesZh = issues.map(\.zh)
        return error
    }

    public static func invalidParams(_ issues: [(field: String, rule: String, message: String)]) -> RPCError {
        invalidParams(issues.map { ($0.field, $0.rule, $0.message, nil) })
    }

    public static func validationFailed(_ issues: [Issue]) -> RPCError {
        let first = issues.first.map { "\($0.field): \($0.message)" }
        var error = RPCError(.validationFailed, first.map { "Validation failed: \($0)" }, data: .object(["errors": .array(issues.map(issueValue))]))
        error.issuesZh = issues.map(\.zh)
        return error
    }

    public static func validationFailed(_ issues: [(field: String, rule: String, message: String)]) -> RPCError {
        validationFailed(issues.map { ($0.field, $0.rule, $0.message, nil) })
    }

    /// A `conflict` whose `data.errors` names the fields and rules it collides on.
    public static func conflict(_ message: String, zh: String, issues: [Issue]) -> RPCError {
        var error = RPCError(.conflict, message, zh: zh, data: .object(["errors": .array(issues.map(issueValue))]))
        error.issuesZh = issues.map(\.zh)
        return error
    }

    static func issueValue(_ issue: Issue) -> JSONValue {
        ["field": .string(issue.field), "rule": .string(issue.rule), "message": .string(issue.message)]
    }

    /// This error as a session in `language` reads it: in Chinese, `message` becomes `zh` (or
    /// the code's Chinese default; for `validation_failed`, built from the first issue as in
    /// English) and each `data.errors` message its Chinese, else `issueFallback(rule)`, else
    /// the English. Codes, fields, rules and every other member of `data` stay as they are.
    public func localized(to language: Language, issueFallback: (_ rule: String) -> String?) -> RPCError {
        guard language == .zh else { return self }
        var out = self
        var firstIssue: (field: String, message: String)?
        if case .object(var members)? = data, case .array(let entries)? = members["errors"] {
            let translated = entries.enumerated().map { index, entry -> JSONValue in
                guard case .object(var fields) = entry, let rule = fields["rule"]?.stringValue else { return entry }
                let own = index < issuesZh.count ? issuesZh[index] : nil
                if let chinese = own ?? issueFallback(rule) { fields["message"] = .string(chinese) }
                if index == 0, let field = fields["field"]?.stringValue, let message = fields["message"]?.stringValue {
                    firstIssue = (field, message)
                }
                return .object(fields)
            }
            members["errors"] = .array(translated)
            out.data = .object(members)
        }
        if let zh {
            out.message = zh
        } else if knownCode == .validationFailed, let firstIssue {
            out.message = "校验失败：\(firstIssue.field)：\(firstIssue.message)"
        } else {
            out.message = knownCode?.defaultMessageZh ?? message
        }
        return out
    }

    /// The `data.errors` entries, as `(field, rule)` pairs, for clients and tests.
    public var fieldRules: [(field: String, rule: String)] {
        (data?["errors"]?.arrayValue ?? []).compactMap { entry in
            guard let field = entry["field"]?.stringValue, let rule = entry["rule"]?.stringValue else { return nil }
            return (field, rule)
        }
    }
}

extension RPCError {
    /// Bytes of a field name an error repeats (a member name the client made up).
    public static let echoLimit = 200
    /// Bytes of any other string of an error: messages are the server's own words, which may
    /// quote a value the client sent (and the schema bounds most of those).
    public static let messageLimit = 1000
    /// Entries of `data.errors` sent back; the rest are counted in one last entry.
    public static let issueLimit = 20

    /// This error with whatever it repeats of the request cut short: no field name longer than
    /// `echoLimit` bytes, no other string longer than `messageLimit`, no more than
    /// `issueLimit` issues. A reply never grows with what the client sent.
    /// The entry that counts what was left off is written in `language`.
    public func boundingEchoes(in language: Language = .en) -> RPCError {
        var bounded = self
        bounded.message = Self.truncated(message, to: Self.messageLimit)
        bounded.data = data.map { Self.bounded($0, key: nil, language: language) }
        return bounded
    }

    static func bounded(_ value: JSONValue, key: String?, language: Language = .en) -> JSONValue {
        switch value {
        case .string(let s):
            return .string(truncated(s, to: key == "field" ? echoLimit : messageLimit))
        case .array(let elements) where elements.count > issueLimit:
            let left = elements.count - issueLimit
            let more: JSONValue = ["field": "params", "rule": "more", "message": .string(language == .zh ? "另有 \(left) 个问题" : "and \(left) more")]
            return .array(elements.prefix(issueLimit).map { bounded($0, key: nil, language: language) } + [more])
        case .array(let elements):
            return .array(elements.map { bounded($0, key: nil, language: language) })
        case .object(let members):
            return .object(Dictionary(uniqueKeysWithValues: members.map { ($0.key, bounded($0.value, key: $0.key, language: language)) }))
        default:
            return value
        }
    }

    /// `s` cut to at most `limit` UTF-8 bytes at a character boundary, with "…" when cut.
    public static func truncated(_ s: String, to limit: Int) -> String {
        guard s.utf8.count > limit else { return s }
        var kept = ""
        var bytes = 0
        for character in s {
            let size = character.utf8.count
            guard bytes + size <= limit - 3 else { break }
            kept.append(character)
            bytes += size
        }
        return kept + "…"
    }
}
