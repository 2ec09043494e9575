import CaseloadProtocol

/// The per-method and per-error reference sections of docs/protocol.md, generated from the
/// registry and the error codes. A test regenerates them and compares with the committed
/// file; `make docs` rewrites them.
public enum ProtocolDocs {
    public static let beginMarker = "<!-- BEGIN GENERATED: caseload-server docs -->"
    public static let endMarker = "<!-- END GENERATED -->"

    public static func generated(for registry: MethodRegistry) -> String {
        var out: [String] = []
        out.append("## Error codes\n")
        out.append("| code | name | meaning |")
        out.append("|---|---|---|")
        for code in RPCErrorCode.allCases {
            out.append("| \(code.rawValue) | `\(code.name)` | \(code.meaning) |")
        }
        out.append("\n## Methods\n")
        for method in registry.all {
            out.append("### \(method.name)\n")
            out.append(method.summary + "\n")
            out.append("- Login: \(method.access == .authenticated ? "required" : "not required")")
            out.append("- Changes data: \(method.mutates ? "yes" : "no")")
            out.append("- Errors: " + method.allErrors.map { "`\($0.name)` (\($0.rawValue))" }.joined(separator: ", "))
            out.append("- Result: \(typeText(method.result))\n")
            if method.params.isEmpty {
                out.append("No params.\n")
            } else {
                out.append("| param | type | required | description |")
                out.append("|---|---|---|---|")
                for p in method.params {
                    out.append("| `\(p.name)` | \(typeText(p.schema)) | \(p.required ? "yes" : "no") | \(p.description.replacingPipes) |")
                }
                out.append("")
            }
            if case .object(let properties, _) = method.result, !properties.isEmpty {
                out.append("Result fields: " + properties.map { "`\($0.name)` (\(typeText($0.schema)))" }.joined(separator: ", ") + "\n")
            }
        }
        return out.joined(separator: "\n")
    }

    /// Replaces the generated section of a protocol document; nil if the markers are missing.
    public static func updating(_ document: String, registry: MethodRegistry) -> String? {
        guard let begin = document.range(of: beginMarker), let end = document.range(of: endMarker), begin.upperBound <= end.lowerBound else {
            return nil
        }
        return document[..<begin.upperBound] + "\n" + generated(for: registry) + "\n" + document[end.lowerBound...]
    }

    static func typeText(_ schema: Schema) -> String {
        switch schema {
        case .string(let rules):
            if let values = rules.enumValues { return values.map { "`\"\($0)\"`" }.joined(separator: " \\| ") }
            var parts = ["string"]
            if let f = rules.format { parts.append("(\(f.rawValue))") }
            if let max = rules.maxLength { parts.append("≤ \(max) chars") }
            return parts.joined(separator: " ")
        case .integer(let min, let max):
            switch (min, max) {
            case let (a?, b?): return "integer \(a)–\(b)"
            case let (a?, nil): return "integer ≥ \(a)"
            case let (nil, b?): return "integer ≤ \(b)"
            default: return "integer"
            }
        case .boolean: return "boolean"
        case .object: return "object"
        case .array(let items, _): return "array of \(typeText(items))"
        case .nullable(let inner): return "\(typeText(inner)) or null"
        case .any: return "any JSON"
        }
    }
}

extension String {
    fileprivate var replacingPipes: String { replacingOccurrences(of: "|", with: "\\|") }
}
