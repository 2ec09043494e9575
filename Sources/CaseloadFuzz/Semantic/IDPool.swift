import CaseloadProtocol
import Foundation
import Synchronization

/// Which of the fuzzer's two agencies a connection acts for.
public enum FuzzAgency: String, Sendable, CaseIterable, Hashable {
    case a = "A"
    case b = "B"

    public var other: FuzzAgency { self == .a ? .b : .a }
}

/// Where a pagination cursor came from: the method, agency and role it was issued to.
public struct CursorOrigin: Hashable, Sendable {
    public var method: String
    public var agency: FuzzAgency
    public var role: String
}

/// Everything the fuzzer has learnt from the server's replies, for filling params with real
/// values: ids by entity kind and agency, the latest `version` of each record, the cursors
/// issued, short strings by field name (stage ids, location codes, rule names), tokens,
/// and points rules versions.
///
/// Shared by every connection (thread-safe); every list is bounded, oldest entries dropped.
public final class IDPool: Sendable {
    struct State {
        var ids: [FuzzAgency: [String: BoundedList<String>]] = [:]
        /// Which agencies' replies showed each id (lower-cased).
        var seenIn: [String: Set<FuzzAgency>] = [:]
        var versions: [String: Int64] = [:]
        /// What the latest reply said of a record (stage, next stages, kind, status).
        var facts: [String: [String: JSONValue]] = [:]
        var cursors: [CursorOrigin: BoundedList<String>] = [:]
        var strings: [FuzzAgency: [String: BoundedList<String>]] = [:]
        var tokens = BoundedList<String>(limit: 200)
        var rules = BoundedList<JSONValue>(limit: 20)
        var protected: Set<String> = []
    }

    private let state = Mutex(State())

    public init() {}

    /// Field names whose short string values are kept (for params of the same meaning).
    static let keptStrings: Set<String> = [
        "stage", "next_stages", "code", "rule", "receipt_number", "document_type", "kind", "version", "credit_code", "org_code",
    ]
    /// Fields kept per record, for calls that depend on its state (`case.advance`'s `to`).
    static let factKeys: Set<String> = ["stage", "next_stages", "kind", "status", "holder"]

    // MARK: Learning

    /// Records everything in a result of `method` on a connection of `agency` (as `role`).
    public func harvest(_ result: JSONValue, method: String, agency: FuzzAgency, role: String) {
        let context = Self.kind(ofPrefix: String(method.prefix { $0 != "." }))
        state.withLock { s in
            Self.walk(result, kind: context, agency: agency, into: &s)
            if method == "points.rules.list" {
                for version in result["versions"]?.arrayValue ?? [] where version.objectValue != nil { s.rules.append(version) }
            }
            if let cursor = result["next_cursor"]?.stringValue {
                s.cursors[CursorOrigin(method: method, agency: agency, role: role), default: BoundedList(limit: 50)].append(cursor)
            }
        }
    }

    /// Adds one id of a known kind (e.g. from a setup step).
    public func add(_ id: String, kind: String, agency: FuzzAgency) {
        state.withLock { Self.add(id, kind: kind, agency: agency, into: &$0) }
    }

    /// Ids the fuzzer itself depends on (its users, their tokens): never revoked or changed.
    public func protect(_ ids: [String]) {
        state.withLock { s in for id in ids { s.protected.insert(id.lowercased()) } }
    }

    public func addToken(_ token: String) {
        state.withLock { $0.tokens.append(token) }
    }

    private static func add(_ id: String, kind: String, agency: FuzzAgency, into s: inout State) {
        let id = id.lowercased()
        s.ids[agency, default: [:]][kind, default: BoundedList(limit: 400)].append(id)
        s.ids[agency, default: [:]]["any", default: BoundedList(limit: 1000)].append(id)
        s.seenIn[id, default: []].insert(agency)
    }

    private static func walk(_ value: JSONValue, kind: String, agency: FuzzAgency, into s: inout State) {
        switch value {
        case .array(let elements):
            for e in elements { walk(e, kind: kind, agency: agency, into: &s) }
        case .object(let members):
            if let id = members["id"]?.stringValue, isUUID(id) {
                add(id, kind: kind, agency: agency, into: &s)
                if let version = members["version"]?.intValue { s.versions[id.lowercased()] = version }
                let facts = members.filter { factKeys.contains($0.key) }
                if !facts.isEmpty { s.facts[id.lowercased(), default: [:]].merge(facts) { $1 } }
                if let role = members["role"]?.stringValue, kind == "user" { add(id, kind: "user:" + role, agency: agency, into: &s) }
            }
            if kind == "archive", let applicant = members["applicant_id"]?.stringValue, let version = members["version"]?.intValue {
                s.versions["archive:" + applicant.lowercased()] = version
            }
            for (key, member) in members where key != "id" {
                switch member {
                case .string(let text):
                    if key.hasSuffix("_id"), isUUID(text) {
                        add(text, kind: Self.kind(ofIDParam: key) ?? "other", agency: agency, into: &s)
                    } else if key == "token", text.hasPrefix("cl_") {
                        s.tokens.append(text)
                    } else if keptStrings.contains(key), text.utf8.count <= 64 {
                        s.strings[agency, default: [:]][key, default: BoundedList(limit: 100)].append(text)
                    } else if isUUID(text) {
                        add(text, kind: "other", agency: agency, into: &s)
                    }
                case .array(let elements) where keptStrings.contains(key):
                    for case .string(let text) in elements where text.utf8.count <= 64 {
                        s.strings[agency, default: [:]][key, default: BoundedList(limit: 100)].append(text)
                    }
                case .array, .object:
                    walk(member, kind: Self.kind(ofContainer: key) ?? "other", agency: agency, into: &s)
                default:
                    break
                }
            }
        default:
            break
        }
    }

    // MARK: Kinds

    /// The entity a method prefix is about (`case` → case), for the `id` in its results.
    static func kind(ofPrefix prefix: String) -> String {
        switch prefix {
        case "watch": "subscription"
        case "auth": "user"
        default: prefix
        }
    }

    /// The entity a key holding objects names (`cases` → case, `consultants` → user).
    static func kind(ofContainer key: String) -> String? {
        switch key {
        case "company", "companies": "company"
        case "applicant", "applicants": "applicant"
        case "case", "cases": "case"
        case "document", "documents": "document"
        case "deadline", "deadlines": "deadline"
        case "user", "users", "consultant", "consultants": "user"
        case "token", "tokens": "token"
        case "location", "locations": "location"
        case "archive": "archive"
        default: nil
        }
    }

    /// The entity an `…_id` param or field names (`consultant_id` → user).
    public static func kind(ofIDParam name: String) -> String? {
        guard name.hasSuffix("_id") else { return nil }
        let stem = String(name.dropLast(3))
        switch stem {
        case "consultant": return "user:consultant"
        case "entity": return "any"
        default: return stem
        }
    }

    static func isUUID(_ text: String) -> Bool { text.utf8.count == 36 && UUID(uuidString: text) != nil }

    /// Every uuid anywhere in `value` (lower-cased).
    public static func uuids(in value: JSONValue) -> Set<String> {
        var found: Set<String> = []
        func visit(_ v: JSONValue) {
            switch v {
            case .string(let s) where isUUID(s): found.insert(s.lowercased())
            case .array(let a): a.forEach(visit)
            case .object(let o): o.values.forEach(visit)
            default: break
            }
        }
        visit(value)
        return found
    }

    // MARK: Drawing

    /// An id of `kind` seen by `agency` (any kind if none of that one yet), never a protected
    /// one when `unprotected`; mostly one whose last seen state satisfies `prefer`, if any does.
    public func pick(
        kind: String, agency: FuzzAgency, unprotected: Bool = false, prefer: (([String: JSONValue]) -> Bool)? = nil,
        using random: inout FuzzRandom
    ) -> String? {
        state.withLock { s in
            let byKind = s.ids[agency] ?? [:]
            var candidates = byKind[kind]?.items ?? []
            if candidates.isEmpty, kind.hasPrefix("user:") { candidates = byKind["user"]?.items ?? [] }
            if candidates.isEmpty { candidates = byKind["any"]?.items ?? [] }
            if unprotected { candidates = candidates.filter { !s.protected.contains($0) } }
            if let prefer, random.chance(7, in: 10) {
                let preferred = candidates.filter { prefer(s.facts[$0] ?? [:]) }
                if !preferred.isEmpty { return random.pick(preferred) }
            }
            return candidates.isEmpty ? nil : random.pick(candidates)
        }
    }

    /// The agencies whose replies showed `id`.
    public func agencies(of id: String) -> Set<FuzzAgency> {
        state.withLock { $0.seenIn[id.lowercased()] ?? [] }
    }

    /// What the latest reply said of record `id`: its stage, next stages, kind and status.
    public func facts(of id: String) -> [String: JSONValue] {
        state.withLock { $0.facts[id.lowercased()] ?? [:] }
    }

    public func version(of key: String) -> Int64? {
        state.withLock { $0.versions[key.lowercased()] }
    }

    /// Any version number seen (for a version param whose record is unknown).
    public func anyVersion(using random: inout FuzzRandom) -> Int64? {
        state.withLock { s in s.versions.isEmpty ? nil : s.versions.values.randomElement(using: &random) }
    }

    /// Cursors issued, with where they came from.
    public func cursors() -> [(origin: CursorOrigin, cursor: String)] {
        state.withLock { s in s.cursors.flatMap { origin, list in list.items.map { (origin, $0) } } }
    }

    public func strings(for key: String, agency: FuzzAgency) -> [String] {
        state.withLock { $0.strings[agency]?[key]?.items ?? [] }
    }

    public var tokens: [String] { state.withLock { $0.tokens.items } }
    public var rulesVersions: [JSONValue] { state.withLock { $0.rules.items } }

    public func isProtected(_ id: String) -> Bool { state.withLock { $0.protected.contains(id.lowercased()) } }

    /// How many distinct ids each agency's replies showed.
    public var counts: [FuzzAgency: Int] {
        state.withLock { s in s.ids.mapValues { $0["any"]?.items.count ?? 0 } }
    }
}

/// A list that keeps its newest `limit` distinct items.
struct BoundedList<Element: Hashable & Sendable>: Sendable {
    let limit: Int
    private(set) var items: [Element] = []
    private var members: Set<Element> = []

    init(limit: Int) { self.limit = limit }

    mutating func append(_ item: Element) {
        guard !members.contains(item) else { return }
        items.append(item)
        members.insert(item)
        if items.count > limit { members.remove(items.removeFirst()) }
    }
}
