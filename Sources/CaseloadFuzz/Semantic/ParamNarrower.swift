import CaseloadProtocol

/// Narrows a call that shows a bug down to the params that matter: each optional param is
/// dropped and each required one given another plausible value in turn; a change after which
/// the bug still shows is kept, one after which it is gone marks that param as essential.
enum ParamNarrower {
    /// What one trial showed.
    enum Trial {
        case reproduced
        /// The bug did not show; the reply, if there was one (a stale version's conflict is
        /// retried with the current version: the replays themselves change records).
        case gone(RPCError?)
    }

    /// The smallest params found that still `reproduce` the bug, and the essential ones (with
    /// their values). Spends at most `trials` calls of `reproduces`.
    static func narrow(
        _ call: PlannedCall, session: FuzzSession, trials: inout Int, generator: inout CallGenerator, _ random: inout FuzzRandom,
        reproduces: (PlannedCall) async throws -> Trial
    ) async rethrows -> (minimal: JSONValue?, essential: [String: JSONValue]) {
        guard var members = call.params?.objectValue else { return (call.params, [:]) }
        var essential: [String: JSONValue] = [:]
        // Optional params first: dropping one is the cheaper, clearer test.
        let required = Set(call.method.params.filter(\.required).map(\.name))
        for key in members.keys.sorted(by: { (required.contains($0) ? 1 : 0, $0) < (required.contains($1) ? 1 : 0, $1) }) {
            guard let value = members[key] else { continue }
            guard trials > 0 else {
                essential[key] = value
                continue
            }
            var trial = members
            if let spec = call.method.params.first(where: { $0.name == key }), spec.required {
                let replacement = generator.plausibleValue(
                    for: spec, of: call.method, agency: session.agency ?? .a, role: session.role ?? "owner", &random)
                if replacement == value {
                    essential[key] = value
                    continue
                }
                trial[key] = replacement
            } else {
                trial[key] = nil
            }
            trials -= 1
            var changed = call
            changed.params = .object(trial)
            var outcome = try await reproduces(changed)
            if case .gone(let error?) = outcome, let current = error.data?["current_version"], trial["version"] != nil, trials > 0 {
                trials -= 1
                trial["version"] = current
                members["version"] = current
                changed.params = .object(trial)
                outcome = try await reproduces(changed)
            }
            if case .reproduced = outcome {
                members = trial
            } else {
                essential[key] = value
            }
        }
        return (.object(members), essential)
    }

    /// The essential params for a finding's key: their names, with what is odd about each.
    static func signature(_ essential: [String: JSONValue]) -> String {
        guard !essential.isEmpty else { return "any params" }
        return essential.keys.sorted().map { key in
            let traits = SemanticOracle.traits(of: essential[key])
            return traits.isEmpty ? key : "\(key): \(traits.joined(separator: ", "))"
        }.joined(separator: "; ")
    }
}
