import CaseloadProtocol

/// The part of JSON Schema that `rpc.discover` uses for params, read back from the document
/// (the fuzzer knows the server only through what it publishes).
public indirect enum ParamSchema: Sendable {
    case string(minLength: Int?, maxLength: Int?, format: String?, values: [String]?)
    case integer(minimum: Int64?, maximum: Int64?)
    case boolean
    /// Properties sorted by name (a JSON object keeps no order).
    case object(properties: [(name: String, schema: ParamSchema)], required: Set<String>, additional: Bool)
    case array(items: ParamSchema, maxItems: Int?)
    /// `oneOf: [inner, {type: null}]`.
    case nullable(ParamSchema)
    /// `{}`: any JSON value.
    case any

    /// Reads one schema fragment; unknown shapes are `.any` (the fuzzer then sends anything).
    public init(jsonSchema s: JSONValue) {
        if case .array(let choices)? = s["oneOf"] {
            let inner = choices.first { $0["type"] != .string("null") }
            self = .nullable(inner.map(ParamSchema.init(jsonSchema:)) ?? .any)
            return
        }
        func int(_ key: String) -> Int64? { s[key]?.intValue }
        switch s["type"]?.stringValue {
        case "string":
            self = .string(
                minLength: int("minLength").map { Int($0) }, maxLength: int("maxLength").map { Int($0) }, format: s["format"]?.stringValue,
                values: s["enum"]?.arrayValue?.compactMap(\.stringValue))
        case "integer":
            self = .integer(minimum: int("minimum"), maximum: int("maximum"))
        case "boolean":
            self = .boolean
        case "object":
            let properties = (s["properties"]?.objectValue ?? [:]).sorted { $0.key < $1.key }.map { (name: $0.key, schema: ParamSchema(jsonSchema: $0.value)) }
            self = .object(
                properties: properties, required: Set((s["required"]?.arrayValue ?? []).compactMap(\.stringValue)),
                additional: s["additionalProperties"]?.boolValue ?? true)
        case "array":
            self = .array(items: s["items"].map(ParamSchema.init(jsonSchema:)) ?? .any, maxItems: int("maxItems").map { Int($0) })
        default:
            self = .any
        }
    }

    /// An object that names no properties and takes any: filled by meaning, like `.any`.
    public var isOpenObject: Bool {
        if case .object(let properties, _, let additional) = self { return properties.isEmpty && additional }
        return false
    }
}

/// One documented param of a method.
public struct ParamSpec: Sendable {
    public var name: String
    public var required: Bool
    public var schema: ParamSchema
}

/// One method as `rpc.discover` documents it: its params, the error codes it may answer
/// with, and who may call it.
public struct SemanticMethod: Sendable {
    public var name: String
    public var params: [ParamSpec]
    /// Codes of the documented errors (`errors[].$ref` resolved through `components.errors`).
    public var errorCodes: Set<Int>
    public var requiresLogin: Bool
    /// Roles that may call it (`x-roles`).
    public var roles: Set<String>
    public var mutates: Bool

    /// `auth.login` and `auth.logout` change the connection's login: they are fuzzed on
    /// connections of their own, so the role connections keep their login.
    public var changesSession: Bool { name == "auth.login" || name == "auth.logout" }

    /// The word before the first dot (`case` for `case.advance`): the entity `id` names.
    public var prefix: String { String(name.prefix { $0 != "." }) }
}

/// Every method of the server, read from its OpenRPC document.
public struct MethodCatalog: Sendable {
    public var methods: [SemanticMethod]

    public subscript(name: String) -> SemanticMethod? { methods.first { $0.name == name } }

    /// Reads `rpc.discover`'s result; nil if it lists no methods or an error `$ref` that the
    /// components do not define.
    public init?(openRPC document: JSONValue) {
        guard let list = document["methods"]?.arrayValue, !list.isEmpty else { return nil }
        let components = document["components"]?["errors"]?.objectValue ?? [:]
        var methods: [SemanticMethod] = []
        for m in list {
            guard let name = m["name"]?.stringValue else { return nil }
            var codes: Set<Int> = []
            for e in m["errors"]?.arrayValue ?? [] {
                guard let ref = e["$ref"]?.stringValue, let errorName = ref.split(separator: "/").last,
                    let code = components[String(errorName)]?["code"]?.intValue
                else { return nil }
                codes.insert(Int(code))
            }
            let params = (m["params"]?.arrayValue ?? []).compactMap { p -> ParamSpec? in
                guard let n = p["name"]?.stringValue else { return nil }
                return ParamSpec(name: n, required: p["required"]?.boolValue ?? false, schema: ParamSchema(jsonSchema: p["schema"] ?? [:]))
            }
            methods.append(
                SemanticMethod(
                    name: name, params: params, errorCodes: codes, requiresLogin: m["x-requires-login"]?.boolValue ?? true,
                    roles: Set((m["x-roles"]?.arrayValue ?? []).compactMap(\.stringValue)), mutates: m["x-mutates"]?.boolValue ?? false))
        }
        self.methods = methods
    }
}
