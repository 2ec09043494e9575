import CaseloadCore
import CaseloadProtocol

/// Values for params whose names say what they are: ids of the entity a `…_id` names (in the
/// state the method needs), real and tampered cursors, valid identifiers, stage ids and stage
/// data for the case at hand, calendar CSV, points rules versions.
extension SchemaGenerator {
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
}
