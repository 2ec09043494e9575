import CaseloadProtocol

/// Who a connection acts for: an agency's user of some role, or nobody (not logged in).
public struct FuzzSession: Sendable, Hashable, CustomStringConvertible {
    public var agency: FuzzAgency?
    public var role: String?
    public var token: String?

    public static let anonymous = FuzzSession(agency: nil, role: nil, token: nil)

    public var description: String {
        guard let role else { return "not logged in" }
        guard let agency else { return role }
        return "\(role) of agency \(agency.rawValue)"
    }
}

/// A broken rule: `key` groups findings of one kind (the same bug hit again), `description`
/// says what was sent and what came back.
public struct Violation: Sendable {
    public var key: String
    public var description: String
}

/// Judges one reply against what `rpc.discover` documents and what the fuzzer knows:
///
/// - an error's code is one of the method's documented `errors`, and never `internal_error`;
/// - without a login, a method that needs one answers `unauthenticated`;
/// - a role not in the method's `x-roles` gets `forbidden`;
/// - a result never shows an id that only the other agency's replies have shown (a leak);
/// - another agency's id in the params is `not_found` (or `forbidden`, or refused as
///   invalid), never a `conflict` from a constraint (a foreign key the database caught).
public enum SemanticOracle {
    public static let internalError = -32603
    public static let unauthenticated = -32001
    public static let forbidden = -32002
    public static let conflict = -32004

    public static func check(_ call: PlannedCall, session: FuzzSession, outcome: Result<JSONValue, RPCError>, pool: IDPool) -> [Violation] {
        let method = call.method
        var found: [Violation] = []
        func violation(_ kind: String, _ what: String) {
            found.append(
                Violation(
                    key: "\(kind) \(method.name)",
                    description: "\(method.name) as \(session) (\(call.mode)): \(what); params \(call.paramsDescription()); reply \(describe(outcome))"))
        }
        switch outcome {
        case .failure(let error):
            if error.code == internalError {
                let traits = traits(of: call.params)
                violation("internal_error" + (traits.isEmpty ? "" : " [\(traits.joined(separator: ", "))]"), "answered internal_error (-32603)")
            } else if !method.errorCodes.contains(error.code) {
                violation("undocumented_error(\(error.code))", "answered error \(error.code), which its documented errors do not list")
            }
        case .success:
            break
        }
        if method.requiresLogin {
            if session.role == nil {
                if (try? outcome.get()) != nil || outcome.errorCode != unauthenticated {
                    violation("no_login", "needs a login but did not answer unauthenticated")
                }
            } else if let role = session.role, !method.roles.contains(role) {
                if outcome.errorCode != forbidden { violation("role(\(role))", "\(role) is not in x-roles but did not get forbidden") }
            }
        }
        if case .success(let result) = outcome, let agency = session.agency {
            let leaked = IDPool.uuids(in: result).filter { pool.agencies(of: $0) == [agency.other] }
            if !leaked.isEmpty {
                violation("leak", "the result shows \(leaked.count) id(s) seen only in agency \(agency.other.rawValue)'s replies: \(leaked.sorted().prefix(3))")
            }
        }
        if !call.foreign.isEmpty, case .failure(let error) = outcome, error.code == conflict,
            error.data?["current_version"] == nil, !error.fieldRules.contains(where: { $0.rule == "same_params" })
        {
            violation("foreign_id_conflict", "another agency's id in \(call.foreign) answered conflict instead of not_found")
        }
        return found
    }

    /// What is unusual about some params (NUL, clusters of many scalars, huge numbers, dates
    /// at the calendar's ends…): findings of one method with other traits are told apart.
    public static func traits(of params: JSONValue?) -> [String] {
        var found: Set<String> = []
        func visit(_ value: JSONValue) {
            switch value {
            case .string(let s):
                if s.utf8.contains(0) { found.insert("NUL") }
                if s.unicodeScalars.count > s.count, s.unicodeScalars.count > 16 { found.insert("more scalars than characters") }
                if s.utf8.count > 10_000 { found.insert("long string") }
                if s.count == 10 || s.count == 20 || s.count > 19, let year = Int(s.prefix(4)), s.dropFirst(4).first == "-",
                    year < 1900 || year > 2100
                {
                    found.insert("date in year \(year)")
                }
            case .int(let n) where n.magnitude >= 1 << 31: found.insert("huge integer")
            case .int(let n) where n < 0: found.insert("negative integer")
            case .array(let elements): elements.forEach(visit)
            case .object(let members): members.values.forEach(visit)
            default: break
            }
        }
        params.map(visit)
        return found.sorted()
    }

    /// A reply for reports, cut to a few hundred bytes.
    public static func describe(_ outcome: Result<JSONValue, RPCError>) -> String {
        switch outcome {
        case .success(let value): return "result " + JSONText.short(value, limit: 200)
        case .failure(let error):
            var text = "error \(error.code) \"\(error.message)\""
            if let data = error.data { text += " data " + JSONText.short(data, limit: 200) }
            return text
        }
    }
}

extension Result where Success == JSONValue, Failure == RPCError {
    /// The error's code, nil for a result.
    var errorCode: Int? {
        if case .failure(let e) = self { return e.code }
        return nil
    }

    /// "result" or the error's code, for counting outcomes.
    var outcomeName: String {
        switch self {
        case .success: "result"
        case .failure(let e): String(e.code)
        }
    }
}
