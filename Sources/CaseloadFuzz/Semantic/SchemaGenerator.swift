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
    private var keys = BoundedList<String>(limit: 32)

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
            return .array((0..<count).map { i in value(items, name: name, path: "\(path)[\(i)]", mode: mode == .plausible || random.chance(3, in: 4) ? .plausible : .boundary, &call, &random) })
        case .any:
            return mode == .plausible ? .object([:]) : EdgeValues.anyValue(&random)
        }
    }

    // MARK: Meaning by name

    /// A value for a param whose name says what it is; nil for one the schema alone fills.
    mutating func domain(
        _ schema: ParamSchema, name: String, path: String, mode: ValueMode, _ call: inout CallContext, _ random: inout FuzzRandom
    ) -> JSONValue? {
        let plausible = mode == .plausible
        if schema.isOpenObject || isAny(schema) {
            switch name {
            case "data": return DomainValues.stageData(&random, stage: targetStage(call), plausible: plausible, today: today, dates: dates)
            case "rules": return DomainValues.rulesVersion(&random, from: pool.rulesVersions, today: today, dates: dates, plausible: plausible)
            case "fields":
                return DomainValues.importFields(&random, creditCodes: pool.strings(for: "credit_code", agency: call.agency), plausible: plausible, dates: dates)
            default: return nil
            }
        }
        guard case .string(let minLength, let maxLength, nil, nil) = schema.nonNull else {
            if name == "override", plausible, case .object = schema.nonNull { return DomainValues.override(&random, rules: transitionRules(call)) }
            return nil
        }
        let fits: (String) -> JSONValue = { text in
            var t = text
            if let maxLength, t.count > maxLength { t = String(t.prefix(maxLength)) }
            if let minLength, t.count < minLength { t += EdgeValues.repeated("x", characters: minLength - t.count) }
            return .string(t)
        }
        if !plausible, random.chance(1, in: 2), !["cursor", "id_number", "credit_code", "org_code", "csv"].contains(name) {
            return nil  // half the edge values for named strings are the generic ones
        }
        switch name {
        case "cursor":
            return fits(cursor(method: call.method.name, agency: call.agency, role: call.role, mode: mode, &random))
        case "idempotency_key":
            if plausible, random.chance(1, in: 5), let used = keys.items.isEmpty ? nil : random.pick(keys.items) { return .string(used) }
            let key = random.hex(24)
            keys.append(key)
            return .string(key)
        case "id_number":
            if plausible { return .string(DomainValues.idNumber(&random)) }
            let born = random.pick(["1900-01-01", "2000-02-29", today.iso, today.adding(days: 1).iso, "1899-12-31", "9999-12-31"])
            let valid = DomainValues.idNumber(&random, birth: CalendarDate(iso: born))
            return fits(random.pick([valid, valid.lowercased(), " \(valid) ", String(valid.dropLast()) + "0", String(valid.prefix(17)), "310104" + "18991231" + "0011"]))
        case "credit_code":
            guard let codes = DomainValues.creditCode(&random) else { return nil }
            if plausible { return .string(codes.credit) }
            return fits(random.pick([codes.credit.lowercased(), codes.credit.map(String.init).joined(separator: " "), String(codes.credit.dropLast()) + "0", "91310000IOSVZ0000X", "91350200776049653B"]))
        case "org_code":
            guard let codes = DomainValues.creditCode(&random) else { return nil }
            return fits(plausible ? random.pick([codes.org, codes.org.filter { $0 != "-" }]) : random.pick([codes.org.lowercased(), "12345678-0", "ABCDEFGH-X"]))
        case "phone", "hr_phone":
            return fits(plausible ? DomainValues.phone(&random) : random.pick(["+8613800138000", "1380013800", "138-0013-8000", "１３８００１３８０００"]))
        case "district":
            return fits(random.pick(DomainValues.districts))
        case "name", "hr_name", "from", "signed_by", "holder_name":
            if call.method.name == "company.create" || call.method.name == "company.update", name == "name" {
                return fits("上海\(random.pick(["浦江", "张江", "临港"]))\(random.pick(["科技", "软件"]))有限公司 \(random.hex(4))")
            }
            return fits(DomainValues.personName(&random))
        case "to" where call.method.prefix == "document":
            return fits(DomainValues.personName(&random))
        case "code", "location", "parent":
            let seen = pool.strings(for: "code", agency: call.agency)
            if call.method.name == "location.add", name == "code" || seen.isEmpty || random.chance(1, in: 5) {
                return fits("F" + random.hex(5).uppercased())
            }
            return fits(random.pick(seen))
        case "to" where call.method.name == "case.advance" || call.method.name == "case.return":
            let (kind, stage) = caseOf(call)
            let choices =
                call.method.name == "case.advance"
                ? pool.facts(of: call.chosen["id"]?.stringValue ?? "")["next_stages"]?.arrayValue?.compactMap(\.stringValue) ?? []
                : (stage.flatMap { kind?.earlierStages(than: $0).map(\.id) } ?? [])
            if !choices.isEmpty, plausible || random.chance(1, in: 2) { return fits(random.pick(choices)) }
            return fits(random.pick(DomainValues.stages))
        case "stage", "to":
            let key = call.method.name == "case.advance" ? "next_stages" : "stage"
            let seen = pool.strings(for: key, agency: call.agency)
            return fits(seen.isEmpty || random.chance(1, in: 4) ? random.pick(DomainValues.stages) : random.pick(seen))
        case "rule", "rules":
            let seen = pool.strings(for: "rule", agency: call.agency)
            return fits(seen.isEmpty || random.chance(1, in: 2) ? random.pick(DomainValues.transitionRules) : random.pick(seen))
        case "csv":
            return .string(DomainValues.calendarCSV(&random, plausible: plausible, dates: dates))
        case "entity_id":
            return fits(uuid(name: name, path: path, mode: mode, &call, &random))
        case "token":
            let tokens = pool.tokens
            return fits(tokens.isEmpty ? "cl_" + random.hex(40) : random.pick(tokens))
        default:
            return nil
        }
    }

    /// The kind and current stage of the case the call names (by `id`), as last seen.
    func caseOf(_ call: CallContext) -> (kind: CaseKind?, stage: String?) {
        guard call.method.prefix == "case", let id = call.chosen["id"]?.stringValue else { return (nil, nil) }
        let facts = pool.facts(of: id)
        return (facts["kind"]?.stringValue.flatMap(CaseKinds.kind), facts["stage"]?.stringValue)
    }

    /// The stage whose data the call carries: the first one of the kind opened, the target
    /// of an advance, the current one of a record.
    func targetStage(_ call: CallContext) -> Stage? {
        switch call.method.name {
        case "case.open":
            guard let kind = call.chosen["kind"]?.stringValue.flatMap(CaseKinds.kind) else { return nil }
            return kind.stage(kind.initialStage)
        case "case.advance":
            let (kind, _) = caseOf(call)
            guard let to = call.chosen["to"]?.stringValue else { return nil }
            return kind?.stage(to) ?? CaseKinds.all.lazy.compactMap { $0.stage(to) }.first
        default:
            let (kind, stage) = caseOf(call)
            return stage.flatMap { kind?.stage($0) }
        }
    }

    /// The rules of the transition an advance takes, if the case is known.
    func transitionRules(_ call: CallContext) -> [String] {
        let (kind, stage) = caseOf(call)
        guard let stage, let to = call.chosen["to"]?.stringValue, let transition = kind?.transition(from: stage, to: to) else { return [] }
        return transition.rules.map(\.id)
    }

    func isAny(_ schema: ParamSchema) -> Bool {
        if case .any = schema { return true }
        return false
    }

    /// An id for a uuid param: mostly from the caller's agency (of the entity the name says),
    /// sometimes the other agency's (recorded in `call.foreign`), sometimes random.
    mutating func uuid(name: String, path: String, mode: ValueMode, _ call: inout CallContext, _ random: inout FuzzRandom) -> String {
        let kind: String
        switch (call.method.name, name) {
        case ("watch.subscribe", "id"): kind = random.pick(["company", "case"])
        case (_, "id"): kind = IDPool.kind(ofPrefix: call.method.prefix)
        default: kind = IDPool.kind(ofIDParam: name) ?? "any"
        }
        // The fuzzer's own users and tokens are never revoked or changed: its connections need them.
        let unprotected = name == "id" && (call.method.name == "user.update" || call.method.name == "token.revoke")
        let roll = random.below(100)
        if mode == .plausible && roll < 80 || mode == .boundary && roll < 25 {
            let prefer = name == "id" ? Self.preferredState(for: call.method.name) : nil
            if let id = pool.pick(kind: kind, agency: call.agency, unprotected: unprotected, prefer: prefer, using: &random) {
                return mode == .boundary && random.chance(1, in: 2) ? id.uppercased() : id
            }
        } else if mode == .plausible && roll < 92 || mode == .boundary && roll < 70 {
            if let id = pool.pick(kind: kind, agency: call.agency.other, unprotected: unprotected, using: &random) {
                call.foreign.append(path)
                return id
            }
        }
        if mode == .boundary, random.chance(1, in: 2) {
            return random.pick(["00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff", "FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF"])
        }
        return random.uuid()
    }

    /// The state a record should be in for a method to get past its state checks (a case on
    /// hold for `case.resume`, a paper with an authority for `document.collect`).
    static func preferredState(for method: String) -> (([String: JSONValue]) -> Bool)? {
        let authorities: Set<String> = ["talent_center", "city_verification_center"]
        switch method {
        case "case.resume": return { $0["status"] == "on_hold" }
        case "case.advance", "case.hold", "case.record", "case.return", "case.withdraw": return { $0["status"] == "active" }
        case "document.forward", "document.collect": return { authorities.contains($0["holder"]?["kind"]?.stringValue ?? "") }
        case "document.move", "document.handover", "document.return": return { $0["holder"]?["kind"] == "agency" }
        default: return nil
        }
    }

    /// A cursor: one issued for this method to this agency and role, or (edge) one issued to
    /// another method, agency or role, or one tampered with.
    func cursor(method: String, agency: FuzzAgency, role: String, mode: ValueMode, _ random: inout FuzzRandom) -> String {
        let all = pool.cursors()
        let own = all.filter { $0.origin == CursorOrigin(method: method, agency: agency, role: role) }.map(\.cursor)
        let sameMethod = all.filter { $0.origin.method == method && $0.origin.agency == agency }.map(\.cursor)
        if mode == .plausible {
            if !own.isEmpty, random.chance(3, in: 4) { return random.pick(own) }
            if !sameMethod.isEmpty { return random.pick(sameMethod) }
        }
        let any = all.map(\.cursor)
        switch random.below(3) {
        case 0 where !any.isEmpty: return random.pick(any)  // another method's, agency's or user's
        case 1 where !(own + sameMethod).isEmpty: return DomainValues.tamper(random.pick(own + sameMethod), &random)
        default: return DomainValues.tamper(any.isEmpty ? DomainValues.encode(["rowsDone": 1]) : random.pick(any), &random)
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
            case "uuid": options += EdgeValues.malformedUUIDs
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
