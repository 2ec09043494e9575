import CaseloadCore
import CaseloadProtocol

extension Schema {
    /// A value this schema accepts: the first enum value, the nil UUID, `today` for dates, the
    /// smallest allowed integer, strings of their minimum length. Objects hold their required
    /// members, and the optional ones too with `optional`. Used to check a method's declared
    /// params against the type its handler decodes (and handy for examples).
    public func example(today: CalendarDate, optional: Bool) -> JSONValue {
        switch self {
        case .string(let rules):
            if let first = rules.enumValues?.first { return .string(first) }
            switch rules.format {
            case .uuid?, .uuidOrPrefix?: return "00000000-0000-0000-0000-000000000000"
            case .date?: return .string(today.iso)
            case .dateTime?: return .string("\(today.iso)T00:00:00Z")
            case nil: return .string(String(repeating: "x", count: max(rules.minLength ?? 1, 1)))
            }
        case .integer(let minimum, let maximum):
            return .int(minimum ?? min(maximum ?? 1, 1))
        case .boolean:
            return false
        case .object(let properties, _):
            var members: [String: JSONValue] = [:]
            for property in properties where property.required || optional {
                members[property.name] = property.schema.example(today: today, optional: optional)
            }
            return .object(members)
        case .array(let items, _):
            return .array([items.example(today: today, optional: optional)])
        case .nullable(let inner):
            return inner.example(today: today, optional: optional)
        case .any:
            return .object([:])
        }
    }
}
