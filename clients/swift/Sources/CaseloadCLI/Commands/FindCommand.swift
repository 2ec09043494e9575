import ArgumentParser
import CaseloadProtocol
import Foundation

/// `caseload find 张伟` (or `zhangwei`, `zw`): applicants, their active cases and companies.
struct FindCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        commandName: "find",
        abstract: "Find applicants, their cases and companies by name, pinyin or initials (张伟, zhangwei, zw).",
        discussion: "Chinese characters match anywhere in a name; Latin letters match the start of its pinyin or initials. Only your caseload.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Part of a name, or the start of its pinyin or initials.") var query: String
    @Option(help: "At most this many applicants and this many companies (default 20).") var limit: Int?

    func execute() async throws {
        var params: [String: JSONValue] = ["q": .string(query)]
        params["limit"] = limit.map { .int(Int64($0)) }
        let items = try await options.withClient { try await $0.call("search.find", .object(params))["items"] ?? [] }
        if options.json { return Output.json(items) }
        let rows = (items.arrayValue ?? []).map { i -> [String] in
            let kind = i["kind"]?.stringValue ?? ""
            let what = [
                "applicant": L(en: "applicant", zh: "申请人"), "case": "  " + L(en: "case", zh: "案件"), "company": L(en: "company", zh: "单位"),
            ][kind] ?? kind
            let name = kind == "company" ? Output.text(i["company_name"]) : Output.text(i["applicant_name"])
            let company = kind == "company" ? "-" : Output.text(i["company_short_name"])
            let caseName = kind == "case" ? Labels.caseName(i) : "-"
            return [what, name, company, caseName, Labels.short(i["id"])]
        }
        if rows.isEmpty { return print(L(en: "nothing found for '\(query)'", zh: "未找到 '\(query)'")) }
        Output.table([L(en: "WHAT", zh: "类别"), L(en: "NAME", zh: "名称"), L(en: "COMPANY", zh: "单位"), L(en: "CASE", zh: "案件"), "ID"], rows)
    }
}
