import CaseloadCore
import CaseloadProtocol

/// Builds the OpenRPC 1.x document that `rpc.discover` returns, from the registry.
public enum OpenRPC {
    public static func document(for registry: MethodRegistry, version: String) -> JSONValue {
        var errorsUsed: [RPCErrorCode] = []
        let methods: [JSONValue] = registry.all.map { method in
            for e in method.allErrors where !errorsUsed.contains(e) { errorsUsed.append(e) }
            return [
                "name": .string(method.name),
                "summary": .string(method.summary),
                "paramStructure": "by-name",
                "params": .array(
                    method.allParams.map { p in
                        [
                            "name": .string(p.name),
                            "description": .string(p.description),
                            "required": .bool(p.required),
                            "schema": p.schema.jsonSchema,
                        ]
                    }),
                "result": ["name": "result", "schema": method.result.jsonSchema],
                "errors": .array(method.allErrors.map { ["$ref": .string("#/components/errors/\($0.name)")] }),
                "x-requires-login": .bool(method.access == .authenticated),
                "x-mutates": .bool(method.mutates),
                "x-read-only": .bool(method.readOnly),
                "x-heavy": .bool(method.heavy),
                "x-roles": .array(method.callers.map { .string($0.rawValue) }),
            ]
        }
        var errors: [String: JSONValue] = [:]
        for code in RPCErrorCode.allCases {
            errors[code.name] = ["code": .int(Int64(code.rawValue)), "message": .string(code.defaultMessage)]
        }
        return [
            "openrpc": "1.3.2",
            "info": [
                "title": "Caseload",
                "version": .string(version),
                "description": "Case management for Shanghai residence-permit points applications. Line-delimited JSON-RPC 2.0 over TCP.",
            ],
            "methods": .array(methods),
            "components": ["errors": .object(errors)],
        ]
    }
}
