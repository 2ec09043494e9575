import CaseloadProtocol

/// Narrows a call that shows a bug down to the params that matter: each optional param is
/// dropped and each required one given another plausible value in turn; a change after which
/// the bug still shows is kept, one after which it is gone marks that param as essential.
///
/// Replays change records too, so a trial refused with `conflict` is tried once more: with
/// the current version the conflict names, or (a duplicate key) with fresh values for the
/// required text params (an ID number already taken by the previous replay).
enum ParamNarrower {
    /// What one trial showed.
    enum Trial {
        case reproduced
        /// The bug did not show; the reply's error, if there was one.
        case gone(RPCError?)
    }

    /// The smallest params found that still `reproduce` the bug, and the essential ones (with
    /// their values); nil when `confirmFirst` and the call as it was does not reproduce it.
    /// Spends at most `trials` calls of `reproduces`.
    static func narrow(
        _ call: PlannedCall, session: FuzzSession, trials: inout Int, confirmFirst: Bool, generator: inout CallGenerator, _ random: inout FuzzRandom,
        reproduces: (PlannedCall) async throws -> Trial
    ) async rethrows -> (minimal: JSONValue?, essential: [String: JSONValue])? {
        guard var members = call.params?.objectValue else {
            if confirmFirst, case .gone = try await reproduces(call) { return nil }
            return (call.params, [:])
        }
        /// One trial with `params`, retried once after a conflict; the params that ran last.
        func attempt(_ params: [String: JSONValue]) async throws -> (Trial, [String: JSONValue]) {
            var params = params
            var changed = call
            changed.params = .object(params)
            trials -= 1
            let outcome = try await reproduces(changed)
            guard case .gone(let error?) = outcome, error.code == SemanticOracle.conflict, trials > 0 else { return (outcome, params) }
            if let current = error.data?["current_version"], params["version"] != nil {
                params["version"] = current
            } else {
                // A duplicate (an earlier trial that passed created the record).
                for spec in call.method.params where spec.required && params[spec.name] != nil {
                    if case .string(_, _, nil, nil) = spec.schema.nonNull {
                        params[spec.name] = generator.plausibleValue(
                            for: spec, of: call.method, agency: session.agency ?? .a, role: session.role ?? "owner", &random)
                    }
                }
            }
            changed.params = .object(params)
            trials -= 1
            return (try await reproduces(changed), params)
        }

        if confirmFirst {
            let (outcome, ran) = try await attempt(members)
            guard case .reproduced = outcome else { return nil }
            members = ran
        }
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
            let (outcome, ran) = try await attempt(trial)
            if case .reproduced = outcome {
                members = ran
            } else {
                essential[key] = value
                // Keep what the retry learnt (the current version), not the dropped param.
                for (name, v) in ran where name != key && members[name] != nil { members[name] = v }
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
