import CaseloadCore
import CaseloadProtocol
import Foundation

/// How far from valid a generated value is.
public enum ValueMode: Sendable {
    /// Right type, plausible content: passes validation and reaches the handler and SQL.
    case plausible
    /// Right type and within the schema, at an edge: the calendar's ends, an integer's
    /// bounds, the longest string, NUL, bidi overrides, another agency's id.
    case boundary
    /// Breaks the schema: wrong type, out of range, too long, malformed format, null.
    case hostile
}

/// The call a value is made for.
public struct CallContext: Sendable {
    public var method: SemanticMethod
    /// Whose ids fill uuid params (agency A's when the connection is not logged in).
    public var agency: FuzzAgency
    public var role: String
    /// The params (dotted paths) that were given an id of the other agency.
    public var foreign: [String] = []
    /// The params made so far (in documented order), for values that depend on them: a
    /// case's next stage depends on the case, a stage's data on the stage.
    public var chosen: [String: JSONValue] = [:]
}

/// Makes param values from their JSON Schemas (`rpc.discover`), with the meaning of well-known
/// names layered on top (`id_number` gets a valid ID number, `cursor` a real or tampered
/// cursor, `…_id` an id of that entity from the pool).
public struct SchemaGenerator: Sendable {
    public let pool: IDPool
    /// The most UTF-8 bytes one generated string may take (the line limit bounds the call).
    public let byteBudget: Int
    let today: CalendarDate
    let dates: [String]
    let dateTimes: [String]
    /// Idempotency keys used lately (some are sent again).
    var keys = BoundedList<String>(limit: 32)

    public init(pool: IDPool, byteBudget: Int, today: CalendarDate = EdgeValues.today) {
        self.pool = pool
        self.byteBudget = max(1024, byteBudget)
        self.today = today
        dates = EdgeValues.boundaryDates(today: today)
        dateTimes = EdgeValues.boundaryDateTimes(today: today)
    }

    /// A value for `schema`, the param (or property) `name` at `path`.
    public mutating func value(
        _ schema: ParamSchema, name: String, path: String, mode: ValueMode, _ call: inout CallContext, _ random: inout FuzzRandom
    ) -> JSONValue {
        if mode == .hostile { return hostile(schema, name: name, path: path, &call, &random) }
        if let special = domain(schema, name: name, path: path, mode: mode, &call, &random) { return special }
        switch schema {
        case .nullable(let inner):
            if random.chance(1, in: mode == .plausible ? 8 : 5) { return .null }
            return value(inner, name: name, path: path, mode: mode, &call, &random)
        case .string(let minLength, let maxLength, let format, let values):
            if let values, !values.isEmpty { return .string(random.pick(values)) }
            switch format {
            case "uuid": return .string(uuid(name: name, path: path, mode: mode, &call, &random))
            case "uuid-or-prefix":
                // Now and then only its first characters, as a list prints them (of another
                // agency's ids too: a prefix must resolve within the caller's own).
                let id = uuid(name: name, path: path, mode: mode, &call, &random)
                return .string(random.chance(1, in: 4) ? String(id.prefix(6 + random.below(8))) : id)
            case "date":
                if mode == .plausible { return .string(today.adding(days: random.below(800) - 500).iso) }
                return .string(random.chance(1, in: 2) ? random.pick(EdgeValues.extremeDates) : random.pick(dates))
            case "date-time":
                return .string(mode == .plausible ? "\(today.adding(days: -random.below(30)).iso)T0\(random.below(10)):00:00Z" : random.pick(dateTimes))
            default:
                if mode == .plausible {
                    var text = DomainValues.text(&random)
                    if let maxLength, text.count > maxLength { text = String(text.prefix(maxLength)) }
                    if let minLength, text.count < minLength { text += EdgeValues.repeated("x", characters: minLength - text.count) }
                    return .string(text)
                }
                return .string(EdgeValues.boundaryString(minimum: minLength ?? 0, maximum: maxLength, byteBudget: byteBudget, &random))
            }
        case .integer(let minimum, let maximum):
            return .int(mode == .plausible ? plausibleInteger(minimum, maximum, &random) : boundaryInteger(minimum, maximum, &random))
        case .boolean:
            return .bool(random.chance(1, in: 2))
        case .object(let properties, let required, _):
            // In boundary mode one property is at an edge, the others plausible.
            let edge = mode == .boundary && !properties.isEmpty ? random.below(properties.count) : -1
            var members: [String: JSONValue] = [:]
            for (index, p) in properties.enumerated() where required.contains(p.name) || index == edge || random.chance(1, in: 3) {
                members[p.name] = value(
                    p.schema, name: p.name, path: path + "." + p.name, mode: index == edge ? .boundary : .plausible, &call, &random)
            }
            return .object(members)
        case .array(let items, let maxItems):
            let count: Int
            if mode == .plausible {
                count = min(maxItems ?? 3, random.below(4))
            } else {
                count = random.pick([0, 1, maxItems ?? 50, min(maxItems ?? 200, 200)])
            }
            return .array(
                (0..<count).map { i in
                    let itemMode: ValueMode = mode == .plausible || random.chance(3, in: 4) ? .plausible : .boundary
                    return value(items, name: name, path: "\(path)[\(i)]", mode: itemMode, &call, &random)
                })
        case .any:
            return mode == .plausible ? .object([:]) : EdgeValues.anyValue(&random)
        }
    }

    // MARK: Numbers

    func plausibleInteger(_ minimum: Int64?, _ maximum: Int64?, _ random: inout FuzzRandom) -> Int64 {
        let low = minimum ?? 0
        let high = maximum ?? max(low, 0) + 100
        guard high > low else { return low }
        let span = UInt64(bitPattern: high &- low)
        let near = min(span, 50)
        let offset = random.chance(4, in: 5) ? random.next() % (near + 1) : (span == UInt64.max ? random.next() : random.next() % (span + 1))
        return low &+ Int64(bitPattern: offset)
    }

    func boundaryInteger(_ minimum: Int64?, _ maximum: Int64?, _ random: inout FuzzRandom) -> Int64 {
        var candidates = EdgeValues.integers.filter { (minimum ?? .min) <= $0 && $0 <= (maximum ?? .max) }
        if let minimum { candidates += [minimum, minimum &+ 1] }
        if let maximum { candidates += [maximum, maximum &- 1] }
        return random.pick(candidates.filter { (minimum ?? .min) <= $0 && $0 <= (maximum ?? .max) } + [minimum ?? maximum ?? 0])
    }

    // MARK: Breaking the schema

    /// A value `schema` refuses: another type, null, out of range, too long or short, a
    /// malformed format, a value outside the enum, an unknown or missing property.
    mutating func hostile(_ schema: ParamSchema, name: String, path: String, _ call: inout CallContext, _ random: inout FuzzRandom) -> JSONValue {
        if random.chance(1, in: 5) { return wrongType(for: schema, &random) }
        switch schema {
        case .nullable(let inner):
            return hostile(inner, name: name, path: path, &call, &random)
        case .string(let minLength, let maxLength, let format, let values):
            var options: [String] = []
            if let maxLength {
                options.append(EdgeValues.repeated("x", characters: min(maxLength + 1, byteBudget)))
                options.append(EdgeValues.repeated(random.pick(["中", "e\u{0301}", "😀"]), characters: min(maxLength + 1, byteBudget / 8)))
            }
            if let minLength, minLength > 0 { options.append(EdgeValues.repeated("x", characters: minLength - 1)) }
            switch format {
            case "uuid", "uuid-or-prefix": options += EdgeValues.malformedUUIDs
            case "date": options += EdgeValues.malformedDates
            case "date-time": options += EdgeValues.malformedDateTimes
            default: break
            }
            if let values, let first = values.first {
                options += [first.uppercased(), first + " ", " " + first, "", first + "\u{0000}", random.pick(DomainValues.stages)]
            }
            options.append(EdgeValues.repeated("x", characters: min(100_000, byteBudget)))
            let pick = random.pick(options)
            return .string(pick)
        case .integer(let minimum, let maximum):
            var options: [JSONValue] = [.double(1.5), .double(1e19), .double(-1e19), .string("1")]
            if let minimum, minimum > .min { options.append(.int(minimum - 1)) }
            if let maximum, maximum < .max { options.append(.int(maximum + 1)) }
            if minimum != nil || maximum != nil { options += [.int(.max), .int(.min)] }
            return random.pick(options)
        case .boolean:
            return random.pick([.string("true"), .int(1), .int(0), .null])
        case .object(let properties, let required, let additional):
            var members: [String: JSONValue] = [:]
            for p in properties where required.contains(p.name) || random.chance(1, in: 3) {
                members[p.name] = value(p.schema, name: p.name, path: path + "." + p.name, mode: .plausible, &call, &random)
            }
            switch random.below(3) {
            case 0 where !required.isEmpty: members[random.pick(Array(required).sorted())] = nil
            case 1 where !properties.isEmpty:
                let p = random.pick(properties)
                members[p.name] = hostile(p.schema, name: p.name, path: path + "." + p.name, &call, &random)
            default: members[additional ? "fuzz_" + random.hex(4) : "fuzz_unknown"] = EdgeValues.anyValue(&random)
            }
            return .object(members)
        case .array(let items, let maxItems):
            if let maxItems, maxItems < 1000, random.chance(1, in: 2) {
                return .array((0...maxItems).map { i in value(items, name: name, path: "\(path)[\(i)]", mode: .plausible, &call, &random) })
            }
            return .array([hostile(items, name: name, path: path + "[0]", &call, &random)])
        case .any:
            return EdgeValues.anyValue(&random)
        }
    }

    func wrongType(for schema: ParamSchema, _ random: inout FuzzRandom) -> JSONValue {
        for _ in 0..<8 {
            let v = EdgeValues.anyValue(&random)
            if !schema.accepts(type: v) { return v }
        }
        return .array([.null])
    }
}

extension ParamSchema {
    /// The schema without its `null` alternative.
    var nonNull: ParamSchema {
        if case .nullable(let inner) = self { return inner.nonNull }
        return self
    }

    /// Whether a value of this JSON type can be valid here (ignoring ranges and formats).
    func accepts(type value: JSONValue) -> Bool {
        switch (self, value) {
        case (.any, _), (.nullable, .null), (.string, .string), (.integer, .int), (.boolean, .bool), (.object, .object), (.array, .array): return true
        case (.nullable(let inner), _): return inner.accepts(type: value)
        default: return false
        }
    }
}
