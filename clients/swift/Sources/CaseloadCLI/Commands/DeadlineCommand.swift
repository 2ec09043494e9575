import ArgumentParser
import CaseloadClient
import CaseloadCore
import CaseloadProtocol
import Foundation

struct DeadlineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deadline",
        abstract: "Deadlines (期限), counted in Chinese working days from the events they follow.",
        discussion: """
            Deadlines are derived from rules when their base event happens (a stage entered, a date recorded, a \
            permit expiry entered) and re-derived when the base or the calendar changes; `deadline explain` shows \
            how a date was counted and every change of it. Two kinds of dates: a due date (截止, a latest date: \
            open 待办 until met, missed 已逾期 once past) and a window (起始, an earliest date such as "the account may \
            be created from": waiting 未到期 until it comes, then open; never missed). Expectations (预期, the city's \
            review time) are never missed either. The event a date waits for ends it: satisfied 已办结 (a stage \
            reached, the originals collected, a renewal approved), cancelled 已取消 (the case withdrawn or closed); \
            by hand: done 已完成, waived 已免除 (with a reason).
            """,
        subcommands: [List.self, Explain.self, Done.self, DoneMany.self, Waive.self, Add.self]
    )

    /// One deadline as `key  value` lines, its explanation wrapped below them.
    static func record(_ d: JSONValue) {
        let t = Output.text
        let pending = Labels.isPending(d)
        var left = ""
        if pending, let days = d["working_days_left"]?.intValue {
            // magnitude: no trap even for Int64.min from a server.
            let n = days.magnitude
            let count = "\(n) working day\(n == 1 ? "" : "s")"
            if days >= 0 {
                left = L(en: "  (\(count) left)", zh: "  （剩余 \(n) 个工作日）")
            } else if d["overdue"]?.boolValue == true {
                left = L(en: "  (\(count) overdue)", zh: "  （已逾期 \(n) 个工作日）")
            } else {
                // A window (an earliest date) or an expectation past its day: nothing is late.
                left = L(en: "  (\(count) ago)", zh: "  （已过 \(n) 个工作日）")
            }
        }
        Output.record([
            ("id", t(d["id"])),
            (L(en: "title", zh: "事项"), Labels.title(d)),
            (L(en: "rule", zh: "规则"), d["rule"]?.stringValue ?? L(en: "- (set by hand)", zh: "-（手动设定）")),
            (L(en: "due", zh: "到期"), Labels.day(d["due_date"]) + left),
            (L(en: "base", zh: "起算"), Labels.day(d["base_date"])),
            (L(en: "state", zh: "状态"), Labels.deadlineState(d)),
            (L(en: "provisional", zh: "暂定"), d["provisional"]?.boolValue == true ? L(en: "yes (counted into a year the calendar does not know)", zh: "是（计入了日历尚未收录的年份）") : L(en: "no", zh: "否")),
            (L(en: "reason", zh: "原因"), t(d["reason"])),
            (L(en: "applicant", zh: "申请人"), t(d["applicant_id"])),
            (L(en: "case", zh: "办件"), t(d["case_id"])),
            (L(en: "company", zh: "单位"), t(d["company_id"])),
        ])
        print()
        print(L(en: "explanation:", zh: "说明："))
        for line in Output.wrap(t(d["explanation"])) { print(line) }
    }

    static func show(_ d: JSONValue, json: Bool) {
        json ? Output.json(d) : record(d)
    }

    static var headers: [String] { ["ID", L(en: "DUE", zh: "到期"), L(en: "LEFT", zh: "剩余"), L(en: "WHAT", zh: "事项"), L(en: "APPLICANT", zh: "申请人"), L(en: "COMPANY", zh: "单位"), L(en: "CASE", zh: "案件"), L(en: "STATE", zh: "状态")] }

    /// A deadline as a table row: working days left only while it is still pending.
    static func row(_ d: JSONValue) -> [String] {
        let t = Output.text
        let pending = Labels.isPending(d)
        return [
            Labels.short(d["id"]), Labels.day(d["due_date"]), pending ? t(d["working_days_left"]) : "", Labels.title(d),
            t(d["applicant_name"]), t(d["company_short_name"]), Labels.caseName(d),
            Labels.deadlineState(d),
        ]
    }

    /// Deadlines grouped by company: rows by due date within a group, groups by their earliest
    /// due date (then by company id, so equal dates come out the same way every time).
    static func byCompany(_ deadlines: [JSONValue]) -> [(companyID: String, deadlines: [JSONValue])] {
        func due(_ d: JSONValue) -> String { d["due_date"]?.stringValue ?? "" }
        var order: [String] = []
        var groups: [String: [(Int, JSONValue)]] = [:]
        for (index, d) in deadlines.enumerated() {
            let company = d["company_id"]?.stringValue ?? "-"
            if groups[company] == nil { order.append(company) }
            groups[company, default: []].append((index, d))
        }
        let sorted = order.map { company in
            (company, groups[company]!.sorted { (due($0.1), $0.0) < (due($1.1), $1.0) }.map(\.1))
        }
        return sorted.sorted { (due($0.1[0]), $0.0) < (due($1.1[0]), $1.0) }.map { (companyID: $0.0, deadlines: $0.1) }
    }

    struct List: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "List deadlines by due date: upcoming, overdue, or by company, consultant, case, applicant or rule.",
            discussion: """
                The clock is applied first: due dates past their day become missed, windows whose day came open. \
                --upcoming lists what is next (waiting and open dates; the missed ones too with --include-missed); \
                --overdue lists due dates still pending after their day (never windows or expectations). \
                --by-company groups the rows under each company, the company with the earliest date first.
                """)
        @OptionGroup var options: ClientOptions
        @Option(help: ArgumentHelp("Only waiting and open dates within this many working days.", valueName: "working-days"))
        var upcoming: Int?
        @Flag(help: "With --upcoming: the missed due dates too.") var includeMissed = false
        @Flag(help: "Only due dates still pending after their day.") var overdue = false
        @Option(help: "Only this state: waiting, open, missed, done, waived, satisfied, cancelled.") var state: String?
        @Option(help: "Only this company's.") var company: String?
        @Option(help: "Only companies assigned to this user.") var consultant: String?
        @Option(name: .customLong("case"), help: "Only this case's.") var caseID: String?
        @Option(help: "Only this applicant's.") var applicant: String?
        @Option(help: "Only deadlines of this rule, e.g. account_opens.") var rule: String?
        @Flag(help: "Only dates counted into a year the calendar does not know yet.") var provisional = false
        @Flag(help: "Group the rows by company.") var byCompany = false
        @Option(help: "How many (default 200).") var limit: Int?

        func validate() throws {
            if let state, overdue || upcoming != nil, !["waiting", "open", "missed"].contains(state) {
                throw ValidationError(L(en: "--overdue and --upcoming list only pending deadlines (waiting, open, missed), not --state \(state)", zh: "--overdue 和 --upcoming 只列未了结的期限（waiting、open、missed），不能配 --state \(state)"))
            }
            if includeMissed, upcoming == nil { throw ValidationError(L(en: "--include-missed goes with --upcoming", zh: "--include-missed 须与 --upcoming 一起使用")) }
        }

        func execute() async throws {
            var params: [String: JSONValue] = [:]
            params["upcoming_working_days"] = upcoming.map { .int(Int64($0)) }
            if includeMissed { params["include_missed"] = true }
            if overdue { params["overdue"] = true }
            params["state"] = state.map(JSONValue.string)
            params["company_id"] = try await options.company(company)
            params["consultant_id"] = try await options.user(consultant)
            params["case_id"] = caseID.map(JSONValue.string)
            params["applicant_id"] = applicant.map(JSONValue.string)
            params["rule"] = rule.map(JSONValue.string)
            if provisional { params["provisional"] = true }
            params["limit"] = limit.map { .int(Int64($0)) }
            let fetched = try await options.withClient { try await $0.call("deadline.list", .object(params))["deadlines"]?.arrayValue ?? [] }
            // The server lists pending ones for --overdue and --upcoming whatever the state asked.
            let deadlines = state.map { s in fetched.filter { $0["state"]?.stringValue == s } } ?? fetched
            let more = fetched.count == (limit ?? 200)
            if byCompany {
                let groups = DeadlineCommand.byCompany(deadlines)
                if options.json {
                    return Output.json(.array(groups.map { ["company_id": .string($0.companyID), "deadlines": .array($0.deadlines)] }))
                }
                if groups.isEmpty { return print(L(en: "(no deadlines)", zh: "（没有期限）")) }
                // One table for all, so that the groups' columns line up; a heading before each group's rows.
                var table = TextTable(headers: DeadlineCommand.headers)
                for group in groups { for d in group.deadlines { table.add(DeadlineCommand.row(d)) } }
                var lines = table.render().components(separatedBy: "\n")
                let header = lines.removeFirst(), dashes = lines.removeFirst()
                for (index, group) in groups.enumerated() {
                    if index > 0 { print() }
                    let name = group.deadlines.first?["company_short_name"]?.stringValue.map { "  \($0)" } ?? ""
                    print("\(L(en: "COMPANY", zh: "单位")) \(Labels.short(.string(group.companyID)))\(name)  (\(group.deadlines.count))")
                    print(header)
                    print(dashes)
                    for line in lines.prefix(group.deadlines.count) { print(line) }
                    lines.removeFirst(group.deadlines.count)
                }
            } else {
                if options.json { return Output.json(.array(deadlines)) }
                Output.table(DeadlineCommand.headers, deadlines.map(DeadlineCommand.row))
            }
            if more { print(L(en: "(there may be more: use --limit)", zh: "（可能还有更多：用 --limit）")) }
        }
    }

    struct Explain: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "How a deadline was counted (the days skipped and counted) and every change of its date.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Deadline id.") var id: String

        func execute() async throws {
            let result = try await options.withClient { try await $0.call("deadline.explain", ["id": .string(id)]) }
            if options.json { return Output.json(result) }
            DeadlineCommand.record(result["deadline"] ?? .null)
            print()
            let t = Output.text
            Output.table(
                ["#", L(en: "WHEN", zh: "时间"), L(en: "ACTION", zh: "动作"), L(en: "OLD → NEW", zh: "日期"), L(en: "REASON", zh: "原因")],
                (result["history"]?.arrayValue ?? []).map { h in
                    let dates = h["old_due"]?.stringValue == nil && h["new_due"]?.stringValue == nil ? "" : "\(t(h["old_due"])) → \(t(h["new_due"]))"
                    return [t(h["seq"]), Labels.time(h["at"]), Labels.named(h["action"], Labels.deadlineAction), dates, h["reason"]?.stringValue ?? ""]
                })
        }
    }

    /// A deadline's current version, as `deadline.explain` reads it.
    static func version(of id: String, _ client: RPCClient) async throws -> JSONValue? {
        try await client.call("deadline.explain", ["id": .string(id)])["deadline"]?["version"]
    }

    struct Done: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "Mark a deadline done (again changes nothing).")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Deadline id.") var id: String
        @Option(help: "A note, kept with the deadline and in its history.") var note: String?
        @OptionGroup var expected: VersionOption

        func execute() async throws {
            var params: [String: JSONValue] = ["id": .string(id)]
            params["reason"] = note.map(JSONValue.string)
            let d = try await options.change("deadline.done", params, version: expected.version) { [id] in try await DeadlineCommand.version(of: id, $0) }
            DeadlineCommand.show(d, json: options.json)
        }
    }

    struct Waive: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "Waive a deadline that no longer applies, saying why.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Deadline id.") var id: String
        @Option(help: "Why it no longer applies (recorded).") var reason: String
        @OptionGroup var expected: VersionOption

        func execute() async throws {
            let d = try await options.change("deadline.waive", ["id": .string(id), "reason": .string(reason)], version: expected.version) { [id] in
                try await DeadlineCommand.version(of: id, $0)
            }
            DeadlineCommand.show(d, json: options.json)
        }
    }

    struct Add: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a deadline by hand on a case or an applicant (e.g. a returned case's resubmission date).")
        @OptionGroup var options: ClientOptions
        @Option(name: .customLong("case"), help: "The case.") var caseID: String?
        @Option(help: "The applicant (when not for a case).") var applicant: String?
        @Option(help: "What is due.") var title: String
        @Option(help: "When: 2026-09-30, 2026/9/30 or 2026年9月30日.") var due: String
        @Option(help: "Why this date (kept in the explanation).") var note: String?

        func validate() throws {
            if (caseID == nil) == (applicant == nil) { throw ValidationError(L(en: "give either --case or --applicant", zh: "请给出 --case 或 --applicant 之一")) }
        }

        func execute() async throws {
            var params: [String: JSONValue] = ["title": .string(title), "due_date": .string(try DateFlag.iso(due, flag: "--due") ?? due)]
            params["case_id"] = caseID.map(JSONValue.string)
            params["applicant_id"] = applicant.map(JSONValue.string)
            params["note"] = note.map(JSONValue.string)
            let d = try await options.withClient { try await $0.call("deadline.add", .object(params)) }
            DeadlineCommand.show(d, json: options.json)
        }
    }
}

/// `caseload expiring`: applicants whose residence permit (and so their points) expires soon.
struct ExpiringCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        commandName: "expiring",
        abstract: "Applicants whose residence permit (and so their points) expires within N days, soonest first.")
    @OptionGroup var options: ClientOptions
    @Option(help: "Within this many days (default 30).") var days: Int?

    func execute() async throws {
        var params: [String: JSONValue] = [:]
        params["days"] = days.map { .int(Int64($0)) }
        let applicants = try await options.withClient { try await $0.call("applicant.expiring", .object(params))["applicants"] ?? [] }
        if options.json { return Output.json(applicants) }
        let t = Output.text
        let today = CalendarDate(shanghai: Date())
        Output.table(
            ["ID", L(en: "NAME", zh: "姓名"), L(en: "ID NUMBER", zh: "身份证"), L(en: "COMPANY", zh: "单位"), L(en: "EXPIRY", zh: "居住证到期"), L(en: "DAYS LEFT", zh: "剩余天数")],
            (applicants.arrayValue ?? []).map { a in
                let left = a["permit_expiry_date"]?.stringValue.flatMap(CalendarDate.init(iso:)).map { String(today.days(to: $0)) } ?? "-"
                return [t(a["id"]), t(a["name"]), t(a["id_number"]), t(a["company_short_name"]), Labels.day(a["permit_expiry_date"]), left]
            })
    }
}
