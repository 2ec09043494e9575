import ArgumentParser
import CaseloadProtocol
import Foundation

struct SettingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings",
        abstract: "The agency's settings.",
        subcommands: [Show.self, Set.self],
        defaultSubcommand: Show.self
    )

    static func show(_ s: JSONValue, json: Bool) {
        if json { return Output.json(s) }
        // true/false, as `settings set --auto-open-renewals` takes it, in either language.
        Output.record([(L(en: "auto_open_renewals", zh: "自动开立续办"), Output.text(s["auto_open_renewals"]?.boolValue.map { .string(String($0)) }))])
    }

    struct Show: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "The agency's settings (the default subcommand).")
        @OptionGroup var options: ClientOptions

        func execute() async throws {
            let settings = try await options.withClient { try await $0.call("settings.get") }
            SettingsCommand.show(settings, json: options.json)
        }
    }

    struct Set: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "Change the agency's settings (owner or manager).")
        @OptionGroup var options: ClientOptions
        @Option(help: ArgumentHelp(
            "true: open a renewal case automatically at the first reminder before a permit expires (once per expiry).", valueName: "true|false"))
        var autoOpenRenewals: Bool

        func execute() async throws {
            let settings = try await options.withClient { try await $0.call("settings.set", ["auto_open_renewals": .bool(autoOpenRenewals)]) }
            SettingsCommand.show(settings, json: options.json)
        }
    }
}
