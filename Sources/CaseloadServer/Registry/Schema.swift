import CaseloadCore
import CaseloadProtocol
import CaseloadStorage
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

    /// A date (`YYYY-MM-DD`, within `CalendarDate.acceptedRange`), optionally only within
    /// `window` of today.
    public static func date(_ window: DateWindow? = nil) -> Schema {
        .string(StringRules(format: .date, dateWindow: window))
    }

    /// A uuid string (or nullable one) that takes an id prefix too; any other schema as it is.
    var acceptingIDPrefix: Schema {
        switch self {
        case .string(var rules) where rules.format == .uuid:
            rules.format = .uuidOrPrefix
            return .string(rules)
        case .nullable(let inner): return .nullable(inner.acceptingIDPrefix)
        case .array(let items, let maxItems): return .array(items.acceptingIDPrefix, maxItems: maxItems)
        default: return self
        }
    }
}

public struct StringRules: Sendable {
    public var minLength: Int?
    public var maxLength: Int?
    public var format: StringFormat?
    public var enumValues: [String]?
    /// For dates: how far from today they may lie.
    public var dateWindow: DateWindow?

    public init(minLength: Int? = nil, maxLength: Int? = nil, format: StringFormat? = nil, enumValues: [String]? = nil, dateWindow: DateWindow? = nil) {
        self.minLength = minLength
        self.maxLength = maxLength
        self.format = format
        self.enumValues = enumValues
        self.dateWindow = dateWindow
    }
}

/// String formats the validator checks (JSON Schema `format` names).
public enum StringFormat: String, Sendable {
    case uuid
    /// A uuid, or its first characters as lists print them (`IDPrefix`): the server replaces
    /// a prefix with the one id it names before the handler runs. Params only.
    case uuidOrPrefix = "uuid-or-prefix"
    case date
    case dateTime = "date-time"
}

/// One member of an object schema.
public struct Property: Sendable {
    public var name: String
    public var schema: Schema
    public var required: Bool
    public var description: String
    /// The company-owned entity this param names, if any: the server checks it belongs to a
    /// company the caller may touch. `company_id`, `applicant_id`, `case_id`, `document_id`
    /// and `deadline_id` name theirs; an `id` says which with `Property.id(_:_:)`.
    public var entity: AccessStore.Entity?

    public init(name: String, schema: Schema, required: Bool, description: String, entity: AccessStore.Entity? = nil) {
        self.name = name
        self.schema = schema
        self.required = required
        self.description = description
        self.entity = entity ?? Self.entityNamed[name]
    }

    /// What the param's id names, when a prefix of it may be given: its entity, or a user.
    public var prefixTarget: AccessStore.Named? {
        entity.map(AccessStore.Named.init) ?? (Self.userIDNames.contains(name) ? .user : nil)
    }

    static let userIDNames: Set<String> = ["consultant_id", "user_id"]

    /// This param as a method's params declare it: a uuid of a record a prefix may name takes
    /// the prefix too (`uuid-or-prefix`).
    var acceptingIDPrefix: Property {
        guard prefixTarget != nil else { return self }
        var copy = self
        copy.schema = schema.acceptingIDPrefix
        return copy
    }

    static let entityNamed: [String: AccessStore.Entity] = [
        "company_id": .company, "applicant_id": .applicant, "case_id": .case, "document_id": .document, "deadline_id": .deadline,
    ]

    public static func required(_ name: String, _ schema: Schema, _ description: String) -> Property {
        Property(name: name, schema: schema, required: true, description: description)
    }

    public static func optional(_ name: String, _ schema: Schema, _ description: String) -> Property {
        Property(name: name, schema: schema, required: false, description: description)
    }

    /// The required uuid `id` of an entity: "Case id" for `.case`.
    public static func id(_ entity: AccessStore.Entity, _ description: String) -> Property {
        Property(name: "id", schema: .string(format: .uuid), required: true, description: description, entity: entity)
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
            if rules.format == .date {
                s["formatMinimum"] = .string(CalendarDate.acceptedRange.lowerBound.iso)
                s["formatMaximum"] = .string(CalendarDate.acceptedRange.upperBound.iso)
            }
            if let w = rules.dateWindow {
                if let years = w.yearsBefore { s["x-years-before-today"] = .int(Int64(years)) }
                if let years = w.yearsAfter { s["x-years-after-today"] = .int(Int64(years)) }
            }
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

/// What a schema check is for.
public enum Validation: Sendable {
    /// A call's params, on `today`: every rule — lengths, dates within their range and window,
    /// no NUL anywhere.
    case params(today: CalendarDate)
    /// A reply against the method's declared result: its shape (types, required and unknown
    /// members, enums, integer bounds, well-formed formats), not the rules for input.
    case reply
}

extension Schema {
    /// Every way `value` breaks this schema, as params checked on `today`.
    public func issues(in value: JSONValue, path: String, today: CalendarDate) -> [FieldIssue] {
        issues(in: value, path: path, as: .params(today: today))
    }

    /// Every way `value` breaks this schema, with dotted field paths under `path`.
    ///
    /// Checking params, besides the schema's own rules, no string anywhere in `value` — member
    /// names and free-form (`any`) values included — may hold a NUL character: PostgreSQL
    /// cannot store one, so it is refused here, naming the field, before any handler sees it.
    public func issues(in value: JSONValue, path: String, as validation: Validation) -> [FieldIssue] {
        func issue(_ rule: String, _ message: String, _ zh: String? = nil) -> [FieldIssue] {
            [FieldIssue(field: path.isEmpty ? "params" : path, rule: rule, message: message, zh: zh)]
        }
        let input: Bool
        if case .params = validation { input = true } else { input = false }
        switch (self, value) {
        case (.any, _):
            return input ? Self.nulIssues(in: value, path: path) : []
        case (.nullable, .null):
            return []
        case (.nullable(let inner), _):
            return inner.issues(in: value, path: path, as: validation)
        case (.string(let rules), .string(let s)):
            var found: [FieldIssue] = []
            if input {
                if s.utf8.contains(0) { return issue("nul", Self.nulMessage, Self.nulMessageZh) }
                // Lengths count Unicode scalars, as PostgreSQL's char_length and the tables'
                // CHECKs do (a grapheme count lets 1 visible character of 200 marks through).
                if let min = rules.minLength {
                    if min == 1, s.allSatisfy(\.isWhitespace) {
                        found += issue("required", s.isEmpty ? "must not be empty" : "must not be only spaces", s.isEmpty ? "不能为空" : "不能只有空格")
                    } else if min > 1, s.unicodeScalars.count < min {
                        found += issue("min_length", "must have at least \(min) characters", "至少 \(min) 个字符")
                    }
                }
                if let max = rules.maxLength, s.utf8.count > max, s.unicodeScalars.count > max {
                    found += issue("max_length", "must have at most \(max) characters", "最多 \(max) 个字符")
                }
            }
            if let values = rules.enumValues, !values.contains(s) {
                found += issue("enum", "must be one of \(values.joined(separator: ", "))", "须为 \(values.joined(separator: "、")) 之一")
            }
            if let format = rules.format {
                let problems: [(rule: String, message: String)]
                switch validation {
                case .params(let today): problems = Self.formatIssues(s, format, window: rules.dateWindow, today: today)
                case .reply: problems = Self.wellFormed(s, format) ? [] : [("format", "must be a \(format.rawValue)")]
                }
                found += problems.flatMap { issue($0.rule, $0.message) }
            }
            return found
        case (.integer(let minimum, let maximum), .int(let n)):
            if let minimum, n < minimum { return issue("minimum", "must be at least \(minimum)", "不能小于 \(minimum)") }
            if let maximum, n > maximum { return issue("maximum", "must be at most \(maximum)", "不能大于 \(maximum)") }
            return []
        case (.boolean, .bool):
            return []
        case (.array(let items, let maxItems), .array(let elements)):
            if input, let maxItems, elements.count > maxItems { return issue("max_items", "must have at most \(maxItems) items", "最多 \(maxItems) 项") }
            return elements.enumerated().flatMap { items.issues(in: $1, path: "\(path)[\($0)]", as: validation) }
        case (.object(let properties, let additional), .object(let members)):
            var found: [FieldIssue] = []
            let prefix = path.isEmpty ? "" : path + "."
            for p in properties {
                if let member = members[p.name] {
                    found += p.schema.issues(in: member, path: prefix + p.name, as: validation)
                } else if p.required {
                    found.append(FieldIssue(field: prefix + p.name, rule: "required", message: "is required", zh: "必填"))
                }
            }
            let known = Set(properties.map(\.name))
            for name in members.keys.sorted() where !known.contains(name) {
                if input, name.utf8.contains(0) {
                    found += issue("nul", "member names " + Self.nulMessage, "成员名" + Self.nulMessageZh)
                } else if !additional {
                    found.append(FieldIssue(
                        field: prefix + name, rule: "unknown_field", message: input ? "is not a parameter of this method" : "is not in the declared result",
                        zh: input ? "不是这个方法的参数" : "不在声明的结果中"))
                } else if input, let member = members[name] {
                    found += Self.nulIssues(in: member, path: prefix + name)
                }
            }
            return found
        default:
            return issue("type", "must be \(typeDescription), not \(value.typeName)", "类型须为 \(typeDescription)，不是 \(value.typeName)")
        }
    }

    /// Whether `s` is a `format` at all (replies: no range or window applies).
    static func wellFormed(_ s: String, _ format: StringFormat) -> Bool {
        switch format {
        case .uuid: UUID(uuidString: s) != nil
        case .uuidOrPrefix: IDPrefix(s) != nil
        case .date: CalendarDate(iso: s) != nil
        case .dateTime: ISO8601DateFormatter().date(from: s) != nil
        }
    }

    static let nulMessage = "must not contain NUL (U+0000) characters"
    static let nulMessageZh = "不能含有 NUL（U+0000）字符"

    /// Instants within the accepted range of dates (UTC).
    static let acceptedInstants: ClosedRange<Date> = {
        let first = Double(CalendarDate.acceptedRange.lowerBound.daysSinceEpoch) * 86_400
        let last = Double(CalendarDate.acceptedRange.upperBound.daysSinceEpoch + 1) * 86_400 - 1
        return Date(timeIntervalSince1970: first)...Date(timeIntervalSince1970: last)
    }()

    /// NUL characters anywhere in `value`, names included, one issue per field.
    static func nulIssues(in value: JSONValue, path: String) -> [FieldIssue] {
        let field = path.isEmpty ? "params" : path
        switch value {
        case .string(let s):
            return s.utf8.contains(0) ? [FieldIssue(field: field, rule: "nul", message: nulMessage, zh: nulMessageZh)] : []
        case .array(let elements):
            return elements.enumerated().flatMap { nulIssues(in: $1, path: "\(path)[\($0)]") }
        case .object(let members):
            return members.keys.sorted().flatMap { name -> [FieldIssue] in
                let prefix = path.isEmpty ? "" : path + "."
                if name.utf8.contains(0) { return [FieldIssue(field: field, rule: "nul", message: "member names " + nulMessage, zh: "成员名" + nulMessageZh)] }
                return nulIssues(in: members[name] ?? .null, path: prefix + name)
            }
        default:
            return []
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

    /// How `s` breaks `format`, as (rule, message) pairs: `format` when it is not one at all,
    /// `range` when it is a date outside the accepted range or the field's window.
    static func formatIssues(_ s: String, _ format: StringFormat, window: DateWindow?, today: CalendarDate) -> [(rule: String, message: String)] {
        switch format {
        case .uuid:
            return UUID(uuidString: s) == nil ? [("format", "must be a uuid")] : []
        case .uuidOrPrefix:
            return IDPrefix(s) == nil ? [("format", "must be " + IDPrefix.accepted)] : []
        case .dateTime:
            guard let instant = ISO8601DateFormatter().date(from: s) else { return [("format", "must be a date-time")] }
            // The same years as dates (far-off instants overflow the database driver's encoding).
            guard acceptedInstants.contains(instant) else {
                return [("range", "must be between \(CalendarDate.acceptedRange.lowerBound.iso) and \(CalendarDate.acceptedRange.upperBound.iso)")]
            }
            return []
        case .date:
            guard let date = CalendarDate(iso: s) else { return [("format", "must be " + CalendarDate.acceptedDescription)] }
            return (window ?? DateWindow()).refusal(of: date, today: today).map { [("range", $0)] } ?? []
        }
    }
}

