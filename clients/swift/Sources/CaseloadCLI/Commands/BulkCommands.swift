import ArgumentParser
import CaseloadProtocol
import Foundation

/// Bulk work as single server calls (one transaction each), with a line per item.
extension CaseCommand {
    struct AdvanceMany: ClientCommand {
        static let configuration = CommandConfiguration(
            commandName: "advance-many",
            abstract: "Move several cases to the same stage at once: each is advanced, already there, or refused naming its rule.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Case ids (or their first characters), at most 200.") var ids: [String]
        @Option(help: "Target stage id.") var to: String
        @Option(help: ArgumentHelp(StageData.help)) var data: [String] = []

        func execute() async throws {
            let params: JSONValue = ["ids": .array(ids.map(JSONValue.string)), "to": .string(to), "data": .object(try StageData.parse(data))]
            let result = try await options.withClient { try await $0.call("case.advance_many", params) }
            if options.json { return Output.json(result) }
            BulkOutput.results(result, extra: [L(en: "STAGE", zh: "阶段"): "stage"])
            print(L(en: "advanced ", zh: "已推进 ") + Output.text(result["advanced"]))
        }
    }
}

extension DeadlineCommand {
    struct DoneMany: ClientCommand {
        static let configuration = CommandConfiguration(
            commandName: "done-many", abstract: "Mark several deadlines done at once (again changes nothing).")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Deadline ids (or their first characters), at most 200.") var ids: [String]
        @Option(help: "A note, kept with each deadline.") var note: String?

        func execute() async throws {
            var params: [String: JSONValue] = ["ids": .array(ids.map(JSONValue.string))]
            params["reason"] = note.map(JSONValue.string)
            let result = try await options.withClient { try await $0.call("deadline.done_many", .object(params)) }
            if options.json { return Output.json(result) }
            BulkOutput.results(result, extra: [:])
            print(L(en: "done ", zh: "已完成 ") + Output.text(result["done"]))
        }
    }
}

enum BulkOutput {
    /// A bulk call's per-item results: id, result, the refusal's rules, and any `extra` columns.
    /// The per-item results by name (the protocol's value in English).
    static var resultNames: [String: String] {
        Language.current == .en ? [:] : ["advanced": "已推进", "already_there": "已在该阶段", "refused": "被拒绝", "done": "已完成", "already_done": "早已完成"]
    }

    static func results(_ result: JSONValue, extra: KeyValuePairs<String, String>) {
        let t = Output.text
        Output.table(
            ["ID", L(en: "RESULT", zh: "结果")] + extra.map(\.key) + [L(en: "WHY", zh: "原因")],
            (result["results"]?.arrayValue ?? []).map { r in
                let why = (r["errors"]?.arrayValue ?? []).map { "\(t($0["rule"])): \(t($0["message"]))" }.joined(separator: "; ")
                return [Labels.short(r["id"]), Labels.named(r["result"], resultNames)] + extra.map { t(r[$0.value]) } + [why]
            })
    }
}
