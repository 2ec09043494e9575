import ArgumentParser
import CaseloadCore
import CaseloadProtocol
import Foundation

/// `caseload agenda` (and `caseload today`): the day's work of the caller's caseload, by
/// company, each line followed by the command that acts on it.
struct AgendaCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        commandName: "agenda",
        abstract: "What to do (待办): overdue and due dates, steps that may be taken now, late cases, originals out too long — by company.",
        discussion: "Consultants see their own companies; owners and managers the agency (or --consultant). Each line ends with the command that acts on it.")
    @OptionGroup var options: ClientOptions
    @Flag(help: "The coming week (5 working days) instead of today.") var week = false
    @Option(help: "Working days ahead (default 0: today).") var days: Int?
    @Option(help: "Only this company (id or its first characters).") var company: String?
    @Option(help: "Only this consultant's companies (id or its first characters).") var consultant: String?
    @Option(help: "List originals out with an authority longer than this many days (default 30).") var originalsOutDays: Int?

    func execute() async throws {
        try await Self.show(days: days ?? (week ? 5 : 0), company: company, consultant: consultant, originalsOutDays: originalsOutDays, options: options)
    }

    static func show(days: Int, company: String?, consultant: String?, originalsOutDays: Int?, options: ClientOptions) async throws {
        var params: [String: JSONValue] = ["days": .int(Int64(days))]
        params["company_id"] = try await options.company(company)
        params["consultant_id"] = try await options.user(consultant)
        params["originals_out_days"] = originalsOutDays.map { .int(Int64($0)) }
        let agenda = try await options.withClient { try await $0.call("agenda.get", .object(params)) }
        if options.json { return Output.json(agenda) }
        for line in render(agenda) { print(line) }
    }

    /// The agenda as text: a heading with the counts, then each company's lines.
    static func render(_ agenda: JSONValue) -> [String] {
        let t = Output.text
        let kinds = ServerLabels.names("agenda_item")
        func kindName(_ kind: String) -> String { kinds[kind] ?? kind }
        let counts = AgendaItemKind.allCases.compactMap { kind -> String? in
            guard let n = agenda["counts"]?[kind.rawValue]?.intValue, n > 0 else { return nil }
            return "\(kindName(kind.rawValue)) \(n)"
        }
        let span = agenda["until"] == agenda["date"] ? Labels.day(agenda["date"]) : "\(Labels.day(agenda["date"])) – \(Labels.day(agenda["until"]))"
        var out = [L(en: "AGENDA", zh: "待办") + "  \(span)  " + (counts.isEmpty ? L(en: "(nothing to do)", zh: "（无待办）") : counts.joined(separator: ", "))]
        for group in agenda["companies"]?.arrayValue ?? [] {
            let items = group["items"]?.arrayValue ?? []
            out.append("")
            out.append("\(L(en: "COMPANY", zh: "单位")) \(t(group["company_short_name"]))  (\(items.count))")
            var table = TextTable(headers: ["", L(en: "DATE", zh: "日期"), L(en: "DAYS", zh: "天"), L(en: "WHAT", zh: "事项"), L(en: "APPLICANT", zh: "申请人"), L(en: "CASE", zh: "案件"), L(en: "COMMAND", zh: "操作")])
            for item in items {
                let reminded = item["reminded_today"] == true ? L(en: " reminded", zh: " 已提醒") : ""
                table.add([
                    kindName(t(item["kind"])) + reminded, item["date"]?.stringValue == nil ? "" : Labels.day(item["date"]), t(item["days"]),
                    Labels.title(item), t(item["applicant_name"]), Labels.caseName(item),
                    command(for: item["action"]),
                ])
            }
            out += table.render().components(separatedBy: "\n").filter { !$0.isEmpty }.map { "  " + $0 }
        }
        return out
    }

    /// The CLI command that makes the call a line's `action` names.
    static func command(for action: JSONValue?) -> String {
        let params = action?["params"]
        let id = Labels.short(params?["id"])
        switch action?["method"]?.stringValue {
        case "deadline.done": return "caseload deadline done \(id)"
        case "case.advance": return "caseload case advance \(id) --to \(Output.text(params?["to"]))"
        case "document.collect": return "caseload doc collect \(id) --authority \(Output.text(params?["authority"]))"
        case "case.get": return "caseload case show \(id)"
        case let other?: return other
        case nil: return ""
        }
    }
}

/// `caseload today`: the agenda for today.
struct TodayCommand: ClientCommand {
    static let configuration = CommandConfiguration(commandName: "today", abstract: "Today's agenda (今日待办): `caseload agenda` for today.")
    @OptionGroup var options: ClientOptions

    func execute() async throws {
        try await AgendaCommand.show(days: 0, company: nil, consultant: nil, originalsOutDays: nil, options: options)
    }
}
