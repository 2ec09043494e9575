import ArgumentParser
import CaseloadProtocol
import Foundation

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Your API tokens (owners: anyone's): create, list, revoke.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    static func table(_ tokens: [JSONValue]) {
        let t = Output.text
        Output.table(
            ["ID", L(en: "USER", zh: "用户"), L(en: "LABEL", zh: "标签"), L(en: "CREATED", zh: "创建"), L(en: "EXPIRES", zh: "到期"), L(en: "REVOKED", zh: "吊销")],
            tokens.map {
                [t($0["id"]), t($0["user_id"]), t($0["label"]), Labels.time($0["created_at"]), Labels.time($0["expires_at"]), Labels.time($0["revoked_at"])]
            })
    }

    struct Create: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "Create a token; prints the secret once.")
        @OptionGroup var options: ClientOptions
        @Option(help: "What it is for.") var label: String?
        @Option(help: "Lifetime in days (default 90).") var days: Int?
        @Option(help: "Owners: another user's id.") var user: String?

        func execute() async throws {
            var params: [String: JSONValue] = [:]
            params["label"] = label.map(JSONValue.string)
            params["expires_in_days"] = days.map { .int(Int64($0)) }
            params["user_id"] = try await options.user(user)
            let result = try await options.withClient { try await $0.call("token.create", .object(params)) }
            if options.json { return Output.json(result) }
            TokenCommand.table([result["info"] ?? .null])
            print("\n" + L(en: "Token (shown once):", zh: "令牌（只显示这一次）：") + "\n" + Output.text(result["token"]))
        }
    }

    struct List: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never their secrets).")
        @OptionGroup var options: ClientOptions
        @Option(help: "Owners: only this user's.") var user: String?

        func execute() async throws {
            let params: JSONValue = user.map { ["user_id": .string($0)] } ?? [:]
            let tokens = try await options.withClient { try await $0.call("token.list", params)["tokens"] ?? [] }
            if options.json { return Output.json(tokens) }
            TokenCommand.table(tokens.arrayValue ?? [])
        }
    }

    struct Revoke: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token at once.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Token id (from `caseload token list`).") var id: String

        func execute() async throws {
            let token = try await options.withClient { try await $0.call("token.revoke", ["id": .string(id)]) }
            if options.json { return Output.json(token) }
            TokenCommand.table([token])
        }
    }
}
