import CaseloadCore
import CaseloadProtocol

/// One method of the protocol: its name, documentation, params and result schemas, the
/// errors it may return, and its handler. The registry of these both dispatches calls and
/// generates the OpenRPC document.
public struct RPCMethod: Sendable {
    public enum Access: Sendable {
        /// Callable before `auth.login`.
        case anyone
        /// Needs a logged-in connection.
        case authenticated
    }

    public var name: String
    public var summary: String
    public var params: [Property]
    public var result: Schema
    public var errors: [RPCErrorCode]
    public var access: Access
    /// Changes data (so is audited, and retries need an idempotency key to be safe).
    public var mutates: Bool
    /// Changes the connection's session: later requests on the connection wait for it.
    public var changesSession: Bool
    /// Writes nothing, not even an audit entry: it runs in a read-only transaction (PostgreSQL
    /// refuses any write), which the connection's other reads in flight may share. Only
    /// methods that need a login and do not mutate can be.
    public var readOnly: Bool
    /// The roles that may call it (ignored for `.anyone` methods).
    public var roles: Set<Role>
    /// Whose data it touches: the server confines roles that see only some companies.
    public var scope: Scope
    /// Runs longer than the configured request deadline may (bulk work): at least this many seconds.
    public var minimumDeadlineSeconds: Int64?
    /// Reads a lot (a report): such calls take turns (`ServerServices.heavyCalls`), waiting
    /// within their deadline for a turn, before they open their transaction.
    public var heavy: Bool = false
    /// Accepts an `idempotency_key` (mutating methods, unless the result holds a secret that
    /// must not be stored, like a new token).
    public var idempotent: Bool
    /// The top-level params keys the handler's `Decodable` reads from a given params object
    /// (required, optional); nil when it takes the raw `JSONValue`. Tests compare it with the
    /// declared params schema, so the two cannot disagree (`ParamsTypeTests`).
    public let paramsKeysRead: (@Sendable (JSONValue) throws -> (required: Set<String>, optional: Set<String>))?
    let invoke: @Sendable (JSONValue, RequestContext) async throws -> JSONValue

    /// Defines a method whose params decode into `P` (snake_case JSON keys) and whose result
    /// encodes from `R`. `readOnly: false` marks a method that changes no data but writes
    /// all the same (an audit entry, a sweep).
    public static func define<P: Decodable & Sendable, R: Encodable & Sendable>(
        _ name: String,
        summary: String,
        params: [Property] = [],
        result: Schema,
        errors: [RPCErrorCode] = [],
        access: Access = .authenticated,
        mutates: Bool = false,
        changesSession: Bool = false,
        readOnly: Bool = true,
        roles: Set<Role>? = nil,
        scope: Scope = .companies,
        idempotent: Bool? = nil,
        minimumDeadlineSeconds: Int64? = nil,
        heavy: Bool = false,
        _ handler: @escaping @Sendable (P, RequestContext) async throws -> R
    ) -> RPCMethod {
        let keysRead: (@Sendable (JSONValue) throws -> (required: Set<String>, optional: Set<String>))?
        if P.self == JSONValue.self {
            keysRead = nil
        } else {
            keysRead = { raw in try JSONTreeDecoder().keysRead(by: P.self, decoding: raw) }
        }
        // A param that takes an id prefix may name no record at all (`IDPrefixes`).
        let namesRecords = params.contains { $0.prefixTarget != nil }
        let errors = namesRecords && !errors.contains(.notFound) ? errors + [.notFound] : errors
        var method = RPCMethod(
            name: name, summary: summary, params: params.map(\.acceptingIDPrefix), result: result, errors: errors, access: access,
            mutates: mutates, changesSession: changesSession, readOnly: readOnly && !mutates && access == .authenticated,
            roles: roles ?? (mutates ? Role.writers : Role.staff), scope: access == .anyone ? .agency : scope,
            minimumDeadlineSeconds: minimumDeadlineSeconds, idempotent: idempotent ?? mutates,
            paramsKeysRead: keysRead
        ) { raw, context in
            let decoded: P
            do {
                decoded = try WireJSON.convert(raw, to: P.self)
            } catch {
                // The schema check passed, so this is a value the schema cannot express (a bad date).
                throw RPCError.invalidParams([("params", "type", "params do not match the method's schema", "参数与方法的定义不符")])
            }
            let result = try await handler(decoded, context)
            if let value = result as? JSONValue { return value }
            return try WireJSON.value(of: result)
        }
        method.heavy = heavy
        return method
    }

    /// The param every idempotent method accepts.
    public static let idempotencyKey = Property.optional(
        "idempotency_key", .string(maxLength: 200, minLength: 8),
        "Makes retries safe: a repeat with the same key returns the first result and changes nothing (kept 24 h; the same key with other params is refused)")

    /// Every param it accepts: its own, and the idempotency key where it takes one.
    public var allParams: [Property] { idempotent ? params + [Self.idempotencyKey] : params }

    /// The params as one object schema.
    public var paramsSchema: Schema { .object(allParams) }

    /// Every error this method may answer with, the generic ones included.
    public var allErrors: [RPCErrorCode] {
        var codes: [RPCErrorCode] = [.invalidParams, .internalError, .deadlineExceeded]
        if access == .authenticated { codes += [.unauthenticated, .forbidden, .databaseUnavailable] }
        if scope == .companies, access == .authenticated { codes.append(.notFound) }
        if idempotent { codes.append(.conflict) }
        for code in errors where !codes.contains(code) { codes.append(code) }
        return codes
    }
}

/// Params for methods that take none.
public struct NoParams: Codable, Sendable {}
