import CaseloadCore
import CaseloadProtocol
import Foundation

/// Values that mean something to the domain: valid identifiers (checked with CaseloadCore's
/// own parsers), Chinese names, stage data, calendar CSV, import rows, points rules versions
/// with hostile numbers, tampered cursors.
public enum DomainValues {
    static let surnames = Array("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑")
    static let givenNames = Array("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞宇浩然欣怡")
    static let districts = ["pudong", "xuhui", "huangpu", "jingan", "minhang", "浦东新区", "徐汇区", "黄浦区", "静安区", "闵行区", "chongming"]
    static let areas = ["310101", "310104", "310105", "310115", "310112", "110101", "440305"]
    /// Every stage id of every built-in case kind (CaseloadCore's tables), for when none was seen yet.
    static let stages = Array(Set(CaseKinds.all.flatMap { $0.stages.map(\.id) })).sorted()
    /// Every transition rule id (the ones owners and managers may override).
    static let transitionRules = Array(Set(CaseKinds.all.flatMap { $0.transitions.flatMap { $0.rules.map(\.id) } })).sorted()
    /// Every field any stage records.
    static let stageFields: [StageField] = {
        var seen: Set<String> = []
        return CaseKinds.all.flatMap { $0.stages.flatMap(\.fields) }.filter { seen.insert($0.name).inserted }
    }()
    static let importColumns = [
        "company_credit_code", "company_org_code", "name", "id_number", "phone", "education_level", "upgraded_from_associate", "skill_level",
        "permit_number", "permit_received_date", "permit_expiry_date", "social_insurance_months", "dispatched", "case_kind", "case_stage",
    ]

    // MARK: Identifiers

    /// A valid resident ID number.
    public static func idNumber(_ random: inout FuzzRandom, birth: CalendarDate? = nil) -> String {
        let born = birth ?? CalendarDate(year: 1965 + random.below(40), month: 1 + random.below(12), day: 1 + random.below(28)) ?? .minimum
        return ResidentIDNumber.make(area: random.pick(areas), birth: born, sequence: random.below(1000))
    }

    /// A valid organization code `XXXXXXXX-X` for an 8-character body (check character
    /// found with CaseloadCore's parser, so the fuzzer has no checksum code of its own).
    public static func orgCode(body: String) -> String? {
        for check in "0123456789X" where (try? OrganizationCode.parse(body + "-" + String(check))) != nil {
            return body + "-" + String(check)
        }
        return nil
    }

    /// A valid unified social credit code embedding a valid organization code.
    public static func creditCode(_ random: inout FuzzRandom) -> (credit: String, org: String)? {
        let body = String(10_000_000 + random.below(89_999_999))
        guard let org = orgCode(body: body) else { return nil }
        let first17 = random.pick(["91310000", "91310115", "92310104", "12310000"]) + org.filter { $0 != "-" }
        for check in "0123456789ABCDEFGHJKLMNPQRTUWXY" where (try? CreditCode.parse(first17 + String(check))) != nil {
            return (first17 + String(check), org)
        }
        return nil
    }

    public static func phone(_ random: inout FuzzRandom) -> String {
        random.pick(["138", "139", "150", "186", "199"]) + String(random.below(100_000_000)).leftPadded(to: 8)
    }

    public static func personName(_ random: inout FuzzRandom) -> String {
        String(random.pick(surnames)) + String((0..<(1 + random.below(2))).map { _ in random.pick(givenNames) })
    }

    public static func text(_ random: inout FuzzRandom) -> String {
        random.pick(["材料已交", "客户要求退回", "补交社保证明", "note", "审核中 please wait", "复旦大学 本科毕业证书", "第2次提交", "王芳 (HR)"])
    }

    // MARK: Open objects

    /// A stage's `data`: the fields `stage` records (every required one, some optional ones)
    /// with values of their type; or (not `plausible`) some of them at edge dates, huge
    /// numbers, wrong types, fields of other stages and unknown names.
    public static func stageData(_ random: inout FuzzRandom, stage: Stage?, plausible: Bool, today: CalendarDate, dates: [String]) -> JSONValue {
        var fields: [String: JSONValue] = [:]
        let own = stage?.fields ?? []
        for field in own where field.required || random.chance(1, in: 2) {
            fields[field.name] = plausibleValue(of: field.type, &random, today: today)
        }
        if stage == nil || random.chance(1, in: 5) {
            let field = random.pick(stageFields)
            fields[field.name] = plausibleValue(of: field.type, &random, today: today)
        }
        guard !plausible else { return .object(fields) }
        for _ in 0..<(1 + random.below(2)) {
            let name = own.isEmpty || random.chance(1, in: 4) ? random.pick(stageFields).name : random.pick(own).name
            switch random.below(7) {
            case 0, 1: fields[name] = .string(random.pick(dates))
            case 2: fields[name] = .string(random.pick(EdgeValues.malformedDates))
            case 3: fields[name] = .int(random.pick(EdgeValues.integers))
            case 4: fields[name] = EdgeValues.anyValue(&random)
            case 5: fields["fuzz_" + random.hex(4)] = .string(random.pick(dates))
            default: fields[name] = .string(random.pick(EdgeValues.nastyPieces))
            }
        }
        return .object(fields)
    }

    static func plausibleValue(of type: FieldType, _ random: inout FuzzRandom, today: CalendarDate) -> JSONValue {
        switch type {
        case .date: .string(today.adding(days: random.below(120) - 90).iso)
        case .integer: .int(Int64(random.below(200)))
        case .bool: .bool(random.chance(3, in: 4))
        case .text: .string("SJ" + String(random.below(1_000_000)))
        }
    }

    /// `case.advance`'s `override`: rules to override (those of the transition, if known) and a reason.
    public static func override(_ random: inout FuzzRandom, rules known: [String]) -> JSONValue {
        let rules = known.isEmpty || random.chance(1, in: 5) ? (0..<(1 + random.below(3))).map { _ in random.pick(transitionRules) } : known
        return ["rules": .array(rules.map(JSONValue.string)), "reason": .string(text(&random))]
    }

    /// One import row's `fields`: column key → text as a spreadsheet has it.
    public static func importFields(_ random: inout FuzzRandom, creditCodes: [String], plausible: Bool, dates: [String]) -> JSONValue {
        var fields: [String: JSONValue] = [
            "name": .string(personName(&random)), "id_number": .string(idNumber(&random)),
            "company_credit_code": .string(creditCodes.isEmpty ? (creditCode(&random)?.credit ?? "") : random.pick(creditCodes)),
        ]
        let extra: [String: [String]] = [
            "phone": [phone(&random)], "education_level": ["本科", "本科+学士", "硕士", "大专", "bachelor"], "upgraded_from_associate": ["是", "否", "y"],
            "skill_level": ["中级职称", "三级", "level2"], "permit_received_date": ["2026/1/5", "2025-11-30", "2024.3.1"],
            "permit_expiry_date": ["2027/1/5", "2028-06-30"], "social_insurance_months": ["24", "0", "120"], "dispatched": ["否", "是"],
            "case_kind": ["积分新办", "points_renewal", "居转户"], "case_stage": ["网上提交", "account", ""],
        ]
        for (key, values) in extra where random.chance(1, in: 3) { fields[key] = .string(random.pick(values)) }
        if !plausible {
            let key = random.chance(4, in: 5) ? random.pick(importColumns) : "fuzz_" + random.hex(4)
            switch random.below(5) {
            case 0: fields[key] = .string(random.pick(dates).replacingOccurrences(of: "-", with: "/"))
            case 1: fields[key] = .string(random.pick(EdgeValues.nastyPieces))
            case 2: fields[key] = .string(String(random.pick(EdgeValues.integers)))
            case 3: fields[key] = EdgeValues.anyValue(&random)
            default: fields[key] = .string(EdgeValues.repeated("中", characters: 1 + random.below(3000)))
            }
        }
        return .object(fields)
    }

    /// A calendar CSV (`date,kind,name`) of a few days, with edge dates unless `plausible`.
    public static func calendarCSV(_ random: inout FuzzRandom, plausible: Bool, dates: [String]) -> String {
        var lines = [random.chance(1, in: 5) ? "\u{FEFF}date,kind,name" : "date,kind,name"]
        for _ in 0..<(1 + random.below(5)) {
            let date = plausible ? "20\(27 + random.below(4))-0\(1 + random.below(9))-1\(random.below(10))" : random.pick(dates + EdgeValues.malformedDates)
            let kind = plausible || random.chance(2, in: 3) ? random.pick(["holiday", "workday"]) : random.pick(["normal", "HOLIDAY", "", "x"])
            let name = plausible ? random.pick(["春节", "国庆节", "调休"]) : random.pick(EdgeValues.nastyPieces + ["\"a,b\"", "春节"])
            lines.append("\(date),\(kind),\(name)")
        }
        return lines.joined(separator: random.chance(1, in: 4) ? "\r\n" : "\n")
    }

    /// A points rules version to add: one the server listed, under a new name, effective
    /// from a date that puts it in force (mostly), with some of its numbers made hostile.
    public static func rulesVersion(_ random: inout FuzzRandom, from versions: [JSONValue], today: CalendarDate, dates: [String], plausible: Bool)
        -> JSONValue
    {
        guard !versions.isEmpty, case .object(var top) = random.pick(versions) else {
            return .object(["version": .string("fuzz-" + random.hex(6)), "effectiveFrom": .string(today.iso)])
        }
        top["version"] = .string(random.chance(9, in: 10) ? "fuzz-" + random.hex(8) : random.pick(["", "brief-2025", EdgeValues.repeated("v", characters: 300)]))
        // Mostly in force from (about) today, so it is the version estimates use. The key is
        // the one the listed version has (`effectiveFrom`), whatever its spelling.
        let effective = top.keys.first { $0.lowercased().filter { $0 != "_" } == "effectivefrom" } ?? "effectiveFrom"
        top[effective] = .string(random.chance(3, in: 4) ? today.adding(days: -random.below(3)).iso : random.pick(dates))
        var rules = JSONValue.object(top)
        if !plausible {
            let leaves = integerPaths(in: rules)
            for _ in 0..<(1 + random.below(3)) where !leaves.isEmpty {
                let hostile: Int64 = random.pick([Int64.max, Int64.min, Int64.max / 2, -1, 0, 1 << 31, -(1 << 31), 1_000_000_000_000, -1_000_000_000_000])
                rules = replacing(rules, at: random.pick(leaves), with: .int(hostile))
            }
        }
        return rules
    }

    /// Paths (keys and indexes) of every integer in `value`.
    static func integerPaths(in value: JSONValue, prefix: [String] = []) -> [[String]] {
        switch value {
        case .int: return [prefix]
        case .object(let members): return members.sorted { $0.key < $1.key }.flatMap { integerPaths(in: $0.value, prefix: prefix + [$0.key]) }
        case .array(let elements): return elements.enumerated().flatMap { integerPaths(in: $0.element, prefix: prefix + ["\($0.offset)"]) }
        default: return []
        }
    }

    static func replacing(_ value: JSONValue, at path: [String], with new: JSONValue) -> JSONValue {
        guard let head = path.first else { return new }
        switch value {
        case .object(var members):
            members[head] = replacing(members[head] ?? .null, at: Array(path.dropFirst()), with: new)
            return .object(members)
        case .array(var elements):
            guard let i = Int(head), elements.indices.contains(i) else { return value }
            elements[i] = replacing(elements[i], at: Array(path.dropFirst()), with: new)
            return .array(elements)
        default:
            return value
        }
    }

    // MARK: Cursors

    /// A cursor tampered with: a character flipped, cut short, its JSON's numbers made huge or
    /// negative and its strings odd, or JSON of another shape altogether.
    public static func tamper(_ cursor: String, _ random: inout FuzzRandom) -> String {
        switch random.below(6) {
        case 0:
            var chars = Array(cursor)
            guard !chars.isEmpty else { return "A" }
            let i = random.below(chars.count)
            chars[i] = chars[i] == "A" ? "B" : "A"
            return String(chars)
        case 1:
            return String(cursor.prefix(max(0, cursor.count - 1 - random.below(max(1, cursor.count)))))
        case 2, 3:
            guard let data = Base64URL.decode(cursor), let json = JSONValue.parse(data) else { return cursor + "x" }
            var mutated = json
            let leaves = integerPaths(in: json)
            if random.chance(1, in: 2), case .object(var members) = json, members.values.contains(where: { $0.intValue != nil }) {
                // Every top-level count or position at once (rows done, offsets).
                for (key, value) in members where value.intValue != nil {
                    members[key] = .int(random.pick([Int64.max, Int64.min, -1, Int64.max - 1]))
                }
                return encode(.object(members))
            }
            if !leaves.isEmpty {
                for _ in 0..<(1 + random.below(2)) {
                    mutated = replacing(mutated, at: random.pick(leaves), with: .int(random.pick([Int64.max, Int64.min, -1, 0, 1 << 31, Int64.max - 1])))
                }
            }
            if random.chance(1, in: 3), case .object(var members) = mutated, let key = members.keys.sorted().first {
                members[key] = random.chance(1, in: 2) ? .string(random.pick(EdgeValues.nastyPieces + EdgeValues.malformedUUIDs)) : EdgeValues.anyValue(&random)
                mutated = .object(members)
            }
            return encode(mutated)
        case 4:
            let shapes: [JSONValue] = [
                ["rowsDone": .int(Int64.max)], ["rowsDone": .int(-1)], ["rowsDone": .int(Int64.min)], ["offset": .int(Int64.max)], [:], .array([]),
                .string("x"), .int(Int64.max), ["id": .string("00000000-0000-0000-0000-000000000000"), "name": "\u{0000}"],
            ]
            return encode(random.pick(shapes))
        default:
            return random.pick(["", "=", "!!!!", "AAAA", "e30", "W10", "bnVsbA", String(repeating: "A", count: 999)])
        }
    }

    static func encode(_ value: JSONValue) -> String {
        Base64URL.encode((try? WireJSON.encode(value)) ?? Data())
    }
}
