import ArgumentParser
import CaseloadProtocol
import Foundation

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "The agency's users (for consultant ids).",
        subcommands: [List.self]
    )

    static func table(_ users: [JSONValue]) {
        let t = Output.text
        Output.table(["ID", "姓名 NAME", "角色 ROLE"], users.map { [t($0["id"]), t($0["name"]), t($0["role"])] })
    }

    struct List: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "List the agency's users.")
        @OptionGroup var options: ClientOptions

        func execute() async throws {
            let users = try await options.withClient { try await $0.call("user.list")["users"] ?? [] }
            if options.json { return Output.json(users) }
            UserCommand.table(users.arrayValue ?? [])
        }
    }
}
