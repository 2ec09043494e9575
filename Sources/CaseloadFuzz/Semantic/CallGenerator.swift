import CaseloadCore
import CaseloadProtocol
import Foundation

/// One call the semantic fuzzer sends, with what the oracle needs to judge its reply.
public struct PlannedCall: Sendable {
    public var method: SemanticMethod
    /// nil: sent without params.
    public var params: JSONValue?
    public var mode: ValueMode
    /// Params given an id of the other agency (dotted paths).
    public var foreign: [String]

    public init(method: SemanticMethod, params: JSONValue?, mode: ValueMode = .plausible, foreign: [String] = []) {
        self.method = method
        self.params = params
        self.mode = mode
        self.foreign = foreign
    }

    /// The params as compact JSON, cut at `limit` bytes, for reports.
    public func paramsDescription(limit: Int = 300) -> String {
        guard let params else { return "(no params)" }
        var text = JSONText.short(params, limit: limit)
        // A cursor is opaque on the wire: show what it says.
        if let cursor = params["cursor"]?.stringValue, let data = Base64URL.decode(cursor), let decoded = JSONValue.parse(data) {
            text += " (cursor decodes to \(JSONText.short(JSONText.withoutArrays(decoded), limit: limit)))"
        }
        return text
    }
}

/// Chooses methods and builds their calls: mostly nearly valid (every required param present
/// with a plausible value, so the call reaches the handler and its SQL), some with one or two
/// params at an edge, some breaking the schema (a hostile value, a missing required param, an
/// unknown field, params that are not an object).
public struct CallGenerator: Sendable {
    public let catalog: MethodCatalog
    public private(set) var values: SchemaGenerator
    let maximumLineLength: Int

    public init(catalog: MethodCatalog, pool: IDPool, maximumLineLength: Int) {
        self.catalog = catalog
        self.maximumLineLength = maximumLineLength
        values = SchemaGenerator(pool: pool, byteBudget: min(200_000, maximumLineLength / 4))
    }

    /// A method for a connection logged in as `role` (nil: not logged in): mostly one the
    /// role may call, sometimes any. Never `auth.login`/`auth.logout`, which are fuzzed on
    /// connections of their own.
    public func pickMethod(role: String?, _ random: inout FuzzRandom) -> SemanticMethod {
        let usable = catalog.methods.filter { !$0.changesSession }
        if let role, random.chance(17, in: 20) {
            let allowed = usable.filter { !$0.requiresLogin || $0.roles.contains(role) }
            if !allowed.isEmpty { return Self.weightedPick(allowed, &random) }
        }
        return Self.weightedPick(usable, &random)
    }

    /// Methods with more values to get wrong (dates, numbers, text, open objects) are
    /// called up to three times as often.
    static func weightedPick(_ methods: [SemanticMethod], _ random: inout FuzzRandom) -> SemanticMethod {
        let weights = methods.map { m in 1 + min(2, m.params.reduce(0) { $0 + $1.schema.edgeWeight - 1 } / 4) }
        var roll = random.below(weights.reduce(0, +))
        for (method, weight) in zip(methods, weights) {
            if roll < weight { return method }
            roll -= weight
        }
        return methods[methods.count - 1]
    }

    /// A call of `method` for a connection of `agency` as `role`.
    public mutating func call(_ method: SemanticMethod, agency: FuzzAgency, role: String, _ random: inout FuzzRandom) -> PlannedCall {
        for attempt in 0..<4 {
            let roll = random.below(100)
            let mode: ValueMode = attempt == 3 || roll < 58 ? .plausible : roll < 88 ? .boundary : .hostile
            let planned = build(method, agency: agency, role: role, mode: mode, &random)
            if let params = planned.params, let bytes = try? WireJSON.encode(params), bytes.count > maximumLineLength - 1024 { continue }
            return planned
        }
        return PlannedCall(method: method, params: nil)
    }

    mutating func build(_ method: SemanticMethod, agency: FuzzAgency, role: String, mode: ValueMode, _ random: inout FuzzRandom) -> PlannedCall {
        var context = CallContext(method: method, agency: agency, role: role)
        let params = method.params
        // The params at an edge (boundary) or broken (hostile); the others are plausible.
        var edges: Set<Int> = []
        if mode != .plausible, !params.isEmpty {
            // Dates, numbers, free text and open objects are picked more often than ids, enums and flags.
            let weights = params.map { $0.name == "idempotency_key" ? 1 : $0.schema.edgeWeight }
            for _ in 0..<(mode == .boundary ? 1 + random.below(3) : 1) {
                var roll = random.below(weights.reduce(0, +))
                for (index, weight) in weights.enumerated() {
                    if roll < weight {
                        edges.insert(index)
                        break
                    }
                    roll -= weight
                }
            }
        }
        var members: [String: JSONValue] = [:]
        for (index, p) in params.enumerated() {
            let optionalChance = p.name == "idempotency_key" ? 4 : 3
            guard p.required || edges.contains(index) || random.chance(1, in: optionalChance) else { continue }
            let paramMode = edges.contains(index) ? mode : .plausible
            if p.name == "delay_ms" {
                // Long pings only slow the run down.
                members[p.name] = paramMode == .hostile ? random.pick([.int(-1), .int(10_001), .string("5")]) : .int(Int64(random.below(21)))
                continue
            }
            members[p.name] = values.value(p.schema, name: p.name, path: p.name, mode: paramMode, &context, &random)
            context.chosen[p.name] = members[p.name]
            if p.name == "version", paramMode == .plausible, let version = currentVersion(method, members, &random) {
                members[p.name] = .int(version)
            }
        }
        // Some hostile calls break the call as a whole rather than one value.
        if mode == .hostile, random.chance(2, in: 5) {
            switch random.below(5) {
            case 0:
                if let required = params.filter(\.required).map(\.name).sorted().first { members[required] = nil }
            case 1: members["fuzz_unknown_" + random.hex(3)] = EdgeValues.anyValue(&random)
            case 2: return PlannedCall(method: method, params: .array([.object(members)]), mode: mode, foreign: context.foreign)
            case 3: return PlannedCall(method: method, params: nil, mode: mode, foreign: [])
            default: for key in members.keys where random.chance(1, in: 2) { members[key] = .null }
            }
        }
        return PlannedCall(method: method, params: .object(members), mode: mode, foreign: context.foreign)
    }

    /// A plausible value for one param (for narrowing down a crash).
    public mutating func plausibleValue(for param: ParamSpec, of method: SemanticMethod, agency: FuzzAgency, role: String, _ random: inout FuzzRandom)
        -> JSONValue
    {
        var context = CallContext(method: method, agency: agency, role: role)
        return values.value(param.schema, name: param.name, path: param.name, mode: .plausible, &context, &random)
    }

    /// The version of the record the call names, as last seen (or one seen for anything).
    func currentVersion(_ method: SemanticMethod, _ members: [String: JSONValue], _ random: inout FuzzRandom) -> Int64? {
        let pool = values.pool
        if method.prefix == "archive", let applicant = members["applicant_id"]?.stringValue {
            return pool.version(of: "archive:" + applicant) ?? (random.chance(1, in: 2) ? 0 : pool.anyVersion(using: &random))
        }
        if let id = members["id"]?.stringValue, let version = pool.version(of: id) { return version }
        return random.chance(1, in: 2) ? 1 : pool.anyVersion(using: &random)
    }
}

/// Compact JSON for reports.
public enum JSONText {
    /// `value` with every array replaced by its length (`"[3 items]"`): the scalars stand out.
    public static func withoutArrays(_ value: JSONValue) -> JSONValue {
        switch value {
        case .array(let elements): return .string("[\(elements.count) items]")
        case .object(let members): return .object(members.mapValues(withoutArrays))
        default: return value
        }
    }

    /// `value` as JSON, cut at `limit` bytes (at a character boundary).
    public static func short(_ value: JSONValue, limit: Int = 300) -> String {
        guard let data = try? WireJSON.encode(value) else { return "\(value)" }
        guard data.count > limit else { return String(decoding: data, as: UTF8.self) }
        var cut = String(decoding: data.prefix(limit), as: UTF8.self)
        if cut.last == "\u{FFFD}" { cut.removeLast() }
        return cut + "…(\(data.count) bytes)"
    }
}

extension ParamSchema {
    /// How likely a param is to be the one at an edge: 8 for dates, 4 for numbers, free text
    /// and open objects, 1 for ids, enums and flags.
    var edgeWeight: Int {
        switch nonNull {
        case .string(_, _, let format, let values): return values != nil || format == "uuid" ? 1 : format == "date" ? 8 : 4
        case .integer, .any: return 4
        case .object(let properties, _, _): return properties.isEmpty ? 4 : 2
        case .array(let items, _): return items.edgeWeight
        case .boolean, .nullable: return 1
        }
    }
}
