import CaseloadCore
import CaseloadProtocol
import CaseloadStorage
import Foundation
import PostgresNIO

extension CaseMethods {
    /// The change `case.advance` makes: to `target`, with its stage's data, the rules checked
    /// against the case's facts (those named in `override` may fail, recorded with its reason).
    static func advancing(to target: String, data raw: [String: RawFieldValue], override: Override?) -> ChangeFunction {
        { input in
            let kind = input.kind
            // The stage by id or by name (网上提交, "Submitted online").
            guard let targetStage = InputAliases.stage(target, of: kind) else {
                // A stage of no kind is a typo; one of another kind's (a bulk advance over mixed kinds) is not this kind's way.
                if InputAliases.stageIDs(target).isEmpty { throw InputAliases.unknownStage(target, of: kind, field: "to") }
                throw ValidationError(
                    field: "to", rule: "transition", message: "\(kind.displayName) has no stage \"\(target)\"",
                    zh: "\(kind.chineseName)没有“\(target)”这个阶段")
            }
            let data = try targetStage.parseData(raw)
            let advance = try CaseMachine.advance(input.current.state, kind: kind, to: targetStage.id, data: data, facts: facts(input), override: override)
            return Change(
                state: advance.state, data: .object(data.mapValues(json)),
                reason: advance.overridden.isEmpty ? nil : override?.reason, overrides: advance.overridden)
        }
    }

    /// Moving a case along its stages: advance, record, return, withdraw, hold, resume, note. Each goes through `mutate`.
    static var transitions: [RPCMethod] {
        [
            .define(
                "case.advance",
                summary: "Moves a case to a next stage with that stage's data. Refused, naming the rule, when a prerequisite fails; owners and managers may override named rules with a reason, which is recorded.",
                params: idVersion + [
                    .required("to", .string(maxLength: 50, minLength: 1), "Target stage: its id (see next_stages) or its Chinese or English name"),
                    .optional("data", .object([], additionalProperties: true), "The target stage's data, {field: value}"),
                    .optional("override", .object([
                        .required("rules", .array(.string(maxLength: 50), maxItems: 20), "Rule ids to override (from the refusal's data.errors[].rule)"),
                        .required("reason", .string(maxLength: 1000), "Why: stored in the history"),
                    ]), "Override failing rules"),
                ],
                result: caseSchema, errors: [.notFound, .validationFailed, .conflict, .forbidden], mutates: true
            ) { (params: AdvanceParams, context) -> JSONValue in
                let override = params.override.map { Override(rules: $0.rules, reason: $0.reason) }
                if override != nil { try requireOverridePermission(try context.principal()) }
                let change = try advancing(to: params.to, data: rawData(params.data), override: override)
                return try await mutate(context, id: params.id, version: params.version, action: "advance", change)
            },
            .define(
                "case.record",
                summary: "Records data on the current stage without moving (e.g. archive verified, education checked while in verification).",
                params: idVersion + [.required("data", .object([], additionalProperties: true), "The current stage's data, {field: value}")],
                result: caseSchema, errors: [.notFound, .validationFailed, .conflict], mutates: true
            ) { (params: RecordParams, context) -> JSONValue in
                let raw = try rawData(params.data)
                return try await mutate(context, id: params.id, version: params.version, action: "record") { input in
                    let data = try input.kind.stage(input.current.state.stage)?.parseData(raw) ?? [:]
                    return Change(state: try CaseMachine.record(input.current.state, kind: input.kind, data: data), data: .object(data.mapValues(json)))
                }
            },
            .define(
                "case.return",
                summary: "Returns (退回) a case to an earlier stage, with the reason the authority gave.",
                params: idVersion + [
                    .required("to", .string(maxLength: 50, minLength: 1), "An earlier stage: its id or its Chinese or English name"),
                    .required("reason", .string(maxLength: 1000), "Why it was returned"),
                ],
                result: caseSchema, errors: [.notFound, .validationFailed, .conflict], mutates: true
            ) { (params: ReturnParams, context) -> JSONValue in
                try await mutate(context, id: params.id, version: params.version, action: "return") { input in
                    guard let stage = InputAliases.stage(params.to, of: input.kind) else { throw InputAliases.unknownStage(params.to, of: input.kind, field: "to") }
                    return Change(
                        state: try CaseMachine.returnTo(input.current.state, kind: input.kind, stage: stage.id, reason: params.reason), reason: params.reason)
                }
            },
            .define(
                "case.withdraw", summary: "Withdraws a case (final).",
                params: idVersion + [.required("reason", .string(maxLength: 1000), "Why")],
                result: caseSchema, errors: [.notFound, .validationFailed, .conflict], mutates: true
            ) { (params: ReasonParams, context) -> JSONValue in
                try await mutate(context, id: params.id, version: params.version, action: "withdraw") { input in
                    Change(state: try CaseMachine.withdraw(input.current.state, reason: params.reason), reason: params.reason)
                }
            },
            .define(
                "case.hold", summary: "Puts a case on hold: it cannot advance until resumed.",
                params: idVersion + [.required("reason", .string(maxLength: 1000), "Why")],
                result: caseSchema, errors: [.notFound, .validationFailed, .conflict], mutates: true
            ) { (params: ReasonParams, context) -> JSONValue in
                try await mutate(context, id: params.id, version: params.version, action: "hold") { input in
                    Change(state: try CaseMachine.hold(input.current.state, reason: params.reason), reason: params.reason)
                }
            },
            .define(
                "case.resume", summary: "Resumes a case that was on hold.",
                params: idVersion, result: caseSchema, errors: [.notFound, .validationFailed, .conflict], mutates: true
            ) { (params: VersionParams, context) -> JSONValue in
                try await mutate(context, id: params.id, version: params.version, action: "resume") { input in
                    Change(state: try CaseMachine.resume(input.current.state))
                }
            },
            .define(
                "case.note", summary: "Adds a note to a case's history (no version needed: notes never conflict).",
                params: [.id(.case, "Case id"), .required("text", .string(maxLength: 4000, minLength: 1), "The note")],
                result: caseSchema, errors: [.notFound], mutates: true
            ) { (params: NoteParams, context) -> JSONValue in
                try await mutate(context, id: params.id, version: nil, action: "note") { input in
                    Change(state: input.current.state, reason: params.text)
                }
            },
        ]
    }
}
