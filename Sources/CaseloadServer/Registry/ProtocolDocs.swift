import CaseloadCore
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
        out.append("\n## Case kinds and stages\n")
        out.append(
            "Generated from the stage tables the server runs. `case.advance` takes a case along a transition; "
                + "a transition's rules must hold (or be overridden by an owner or manager, with a reason). "
                + "Days are the default time allowed in a stage before the case counts as late.\n")
        for kind in CaseKinds.all { out.append(caseKind(kind)) }
        out.append("\n## Methods\n")
        for method in registry.all {
            out.append("### \(method.name)\n")
            out.append(method.summary + "\n")
            out.append("- Login: \(method.access == .authenticated ? "required" : "not required")")
            let changes =
                method.mutates ? "yes" : method.readOnly ? "no (read-only)" : method.access == .anyone ? "no" : "no, but not read-only (see above)"
            out.append("- Changes data: \(changes)")
            if let seconds = method.minimumDeadlineSeconds {
                out.append("- Deadline: at least \(seconds) s (bulk work), whatever the configured request deadline")
            }
            if method.access == .authenticated {
                let confined = method.scope == .companies && !method.callers.allSatisfy(\.seesAllCompanies) ? " (confined to their companies)" : ""
                out.append("- Roles: " + method.callers.map { "`\($0.rawValue)`" }.joined(separator: ", ") + confined)
            }
            out.append("- Errors: " + method.allErrors.map { "`\($0.name)` (\($0.rawValue))" }.joined(separator: ", "))
            out.append("- Result: \(typeText(method.result))\n")
            if method.allParams.isEmpty {
                out.append("No params.\n")
            } else {
                out.append("| param | type | required | description |")
                out.append("|---|---|---|---|")
                for p in method.allParams {
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

    static func caseKind(_ kind: CaseKind) -> String {
        var out = ["### `\(kind.id)`: \(kind.chineseName) (\(kind.englishName))\n"]
        out.append("| stage | 中文 | English | records | days |")
        out.append("|---|---|---|---|---|")
        for stage in kind.stages {
            let fields = stage.fields.map { "`\($0.name)` (\($0.type.rawValue)\($0.required ? "" : ", optional"))" }.joined(separator: ", ")
            out.append("| `\(stage.id)` | \(stage.chineseName) | \(stage.englishName) | \(fields.isEmpty ? "-" : fields) | \(stage.allowedDays.map(String.init) ?? "-") |")
        }
        out.append("\nTransitions (first stage `\(kind.initialStage)`):\n")
        for t in kind.transitions {
            let rules = t.rules.map(ruleText).joined(separator: "; ")
            out.append("- `\(t.from)` → `\(t.to)`" + (rules.isEmpty ? "" : ": \(rules)"))
        }
        out.append("")
        return out.joined(separator: "\n")
    }

    static func ruleText(_ rule: Rule) -> String {
        switch rule {
        case .companyActivated: "`company_activated` (the company's talent-center status is `activated`)"
        case .workingDaysAfter(let stage, let field, let days): "`working_days_after` (\(days) working days after `\(stage).\(field)`)"
        case .notBeforeRecordedDate(let stage, let field): "`not_before_recorded_date` (not before `\(stage).\(field)`)"
        case .recordedTrue(let stage, let field): "`recorded_true` (`\(stage).\(field)` is true)"
        case .pointsAtLeast(let n): "`points_at_least` (the estimate is at least \(n))"
        case .documentsComplete: "`documents_complete` (every document the checklist requires by then is held: `case.checklist`)"
        case .archiveVerified: "`archive_verified` (the personnel archive is verified: `archive.set`)"
        }
    }

    static func typeText(_ schema: Schema) -> String {
        switch schema {
        case .string(let rules):
            if let values = rules.enumValues { return values.map { "`\"\($0)\"`" }.joined(separator: " \\| ") }
            var parts = ["string"]
            if let f = rules.format { parts.append("(\(f.rawValue))") }
            if let window = rules.dateWindow { parts.append("\(window.phrase) today") }
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
