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
            BulkOutput.results(result, extra: ["阶段 STAGE": "stage"])
            print("advanced \(Output.text(result["advanced"]))")
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
            print("done \(Output.text(result["done"]))")
        }
    }
}

enum BulkOutput {
    /// A bulk call's per-item results: id, result, the refusal's rules, and any `extra` columns.
    static func results(_ result: JSONValue, extra: KeyValuePairs<String, String>) {
        let t = Output.text
        Output.table(
            ["ID", "结果 RESULT"] + extra.map(\.key) + ["原因 WHY"],
            (result["results"]?.arrayValue ?? []).map { r in
                let why = (r["errors"]?.arrayValue ?? []).map { "\(t($0["rule"])): \(t($0["message"]))" }.joined(separator: "; ")
                return [Labels.short(r["id"]), t(r["result"])] + extra.map { t(r[$0.value]) } + [why]
            })
    }
}
