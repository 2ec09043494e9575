import ArgumentParser
import CaseloadProtocol
import Foundation

/// `caseload notice CASE`: the message for a case's next step, ready to paste.
struct NoticeCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        commandName: "notice",
        abstract: "The Chinese message for a case's next step (what to bring, where, by when), ready to paste into WeChat or mail.",
        discussion: "Prints the text only; --json prints it with its audience, step and whose template it came from. Templates: caseload notice-template.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Case id (or its first characters).") var id: String
    @Option(help: "applicant (default) or hr, the employer's HR officer.") var to: String?

    func execute() async throws {
        var params: [String: JSONValue] = ["id": .string(id)]
        params["audience"] = to.map(JSONValue.string)
        let notice = try await options.withClient { try await $0.call("case.notice", .object(params)) }
        if options.json { return Output.json(notice) }
        print(Output.text(notice["text"]))
    }
}

/// The agency's own notice texts (managers).
struct NoticeTemplateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notice-template",
        abstract: "The texts `caseload notice` uses: list them, set the agency's own, or reset to the built-in one.",
        subcommands: [List.self, Set.self, Reset.self])

    struct List: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "Every template (the agency's own or the built-in one) and the placeholders.")
        @OptionGroup var options: ClientOptions
        @Option(help: "Only this case kind, e.g. points_new.") var kind: String?

        func execute() async throws {
            var params: [String: JSONValue] = [:]
            params["case_kind"] = kind.map(JSONValue.string)
            let result = try await options.withClient { try await $0.call("notice.list_templates", .object(params)) }
            if options.json { return Output.json(result) }
            for t in result["templates"]?.arrayValue ?? [] {
                let t2 = Output.text
                print("== \(t2(t["case_kind"])) \(t2(t["step"])) (\(t2(t["step_name_zh"]))) \(t2(t["audience"])) [\(t2(t["source"]))]")
                print(t2(t["body"]))
                print("")
            }
        }
    }

    struct Set: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "Store the agency's own text for a kind, step and audience.")
        @OptionGroup var options: ClientOptions
        @Option(help: "Case kind, e.g. points_new.") var kind: String
        @Option(help: "The step (the stage the case moves to next), e.g. materials_delivered.") var step: String
        @Option(help: "applicant or hr.") var to: String
        @Option(help: "The text, with {placeholders} (see `notice-template list`); - reads standard input.") var body: String

        func execute() async throws {
            let text = body == "-" ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) : body
            let params: JSONValue = ["case_kind": .string(kind), "step": .string(step), "audience": .string(to), "body": .string(text)]
            let t = try await options.withClient { try await $0.call("notice.set_template", params) }
            if options.json { return Output.json(t) }
            let what = "\(Output.text(t["case_kind"])) \(Output.text(t["step"])) \(Output.text(t["audience"]))"
            print(L(en: "saved \(what)", zh: "已保存 \(what)"))
        }
    }

    struct Reset: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "Remove the agency's own text: the built-in one applies again.")
        @OptionGroup var options: ClientOptions
        @Option(help: "Case kind.") var kind: String
        @Option(help: "The step.") var step: String
        @Option(help: "applicant or hr.") var to: String

        func execute() async throws {
            let params: JSONValue = ["case_kind": .string(kind), "step": .string(step), "audience": .string(to)]
            let t = try await options.withClient { try await $0.call("notice.reset_template", params) }
            if options.json { return Output.json(t) }
            let what = "\(Output.text(t["case_kind"])) \(Output.text(t["step"])) \(Output.text(t["audience"]))"
            print(L(en: "reset \(what): the built-in text applies", zh: "已恢复默认 \(what)"))
        }
    }
}
