import CaseloadConcurrency
import CaseloadCore
import CaseloadProtocol
import CaseloadStorage
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat

/// Turns requests into responses: finds the method, checks login and params, runs the
/// handler under the request deadline, and maps every error to its documented code.
public struct Dispatcher: Sendable {
    public let registry: MethodRegistry
    public let services: ServerServices
    public let logger: Logger

    public init(registry: MethodRegistry, services: ServerServices, logger: Logger) {
        self.registry = registry
        self.services = services
        self.logger = logger
    }

    /// Whether handling `incoming` may change the session, so nothing after it may start first.
    public func changesSession(_ incoming: RPCIncoming) -> Bool {
        func entry(_ e: RPCEntry) -> Bool {
            if case .request(let r) = e { return registry[r.method]?.changesSession ?? false }
            return false
        }
        switch incoming {
        case .single(let e): return entry(e)
        case .batch(let entries): return entries.contains(where: entry)
        case .rejected: return false
        }
    }

    /// The reply line for one incoming line, or nil when it held only notifications.
    public func reply(to incoming: RPCIncoming, session: Session) async -> ByteBuffer? {
        switch incoming {
        case .rejected(let response):
            return ByteBuffer(bytes: encode(.response(Self.localized(response, to: session.language))))
        case .single(let entry):
            guard let reply = await respond(to: entry, session: session, discoverAllowed: true) else { return nil }
            return ByteBuffer(bytes: encode(reply))
        case .batch(let entries) where changesSession(incoming):
            // A login (or logout) in a batch: everything after it must see its session.
            var replies: [Reply] = []
            for (entry, allowed) in zip(entries, Self.discoverAllowed(entries)) {
                if let reply = await respond(to: entry, session: session, discoverAllowed: allowed) { replies.append(reply) }
            }
            return encode(batch: replies)
        case .batch(let entries):
            // A batch's requests run concurrently; the reply keeps their order.
            let allowed = Self.discoverAllowed(entries)
            let replies = await withTaskGroup(of: (Int, Reply?).self) { group in
                for (index, entry) in entries.enumerated() {
                    group.addTask { (index, await respond(to: entry, session: session, discoverAllowed: allowed[index])) }
                }
                var collected = [Reply?](repeating: nil, count: entries.count)
                for await (index, reply) in group { collected[index] = reply }
                return collected.compactMap { $0 }
            }
            return encode(batch: replies)
        }
    }

    /// One entry's reply: a response, or `rpc.discover`'s document from `discovery`.
    enum Reply {
        case response(RPCResponse)
        case discovery(RequestID)
    }

    /// The method whose reply is the largest by far, and the same for everyone.
    static let discover = "rpc.discover"

    /// For each entry of a batch, whether it may call `rpc.discover`: only the first that does.
    static func discoverAllowed(_ entries: [RPCEntry]) -> [Bool] {
        var seen = false
        return entries.map { entry in
            guard case .request(let request) = entry, request.method == discover else { return true }
            defer { seen = true }
            return !seen
        }
    }

    func respond(to entry: RPCEntry, session: Session, discoverAllowed: Bool) async -> Reply? {
        switch entry {
        case .invalid(let response):
            return .response(Self.localized(response, to: session.language))
        case .request(let request) where request.method == Self.discover:
            guard discoverAllowed else {
                guard let id = request.id else { return nil }
                let error = RPCError(
                    .rateLimited, "Too many requests: rpc.discover may appear once in a batch", zh: "请求过多：一个批次中 rpc.discover 只能出现一次",
                    data: ["limit": "discover_per_batch"])
                return .response(Self.localized(RPCResponse(id: id, error: error), to: session.language))
            }
            let outcome = await run(request, session: session)
            guard let id = request.id else { return nil }
            // The handler checked the call; the reply is the document's bytes, encoded at start.
            if case .failure(let error) = outcome { return .response(RPCResponse(id: id, error: error)) }
            return .discovery(id)
        case .request(let request):
            let outcome = await run(request, session: session)
            guard let id = request.id else { return nil }
            return .response(RPCResponse(id: id, outcome: outcome))
        }
    }

    /// Runs one request and classifies its failure.
    public func run(_ request: RPCRequest, session: Session) async -> Result<JSONValue, RPCError> {
        let started = ContinuousClock.now
        services.metrics.requestStarted()
        var logger = logger
        logger[metadataKey: "method"] = "\(RPCError.truncated(request.method, to: 100))"
        let outcome: Result<JSONValue, RPCError>
        do {
            let value = try await invoke(request, session: session, logger: logger)
            if services.configuration.validateReplies, let method = registry[request.method] { try Self.checkReply(value, of: method, logger: logger) }
            outcome = .success(value)
        } catch {
            // The language as the call left it: a login that chose one is refused in it.
            outcome = .failure(Self.localized(classify(error, logger: logger), to: session.language))
        }
        let elapsed = ContinuousClock.now - started
        let outcomeName: String
        switch outcome {
        case .success: outcomeName = "ok"
        case .failure(let e): outcomeName = RPCErrorCode(rawValue: e.code)?.name ?? "other"
        }
        services.metrics.request(
            method: registry[request.method] == nil ? "unknown" : request.method, outcome: outcomeName, duration: elapsed)
        if case .failure(let e) = outcome {
            logger.debug("request failed", metadata: ["code": "\(e.code)", "ms": "\(elapsed.milliseconds)"])
        } else {
            logger.trace("request done", metadata: ["ms": "\(elapsed.milliseconds)"])
        }
        return outcome
    }

    func invoke(_ request: RPCRequest, session: Session, logger: Logger) async throws -> JSONValue {
        guard let method = registry[request.method] else {
            let name = RPCError.truncated(request.method, to: 100)
            throw RPCError(.methodNotFound, "Method not found: \(name)", zh: "没有这个方法：\(name)")
        }
        let principal: Principal?
        if method.access == .authenticated {
            guard let p = session.principal else { throw RPCError(.unauthenticated) }
            try Authorization.checkRole(of: p, for: method)
            principal = p
        } else {
            principal = nil
        }
        var params: JSONValue
        switch request.params {
        case nil: params = .object([:])
        case .array(let a)? where a.isEmpty: params = .object([:])
        case .array?:
            throw RPCError.invalidParams([("params", "by_name", "params must be an object of named parameters", "params 必须是按名称给出参数的对象")])
        case let p?: params = p
        }
        // Names people write (硕士, 2026/9/30) become the values the schema takes, before it checks them.
        params = method.paramsSchema.normalizingInput(params)
        let now = services.configuration.clock.now
        let issues = method.paramsSchema.issues(in: params, path: "", today: CalendarDate(shanghai: now))
        if !issues.isEmpty {
            throw RPCError.invalidParams(issues.map { ($0.field, $0.rule, $0.message, $0.zh) })
        }
        let idempotencyKey = params["idempotency_key"]?.stringValue
        if idempotencyKey != nil, case .object(var fields) = params {
            fields["idempotency_key"] = nil
            params = .object(fields)
        }
        let context = RequestContext(session: session, services: services, registry: registry, logger: logger, method: method.name, params: params, now: now)
        let deadline = max(services.configuration.limits.requestDeadlineSeconds, method.minimumDeadlineSeconds ?? 0)
        let call = params
        // Answered by the deadline even if the work cannot be stopped (see withDeadline); a
        // second's grace lets cancellable work roll back first.
        do {
            return try await withDeadline(.seconds(deadline), grace: .seconds(1)) {
                guard let principal else { return try await method.invoke(call, context) }
                @Sendable func run() async throws -> JSONValue {
                    try await context.inTransaction(for: principal, method: method.name, timeoutSeconds: deadline, readOnly: method.readOnly) { context, tx in
                        // Checked again with the principal as it is now (a role may have changed).
                        try Authorization.checkRole(of: tx.principal, for: method)
                        // Prefixes first (among what the caller may see), so a consultant's own id given short is theirs.
                        let call = try Authorization.confine(try await IDPrefixes.resolve(call, for: method, in: tx), of: tx.principal, for: method)
                        try await Authorization.checkEntities(in: call, for: method, in: tx)
                        guard let key = idempotencyKey else { return try await method.invoke(call, context) }
                        return try await Idempotency.run(key: key, method: method, params: call, in: tx) {
                            try await method.invoke(call, context)
                        }
                    }
                }
                // A heavy call waits for its turn before it takes a database connection.
                guard method.heavy else { return try await run() }
                return try await services.heavyCalls.withPermit { try await run() }
            }
        } catch is WorkAbandoned {
            logger.warning("call abandoned at its deadline: its work did not stop when cancelled", metadata: ["method": "\(method.name)"])
            throw RPCError(.deadlineExceeded)
        }
    }

    /// A reply that breaks its method's declared result is a bug: logged with the fields and
    /// rules it breaks (never the values), and answered `internal_error`.
    public static func checkReply(_ value: JSONValue, of method: RPCMethod, logger: Logger) throws {
        let issues = method.result.issues(in: value, path: "result", as: .reply)
        guard !issues.isEmpty else { return }
        logger.error(
            "internal error: reply breaks its declared result schema",
            metadata: ["issues": "\(issues.prefix(50).map { "\($0.field): \($0.rule)" }.joined(separator: "; "))"])
        throw RPCError(.internalError)
    }

    /// Maps any error to what the client may see. Unknown errors are logged by type only and
    /// become `internal_error`: no SQL, values or stack leave the server.
    func classify(_ error: any Error, logger: Logger) -> RPCError {
        // Classified already where it left the database (`StorageError.classify`).
        switch error {
        case let rpc as RPCError:
            return rpc
        case let validation as ValidationError:
            return RPCError.validationFailed(validation.issues.map { ($0.field, $0.rule, $0.message, $0.zh) })
        case let storage as StorageError:
            switch storage {
            case .unavailable:
                return RPCError(.databaseUnavailable)
            case .notFound(let entity):
                return RPCError(
                    .notFound, "Not found: no such \(entity) in your agency", zh: "未找到：你的机构中没有这个\(EntityNames.chinese(entity))",
                    data: ["entity": .string(entity)])
            case .duplicate(let constraint):
                return RPCError(
                    .conflict, "Conflict: a record with the same key already exists", zh: "冲突：已有一条相同键的记录",
                    data: ["constraint": .string(constraint)])
            case .versionConflict(let current):
                return RPCError(
                    .conflict, "Conflict: the record changed since you read it (current version \(current))",
                    zh: "冲突：这条记录在你读取之后已被修改（当前版本 \(current)）",
                    data: ["current_version": .int(Int64(current))])
            case .forbidden:
                return RPCError(.forbidden)
            case .timedOut:
                return RPCError(.deadlineExceeded)
            case .stillReferenced(let constraint):
                return RPCError(
                    .conflict, "Conflict: other records still refer to this one", zh: "冲突：还有其他记录引用这一条",
                    data: ["constraint": .string(constraint)])
            case .valueRefused(let state, let constraint):
                // A gap in validation: say so in the log (it is a bug), and refuse the call
                // as the validation should have.
                logger.warning("value refused by the database: a validation gap", metadata: ["sqlstate": "\(state)", "constraint": "\(constraint ?? "-")"])
                let named = constraint.map { " (\($0))" } ?? ""
                return RPCError.invalidParams([
                    ("params", "database", "a value is outside what the database stores" + named, "有一个值超出了数据库能保存的范围" + named)
                ])
            }
        case is CancellationError:
            return RPCError(.deadlineExceeded)
        case let other:
            logger.error(
                "internal error",
                metadata: ["error_type": "\(String(reflecting: type(of: other)))", "sqlstate": "\(StorageError.sqlState(of: other) ?? "-")"])
            return RPCError(.internalError)
        }
    }

    /// `error` as a session in `language` reads it, with its echoes bounded.
    static func localized(_ error: RPCError, to language: Language) -> RPCError {
        error.localized(to: language) { FieldIssue.chineseFallback[$0] }.boundingEchoes(in: language)
    }

    /// `response`'s error, if any, as a session in `language` reads it.
    static func localized(_ response: RPCResponse, to language: Language) -> RPCResponse {
        guard case .failure(let error) = response.outcome, language != .en else { return response }
        return RPCResponse(id: response.id, error: localized(error, to: language))
    }

    /// The bytes of one reply. A result goes through `JSONWriter`; an error, or a result that
    /// holds a double, through Foundation. A result that cannot be encoded at all is logged
    /// and answered `internal_error`: the client always gets a reply.
    func encode(_ reply: Reply) -> [UInt8] {
        switch reply {
        case .discovery(let id):
            return JSONWriter.result(encoded: services.discovery.bytes, id: id)
        case .response(let response):
            if case .success(let value) = response.outcome, let bytes = JSONWriter.result(value, id: response.id) { return bytes }
            if let data = try? WireJSON.encode(response) { return Array(data) }
            logger.error("reply could not be encoded", metadata: ["id_type": "\(response.id)"])
            return Array((try? WireJSON.encode(RPCResponse(id: response.id, error: RPCError(.internalError)))) ?? Data())
        }
    }

    func encode(batch replies: [Reply]) -> ByteBuffer? {
        guard !replies.isEmpty else { return nil }
        var out: [UInt8] = [UInt8(ascii: "[")]
        for (index, reply) in replies.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out += encode(reply)
        }
        out.append(UInt8(ascii: "]"))
        return ByteBuffer(bytes: out)
    }

    /// A reply for the connection handler's own errors (a line too long).
    func encode(_ response: RPCResponse) -> ByteBuffer {
        ByteBuffer(bytes: encode(.response(response)))
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
