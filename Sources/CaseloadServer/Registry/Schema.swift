import CaseloadCore
import CaseloadProtocol
import Foundation

/// The subset of JSON Schema that Caseload's methods use. One value serves twice: rendered
/// into the OpenRPC document, and executed to validate incoming params, so the documented
/// shape and the enforced shape cannot drift apart.
public indirect enum Schema: Sendable {
    case string(StringRules)
    case integer(minimum: Int64? = nil, maximum: Int64? = nil)
    case boolean
    case object([Property], additionalProperties: Bool = false)
    case array(Schema, maxItems: Int? = nil)
    case nullable(Schema)
    /// Any JSON value, described in words.
    case any

    public static var string: Schema { .string(StringRules()) }

    public static func string(maxLength: Int? = nil, minLength: Int? = nil, format: StringFormat? = nil, enum values: [String]? = nil)
        -> Schema
    {
        .string(StringRules(minLength: minLength, maxLength: maxLength, format: format, enumValues: values))
    }
}

public struct StringRules: Sendable {
    public var minLength: Int?
    public var maxLength: Int?
    public var format: StringFormat?
    public var enumValues: [String]?

    public init(minLength: Int? = nil, maxLength: Int? = nil, format: StringFormat? = nil, enumValues: [String]? = nil) {
        self.minLength = minLength
        self.maxLength = maxLength
        self.format = format
        self.enumValues = enumValues
    }
}

/// String formats the validator checks (JSON Schema `format` names).
public enum StringFormat: String, Sendable {
    case uuid
    case date
    case dateTime = "date-time"
}

/// One member of an object schema.
public struct Property: Sendable {
    public var name: String
    public var schema: Schema
    public var required: Bool
    public var description: String

    public static func required(_ name: String, _ schema: Schema, _ description: String) -> Property {
        Property(name: name, schema: schema, required: true, description: description)
    }

    public static func optional(_ name: String, _ schema: Schema, _ description: String) -> Property {
        Property(name: name, schema: schema, required: false, description: description)
    }

    /// The `version` a change of an existing record takes: the one the client read. A stale one
    /// is a `conflict` carrying the current version, and nothing changes.
    public static func expectedVersion(minimum: Int64 = 1, _ note: String = "") -> Property {
        .required("version", .integer(minimum: minimum), "The version you last read; a stale one gets a conflict carrying the current version" + note)
    }

    /// The `version` in a record's result.
    public static func currentVersion(_ method: String) -> Property {
        .required("version", .integer(minimum: 0), "Version for optimistic concurrency: pass it to \(method)")
    }
}

// MARK: - Rendering

extension Schema {
    /// This schema as a JSON Schema document fragment.
    public var jsonSchema: JSONValue {
        switch self {
        case .string(let rules):
            var s: [String: JSONValue] = ["type": "string"]
            if let v = rules.minLength { s["minLength"] = .int(Int64(v)) }
            if let v = rules.maxLength { s["maxLength"] = .int(Int64(v)) }
            if let f = rules.format { s["format"] = .string(f.rawValue) }
            if let e = rules.enumValues { s["enum"] = .array(e.map(JSONValue.string)) }
            return .object(s)
        case .integer(let minimum, let maximum):
            var s: [String: JSONValue] = ["type": "integer"]
            if let minimum { s["minimum"] = .int(minimum) }
            if let maximum { s["maximum"] = .int(maximum) }
            return .object(s)
        case .boolean:
            return ["type": "boolean"]
        case .object(let properties, let additional):
            var props: [String: JSONValue] = [:]
            for p in properties {
                var rendered = p.schema.jsonSchema.objectValue ?? [:]
                rendered["description"] = .string(p.description)
                props[p.name] = .object(rendered)
            }
            return [
                "type": "object",
                "properties": .object(props),
                "required": .array(properties.filter(\.required).map { .string($0.name) }),
                "additionalProperties": .bool(additional),
            ]
        case .array(let items, let maxItems):
            var s: [String: JSONValue] = ["type": "array", "items": items.jsonSchema]
            if let maxItems { s["maxItems"] = .int(Int64(maxItems)) }
            return .object(s)
        case .nullable(let inner):
            return ["oneOf": [inner.jsonSchema, ["type": "null"]]]
        case .any:
            return [:]
        }
    }
}

// MARK: - Validation

extension Schema {
    /// Every way `value` breaks this schema, with dotted field paths under `path`.
    public func issues(in value: JSONValue, path: String) -> [FieldIssue] {
        func issue(_ rule: String, _ message: String) -> [FieldIssue] {
            [FieldIssue(field: path.isEmpty ? "params" : path, rule: rule, message: message)]
        }
        switch (self, value) {
        case (.any, _):
            return []
        case (.nullable, .null):
            return []
        case (.nullable(let inner), _):
            return inner.issues(in: value, path: path)
        case (.string(let rules), .string(let s)):
            var found: [FieldIssue] = []
            let length = s.count
            if let min = rules.minLength, length < min {
                found += issue(min == 1 ? "required" : "min_length", min == 1 ? "must not be empty" : "must have at least \(min) characters")
            }
            if let max = rules.maxLength, length > max {
                found += issue("max_length", "must have at most \(max) characters")
            }
            if let values = rules.enumValues, !values.contains(s) {
                found += issue("enum", "must be one of \(values.joined(separator: ", "))")
            }
            if let format = rules.format, !Self.matches(s, format) {
                found += issue("format", "must be a \(format.rawValue)")
            }
            return found
        case (.integer(let minimum, let maximum), .int(let n)):
            if let minimum, n < minimum { return issue("minimum", "must be at least \(minimum)") }
            if let maximum, n > maximum { return issue("maximum", "must be at most \(maximum)") }
            return []
        case (.boolean, .bool):
            return []
        case (.array(let items, let maxItems), .array(let elements)):
            if let maxItems, elements.count > maxItems { return issue("max_items", "must have at most \(maxItems) items") }
            return elements.enumerated().flatMap { items.issues(in: $1, path: "\(path)[\($0)]") }
        case (.object(let properties, let additional), .object(let members)):
            var found: [FieldIssue] = []
            let prefix = path.isEmpty ? "" : path + "."
            for p in properties {
                if let member = members[p.name] {
                    found += p.schema.issues(in: member, path: prefix + p.name)
                } else if p.required {
                    found.append(FieldIssue(field: prefix + p.name, rule: "required", message: "is required"))
                }
            }
            if !additional {
                let known = Set(properties.map(\.name))
                for name in members.keys.sorted() where !known.contains(name) {
                    found.append(FieldIssue(field: prefix + name, rule: "unknown_field", message: "is not a parameter of this method"))
                }
            }
            return found
        default:
            return issue("type", "must be \(typeDescription), not \(value.typeName)")
        }
    }

    var typeDescription: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .boolean: "a boolean"
        case .object: "an object"
        case .array: "an array"
        case .nullable(let inner): inner.typeDescription + " or null"
        case .any: "any value"
        }
    }

    static func matches(_ s: String, _ format: StringFormat) -> Bool {
        switch format {
        case .uuid: UUID(uuidString: s) != nil
        case .date: CalendarDate(iso: s) != nil
        case .dateTime: ISO8601DateFormatter().date(from: s) != nil
        }
    }
}
