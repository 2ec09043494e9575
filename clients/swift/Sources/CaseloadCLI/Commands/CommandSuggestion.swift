import ArgumentParser
import CaseloadCore

/// "Did you mean": an unknown subcommand (`caseload compnay`, `caseload case lsit`) is
/// refused naming the nearest one, before ArgumentParser's generic error. The arguments are
/// walked down the command tree by the names and aliases each command declares.
public enum CommandSuggestion {
    /// The refusal for `arguments` (without the program name) when a word where a subcommand
    /// must be names none; nil when the words name commands (or options and arguments follow).
    public static func refusal(for arguments: [String], root: ParsableCommand.Type = CaseloadCommand.self) -> String? {
        var command = root
        for word in arguments {
            // Options end the walk: what follows belongs to the command reached.
            if word.hasPrefix("-") { return nil }
            let subcommands = command.configuration.subcommands
            // A leaf takes the word as an argument; a group with a default subcommand may too.
            guard !subcommands.isEmpty, command.configuration.defaultSubcommand == nil else { return nil }
            if word == "help" { return nil }
            guard let next = subcommands.first(where: { names(of: $0).contains(word) }) else {
                let candidates = subcommands.flatMap(names(of:))
                let path = commandPath(root, arguments, upTo: word)
                let hint = Language.current == .zh
                    ? Suggestion.hintZh(for: word, among: candidates) : Suggestion.hint(for: word, among: candidates)
                return L(
                    en: "unknown command '\(word)' for '\(path)'\(hint); see `\(path) --help`",
                    zh: "'\(path)' 没有子命令 '\(word)'\(hint)；见 `\(path) --help`")
            }
            command = next
        }
        return nil
    }

    /// A command's name and aliases.
    static func names(of command: ParsableCommand.Type) -> [String] {
        [command._commandName] + command.configuration.aliases
    }

    /// `caseload case`: the words before `word`.
    static func commandPath(_ root: ParsableCommand.Type, _ arguments: [String], upTo word: String) -> String {
        ([root._commandName] + arguments.prefix { $0 != word }).joined(separator: " ")
    }
}
