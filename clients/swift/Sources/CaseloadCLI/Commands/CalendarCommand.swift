import ArgumentParser
import CaseloadCore
import CaseloadProtocol
import Foundation

struct CalendarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar",
        abstract: "The working-day calendar (工作日历): holidays and make-up workdays (调休) deadlines are counted with.",
        discussion: """
            The built-in days come from the State Council's notices; the agency may add its own (owner or manager). \
            Every change re-derives the open deadlines it moves, with the change in their history. A count that runs \
            into a year the calendar does not know is provisional until that year is imported.
            """,
        subcommands: [List.self, Set.self, Import.self]
    )

    /// `deadlines moved: N`, the line `set` and `import` end with.
    static func moved(_ result: JSONValue) -> String {
        L(en: "deadlines moved: ", zh: "期限变动：") + Output.text(result["moved"])
    }

    struct List: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Holidays and make-up workdays (built-in and the agency's own), and the years the calendar knows.")
        @OptionGroup var options: ClientOptions
        @Option(help: "Only this year.") var year: Int?

        func execute() async throws {
            var params: [String: JSONValue] = [:]
            params["year"] = year.map { .int(Int64($0)) }
            let result = try await options.withClient { try await $0.call("calendar.list", .object(params)) }
            if options.json { return Output.json(result) }
            let t = Output.text
            Output.table(
                [L(en: "DATE", zh: "日期"), L(en: "DAY", zh: "星期"), L(en: "KIND", zh: "类型"), L(en: "NAME", zh: "名称"), L(en: "SOURCE", zh: "来源")],
                (result["days"]?.arrayValue ?? []).map { d in
                    [t(d["date"]), d["date"]?.stringValue.flatMap(CalendarDate.init(iso:)).map { Labels.weekday($0.weekday) } ?? "", Labels.named(d["kind"], Labels.dayKind), t(d["name"]),
                     Labels.named(d["source"], Labels.calendarSource)]
                })
            let years = (result["known_years"]?.arrayValue ?? []).map(t)
            print(L(en: "known years: ", zh: "已知年份：") + (years.isEmpty ? "-" : years.joined(separator: ", ")))
        }
    }

    struct Set: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make one day a holiday or a make-up workday, or --normal to drop the agency's entry (owner or manager).",
            discussion: "Prints how many open deadlines the change moved.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The day: 2026-09-30, 2026/9/30 or 2026年9月30日.") var date: String
        @Option(help: "Make it a holiday (休) with this name.") var holiday: String?
        @Option(help: "Make it a make-up workday (班, 调休) with this name.") var workday: String?
        @Flag(help: "Drop the agency's entry: the built-in calendar applies again.") var normal = false

        func validate() throws {
            if [holiday != nil, workday != nil, normal].filter({ $0 }).count != 1 {
                throw ValidationError(L(en: "give exactly one of --holiday NAME, --workday NAME or --normal", zh: "请只给出 --holiday 名称、--workday 名称、--normal 中的一个"))
            }
        }

        func execute() async throws {
            var params: [String: JSONValue] = ["date": .string(try DateFlag.iso(date, flag: "DATE") ?? date)]
            let kind = holiday != nil ? "holiday" : workday != nil ? "workday" : "normal"
            params["kind"] = .string(kind)
            params["name"] = (holiday ?? workday).map(JSONValue.string)
            let result = try await options.withClient { try await $0.call("calendar.set", .object(params)) }
            if options.json { return Output.json(result) }
            let now = kind == "normal" ? L(en: "as the built-in calendar has it", zh: "按内置日历") : "\(Labels.named(.string(kind), Labels.dayKind)) (\(holiday ?? workday ?? ""))"
            print(L(en: "\(date) is now \(now); ", zh: "\(date) 现在为\(now)；") + CalendarCommand.moved(result))
        }
    }

    struct Import: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import days from a CSV file (owner or manager); the years it covers become known.",
            discussion: """
                The file is UTF-8 (a byte-order mark is fine) with the header `date,kind,name`, then one \
                `YYYY-MM-DD,holiday|workday,name` line per day. Every bad line is reported.
                """)
        @OptionGroup var options: ClientOptions
        @Argument(help: "The CSV file.") var file: String

        func execute() async throws {
            guard let data = FileManager.default.contents(atPath: file) else { throw CLIError(L(en: "cannot read \(file)", zh: "无法读取 \(file)")) }
            guard var text = String(validating: data, as: UTF8.self) else { throw CLIError(L(en: "\(file) is not UTF-8 text", zh: "\(file) 不是 UTF-8 文本")) }
            if text.unicodeScalars.first == "\u{FEFF}" { text.unicodeScalars.removeFirst() }
            let result = try await options.withClient { try await $0.call("calendar.import", ["csv": .string(text)]) }
            if options.json { return Output.json(result) }
            let years = (result["years"]?.arrayValue ?? []).map(Output.text).joined(separator: ", ")
            let span = years.isEmpty ? "-" : years
            print(L(en: "imported \(Output.text(result["imported"])) days for \(span); ", zh: "已导入 \(span) 年的 \(Output.text(result["imported"])) 天；") + CalendarCommand.moved(result))
        }
    }
}
