import ArgumentParser
import CaseloadProtocol
import Foundation

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "The agency's users: list them; owners add users and change roles.",
        subcommands: [List.self, Create.self, Update.self]
    )

    static func table(_ users: [JSONValue]) {
        let t = Output.text
        Output.table(["ID", L(en: "NAME", zh: "姓名"), L(en: "ROLE", zh: "角色"), L(en: "COMPANY", zh: "公司")], users.map { [t($0["id"]), t($0["name"]), Labels.named($0["role"], ServerLabels.names("role")), t($0["company_id"])] })
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

    struct Create: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a user (owner only); prints their first token once.",
            discussion: "Roles: owner, manager, consultant, viewer, client. A client is a company's HR contact and needs --company.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The user's name.") var name: String
        @Option(help: "owner, manager, consultant, viewer or client.") var role: String
        @Option(help: "For a client: their company's id.") var company: String?
        @Option(help: "The token's lifetime in days (default 90).") var tokenDays: Int?

        func execute() async throws {
            var params: [String: JSONValue] = ["name": .string(name), "role": .string(role)]
            params["company_id"] = try await options.company(company)
            params["token_expires_in_days"] = tokenDays.map { .int(Int64($0)) }
            let result = try await options.withClient { try await $0.call("user.create", .object(params)) }
            if options.json { return Output.json(result) }
            UserCommand.table([result["user"] ?? .null])
            print("\n" + L(en: "Token (shown once; give it to \(name) now):", zh: "令牌（只显示这一次；现在交给 \(name)）：") + "\n" + Output.text(result["token"]))
        }
    }

    struct Update: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "Rename a user or change their role (owner only).")
        @OptionGroup var options: ClientOptions
        @Argument(help: "User id.") var id: String
        @Option(help: "New name.") var name: String?
        @Option(help: "New role.") var role: String?
        @Option(help: "A client's company id.") var company: String?
        @OptionGroup var expected: VersionOption

        func execute() async throws {
            var params: [String: JSONValue] = ["id": .string(id)]
            params["name"] = name.map(JSONValue.string)
            params["role"] = role.map(JSONValue.string)
            params["company_id"] = try await options.company(company)
            let user = try await options.change("user.update", params, version: expected.version) { [id] in
                try await $0.call("user.list")["users"]?.arrayValue?.first { $0["id"]?.stringValue == id.lowercased() }?["version"]
            }
            if options.json { return Output.json(user) }
            UserCommand.table([user])
        }
    }
}
