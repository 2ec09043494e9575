import ArgumentParser
import Foundation
import Synchronization

// How the CLI speaks Chinese or English (read this before adding a message).
//
// Every text a person reads — table headers, record keys, messages, CLIError descriptions —
// is written once with both languages, at the place it is used:
//
//     Output.table([L(en: "APPLICANT", zh: "申请人"), ...], rows)
//     throw CLIError(L(en: "cannot read \(path)", zh: "无法读取 \(path)"))
//
// `L` picks the text of `Language.current`. Protocol values (statuses, kinds, forms, …) are
// not translated here: `Labels.named` shows the server's name for them in the current
// language (`system.labels`), and stages come with each case in both languages. `--json`
// output never goes through `L`: it stays the protocol's, language-free.
//
// The language is chosen once per process, before the arguments are parsed (`caseload`'s
// main calls `Language.choose(arguments:environment:)`): `--lang zh|en`, else
// `CASELOAD_LANG`, else the first non-empty of `LC_ALL`, `LC_MESSAGES`, `LANG` — `zh…` is
// Chinese, anything else English. Tests in-process pick one with
// `Language.$override.withValue(.zh) { … }`.

/// The language the CLI prints in.
public enum Language: String, CaseIterable, ExpressibleByArgument, Sendable {
    case zh, en

    private static let processWide = Mutex<Language>(.en)

    /// A language for one task and its children (tests), ahead of the process's.
    @TaskLocal public static var override: Language?

    /// The language texts are printed in now. (Also read on NIO's threads, by `watch`'s
    /// notifications, where no task-local is set: hence the process-wide value.)
    public static var current: Language { override ?? processWide.withLock { $0 } }

    /// Chooses the process's language from `arguments` and `environment` (see the top of this
    /// file). An invalid `--lang` value is left to the parser, which refuses it naming the flag
    /// and the accepted values; meanwhile the environment's choice stands.
    public static func choose(arguments: [String], environment: [String: String]) {
        let chosen = resolve(flag: flagValue(in: arguments).flatMap(Language.init(rawValue:)), environment: environment)
        processWide.withLock { $0 = chosen }
    }

    /// `flag` when given, else from the environment.
    public static func resolve(flag: Language?, environment: [String: String]) -> Language {
        if let flag { return flag }
        if let explicit = environment["CASELOAD_LANG"].flatMap({ $0.isEmpty ? nil : $0 }) { return fromLocale(explicit) }
        let locale = ["LC_ALL", "LC_MESSAGES", "LANG"].lazy.compactMap { environment[$0] }.first { !$0.isEmpty }
        return fromLocale(locale ?? "")
    }

    /// `zh`, `zh_CN.UTF-8`, `zh-Hans`, … are Chinese; anything else (`C`, `en_US.UTF-8`) English.
    static func fromLocale(_ name: String) -> Language {
        name.lowercased().hasPrefix("zh") ? .zh : .en
    }

    /// The value of the last `--lang X` or `--lang=X` before a `--` (nil when none).
    static func flagValue(in arguments: [String]) -> String? {
        var value: String?
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            if argument == "--" { break }
            if argument == "--lang" {
                let next = arguments.index(after: index)
                if next < arguments.endIndex { value = arguments[next] }
                index = next
            } else if argument.hasPrefix("--lang=") {
                value = String(argument.dropFirst("--lang=".count))
            }
            if index < arguments.endIndex { index = arguments.index(after: index) }
        }
        return value
    }
}

/// The text for the current language: `en` or `zh`.
func L(en: String, zh: String) -> String {
    Language.current == .zh ? zh : en
}
