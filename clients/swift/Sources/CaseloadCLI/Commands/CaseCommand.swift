import ArgumentParser
import CaseloadProtocol
import Foundation

struct CaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "case",
        abstract: "Cases (办件): one applicant's matter moving through the government's stages.",
        discussion: "Commands that change a case take --version; without it the CLI uses the version it reads just before.",
        subcommands: [
            Open.self, List.self, Show.self, Advance.self, AdvanceMany.self, Record.self, Return.self, Withdraw.self, Hold.self, Resume.self, Note.self,
            History.self, Overrides.self, Checklist.self, TimeAllowed.self,
        ]
    )

    /// The case a change applies to, and the version the user last saw.
    struct Target: ParsableArguments {
        @Argument(help: "Case id.") var id: String
        @OptionGroup var expected: VersionOption
    }

    /// Applies the change `method` (with `params`) to the target case and shows the result.
    static func change(_ method: String, _ target: Target, _ params: [String: JSONValue] = [:], options: ClientOptions) async throws {
        let c = try await options.change(method, id: target.id, version: target.expected.version, readingWith: "case.get", params)
        show(c, json: options.json)
    }

    static func show(_ c: JSONValue, json: Bool) {
        if json { return Output.json(c) }
        let t = Output.text
        let applicant = c["applicant"]
        let due = c["stage_due_at"]?.isNull == false ? "  (\(L(en: "due", zh: "期限")) \(Labels.time(c["stage_due_at"])))" : ""
        let late = Labels.late(c)
        var pairs: [(String, String)] = [
            ("id", t(c["id"])),
            (L(en: "applicant", zh: "申请人"), "\(t(applicant?["name"]))  \(t(applicant?["id_number"]))  (\(t(applicant?["id"])))"),
            (L(en: "company", zh: "单位"), t(c["company_id"])),
            (L(en: "kind", zh: "类型"), Labels.kind(c)),
            (L(en: "stage", zh: "阶段"), "\(Labels.stage(c))  (\(t(c["stage"])))"),
            (L(en: "status", zh: "状态"), Labels.named(c["status"], Labels.status)),
            (L(en: "days in stage", zh: "天数"), t(c["days_in_stage"]) + due + (late.isEmpty ? "" : "  \(late)")),
            (L(en: "next stages", zh: "下一步"), (c["next_stages"]?.arrayValue ?? []).map(t).joined(separator: ", ")),
        ]
        // Stages entered without data come as {}: only those with data are shown.
        let recorded = (c["recorded"]?.objectValue ?? [:]).compactMapValues { Labels.data($0).isEmpty ? nil : Labels.data($0) }
        if recorded.isEmpty { pairs.append((L(en: "recorded", zh: "已记录"), "-")) }
        for (index, stage) in recorded.keys.sorted().enumerated() {
            pairs.append((index == 0 ? L(en: "recorded", zh: "已记录") : "", "\(stage): \(recorded[stage]!)"))
        }
        pairs += [
            (L(en: "version", zh: "版本"), t(c["version"])),
            (L(en: "opened", zh: "立案"), Labels.time(c["opened_at"])),
            (L(en: "closed", zh: "结束"), Labels.time(c["closed_at"])),
        ]
        Output.record(pairs)
    }

    struct Open: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Open a case for an applicant at its kind's first stage.",
            discussion: "The permit's received date is taken from the applicant when --data does not give it."
        )
        @OptionGroup var options: ClientOptions
        @Option(help: "Applicant id.") var applicant: String
        @Option(help: "points_new 积分新办, points_renewal 积分续办, hukou_transfer 居转户, talent_introduction 人才引进.") var kind: String
        @Option(help: ArgumentHelp(StageData.help)) var data: [String] = []
        @Flag(help: "Open it even though the applicant has an active case of this kind.") var allowDuplicate = false

        func execute() async throws {
            var params: [String: JSONValue] = ["applicant_id": .string(applicant), "kind": .string(kind), "data": .object(try StageData.parse(data))]
            if allowDuplicate { params["allow_duplicate"] = true }
            let c = try await options.withClient { [params] in try await $0.call("case.open", .object(params)) }
            CaseCommand.show(c, json: options.json)
        }
    }

    struct List: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "List cases, oldest first.")
        @OptionGroup var options: ClientOptions
        @Option(help: "Only this company's cases.") var company: String?
        @Option(help: "Only cases of companies assigned to this user.") var consultant: String?
        @Option(help: "Only this applicant's cases.") var applicant: String?
        @Option(help: "Only this kind.") var kind: String?
        @Option(help: "Only cases in this stage (id, e.g. submitted_online).") var stage: String?
        @Option(help: "Only this status: active, on_hold, withdrawn, closed.") var status: String?
        @Flag(help: "Only active cases past the time allowed in their stage.") var late = false
        @Option(help: "Cases per page.") var limit = 50
        @Flag(help: "Fetch every page, not just the first.") var all = false

        func execute() async throws {
            var params: [String: JSONValue] = ["limit": .int(Int64(limit))]
            params["company_id"] = try await options.company(company)
            params["consultant_id"] = try await options.user(consultant)
            params["applicant_id"] = applicant.map(JSONValue.string)
            params["kind"] = kind.map(JSONValue.string)
            params["stage"] = stage.map(JSONValue.string)
            params["status"] = status.map(JSONValue.string)
            if late { params["late"] = true }
            let (cases, more) = try await options.withClient { try await $0.pages("case.list", params, key: "cases", all: all) }
            if options.json { return Output.json(.array(cases)) }
            let t = Output.text
            Output.table(
                ["ID", L(en: "APPLICANT", zh: "申请人"), L(en: "COMPANY", zh: "单位"), L(en: "KIND", zh: "类型"), L(en: "STAGE", zh: "阶段"), L(en: "DAYS", zh: "天数"), L(en: "LATE", zh: "逾期"), L(en: "STATUS", zh: "状态")],
                cases.map { c in
                    [
                        Labels.short(c["id"]), t(c["applicant"]?["name"]), t(c["company_short_name"]), Labels.kind(c), Labels.stage(c),
                        t(c["days_in_stage"]), Labels.late(c), Labels.named(c["status"], Labels.status),
                    ]
                })
            if more { print(Output.more) }
        }
    }

    struct Show: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "Show one case: stage, data recorded per stage, next stages.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Case id.") var id: String

        func execute() async throws {
            let c = try await options.withClient { try await $0.call("case.get", ["id": .string(id)]) }
            CaseCommand.show(c, json: options.json)
        }
    }

    struct Advance: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move a case to a next stage, with that stage's data.",
            discussion: """
                A failing prerequisite is refused naming its rule. Owners and managers may override named rules:
                --override RULE (repeatable) --reason TEXT; the override and reason are recorded in the history.
                """
        )
        @OptionGroup var options: ClientOptions
        @OptionGroup var target: Target
        @Option(help: "Target stage id (see next stages in `case show`).") var to: String
        @Option(help: ArgumentHelp(StageData.help)) var data: [String] = []
        @Option(help: "A rule to override, as named in the refusal (repeatable; needs --reason).") var override: [String] = []
        @Option(help: "Why the rules are overridden (recorded).") var reason: String?

        func execute() async throws {
            var params: [String: JSONValue] = ["to": .string(to), "data": .object(try StageData.parse(data))]
            switch (override.isEmpty, reason) {
            case (true, nil): break
            case (true, _?):
                throw CLIError(L(en: "--reason goes with --override (for returns, withdrawals and holds use their own commands)", zh: "--reason 须与 --override 一起使用（退回、撤回和暂停请用各自的命令）"))
            case (false, nil): throw CLIError(L(en: "--override needs --reason: why the rules are overridden", zh: "--override 须附 --reason：说明为何越过规则"))
            case (false, let reason?): params["override"] = ["rules": .array(override.map(JSONValue.string)), "reason": .string(reason)]
            }
            try await CaseCommand.change("case.advance", target, params, options: options)
        }
    }

    struct Record: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record data on the current stage without moving (e.g. archive_verified=true).")
        @OptionGroup var options: ClientOptions
        @OptionGroup var target: Target
        @Option(help: ArgumentHelp(StageData.help)) var data: [String] = []

        func validate() throws {
            if data.isEmpty { throw ValidationError(L(en: "give the data to record with --data key=value", zh: "请用 --data key=value 给出要记录的数据")) }
        }

        func execute() async throws {
            try await CaseCommand.change("case.record", target, ["data": .object(try StageData.parse(data))], options: options)
        }
    }

    struct Return: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "Return (退回) a case to an earlier stage, with the authority's reason.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var target: Target
        @Option(help: "An earlier stage id.") var to: String
        @Option(help: "Why it was returned.") var reason: String

        func execute() async throws {
            try await CaseCommand.change("case.return", target, ["to": .string(to), "reason": .string(reason)], options: options)
        }
    }

    struct Withdraw: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "Withdraw a case (final).")
        @OptionGroup var options: ClientOptions
        @OptionGroup var target: Target
        @Option(help: "Why.") var reason: String

        func execute() async throws {
            try await CaseCommand.change("case.withdraw", target, ["reason": .string(reason)], options: options)
        }
    }

    struct Hold: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "Put a case on hold: it cannot advance until resumed.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var target: Target
        @Option(help: "Why.") var reason: String

        func execute() async throws {
            try await CaseCommand.change("case.hold", target, ["reason": .string(reason)], options: options)
        }
    }

    struct Resume: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a case that was on hold.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var target: Target

        func execute() async throws {
            try await CaseCommand.change("case.resume", target, options: options)
        }
    }

    struct Note: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "Add a note to a case's history (no version needed).")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Case id.") var id: String
        @Option(help: "The note.") var text: String

        func execute() async throws {
            let c = try await options.withClient { try await $0.call("case.note", ["id": .string(id), "text": .string(text)]) }
            CaseCommand.show(c, json: options.json)
        }
    }

    /// History entries as a table; `withCase` adds the case column (for the agency-wide list).
    static func historyTable(_ entries: [JSONValue], withCase: Bool = false) {
        let t = Output.text
        Output.table(
            ["#"] + (withCase ? [L(en: "CASE", zh: "办件")] : []) + [L(en: "WHEN", zh: "时间"), L(en: "WHO", zh: "谁"), L(en: "ACTION", zh: "动作"), L(en: "FROM", zh: "从"), L(en: "TO", zh: "到"), L(en: "DATA", zh: "数据"), L(en: "REASON", zh: "原因"), L(en: "OVERRIDES", zh: "越过规则")],
            entries.map { e in
                [t(e["seq"])] + (withCase ? [t(e["case_id"])] : []) + [
                    Labels.time(e["at"]), t(e["user_name"]), Labels.named(e["action"], Labels.action),
                    e["from_stage"]?.stringValue ?? "", e["to_stage"]?.stringValue ?? "", Labels.data(e["data"]),
                    e["reason"]?.stringValue ?? "", (e["overrides"]?.arrayValue ?? []).map(t).joined(separator: ", "),
                ]
            })
    }

    struct History: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "Everything that happened to a case, in order.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Case id.") var id: String

        func execute() async throws {
            let entries = try await options.withClient { try await $0.call("case.history", ["id": .string(id)])["entries"] ?? [] }
            if options.json { return Output.json(entries) }
            CaseCommand.historyTable(entries.arrayValue ?? [])
        }
    }

    struct Overrides: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "Every rule override in the agency, newest first.")
        @OptionGroup var options: ClientOptions
        @Option(help: "How many (default 100).") var limit: Int?

        func execute() async throws {
            var params: [String: JSONValue] = [:]
            params["limit"] = limit.map { .int(Int64($0)) }
            let entries = try await options.withClient { try await $0.call("case.overrides", .object(params))["entries"] ?? [] }
            if options.json { return Output.json(entries) }
            CaseCommand.historyTable(entries.arrayValue ?? [], withCase: true)
        }
    }

    struct Checklist: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "The documents the case needs for this applicant: which are held, which are missing.",
            discussion: """
                An original also meets a copy line and a sealed copy meets a copy line; only a sealed copy meets a \
                sealed-copy line. Papers the client keeps count as held; papers out with an authority or returned do not.
                """)
        @OptionGroup var options: ClientOptions
        @Argument(help: "Case id.") var id: String

        func execute() async throws {
            let result = try await options.withClient { try await $0.call("case.checklist", ["id": .string(id)]) }
            if options.json { return Output.json(result) }
            let t = Output.text
            let items = result["items"]?.arrayValue ?? []
            Output.table(
                [L(en: "DOCUMENT", zh: "文件"), L(en: "FORM", zh: "形式"), L(en: "REQUIRED BY", zh: "截止阶段"), L(en: "STATUS", zh: "状态")],
                items.map { item in
                    [CaseCommand.documentName(item), Labels.named(item["form"], Labels.form), t(item["required_by"]),
                     item["present"]?.boolValue == true ? L(en: "✓ held", zh: "✓ 已有") : L(en: "✗ missing", zh: "✗ 缺")]
                })
            let missing = result["missing"]?.intValue ?? Int64(items.filter { $0["present"]?.boolValue != true }.count)
            print(L(en: "missing \(missing) of \(items.count)", zh: "缺 \(missing) / 共 \(items.count)") + (missing == 0 ? L(en: " (complete)", zh: "（齐全）") : ""))
        }
    }

    /// A checklist item's document name without the form the server appends to it
    /// (`毕业证书 (Graduation certificate), 原件 (original)`): the form has a column of its own.
    static func documentName(_ item: JSONValue) -> String {
        let name = Output.text(item["name"])
        let forms = ["original": "原件 (original)", "copy": "复印件 (copy)", "sealed_copy": "加盖公章复印件 (sealed copy)"]
        guard let form = item["form"]?.stringValue.flatMap({ forms[$0] }), name.hasSuffix(", " + form) else { return name }
        return String(name.dropLast(form.count + 2))
    }

    struct TimeAllowed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "time-allowed",
            abstract: "Days allowed in each stage before a case counts as late: the default and the agency's own.",
            subcommands: [Show.self, Set.self],
            defaultSubcommand: Show.self
        )

        struct Show: ClientCommand {
            static let configuration = CommandConfiguration(abstract: "Days allowed per stage (the default subcommand).")
            @OptionGroup var options: ClientOptions
            @Option(help: "Only this kind: points_new, points_renewal, hukou_transfer, talent_introduction.") var kind: String?

            func execute() async throws {
                var params: [String: JSONValue] = [:]
                params["kind"] = kind.map(JSONValue.string)
                let stages = try await options.withClient { try await $0.call("case.time_allowed", .object(params))["stages"] ?? [] }
                if options.json { return Output.json(stages) }
                let t = Output.text
                Output.table(
                    [L(en: "KIND", zh: "类型"), L(en: "STAGE", zh: "阶段"), L(en: "DEFAULT", zh: "默认"), L(en: "AGENCY", zh: "本机构"), L(en: "IN FORCE", zh: "适用")],
                    (stages.arrayValue ?? []).map { s in
                        let agency = s["agency_days"]?.isNull == false ? s["agency_days"] : nil
                        // The ids too: `time-allowed set` takes them.
                        return ["\(Labels.named(s["kind"], Labels.caseKind)) (\(t(s["kind"])))", t(s["stage"]), t(s["default_days"]), agency.map(t) ?? "",
                                t(agency ?? s["default_days"])]
                    })
            }
        }

        struct Set: ClientCommand {
            static let configuration = CommandConfiguration(
                abstract: "Set the agency's days allowed in a stage, or restore the default (owner or manager).",
                discussion: "Applies to cases entering the stage from now on.")
            @OptionGroup var options: ClientOptions
            @Option(help: "Case kind.") var kind: String
            @Option(help: "Stage id (see `caseload case time-allowed`).") var stage: String
            @Option(help: "Days allowed.") var days: Int?
            @Flag(name: .customLong("default"), help: "Restore the kind's default.") var restoreDefault = false

            func validate() throws {
                if (days == nil) == !restoreDefault { throw ValidationError(L(en: "give either --days N or --default", zh: "请给出 --days N 或 --default 之一")) }
            }

            func execute() async throws {
                let params: JSONValue = ["kind": .string(kind), "stage": .string(stage), "days": days.map { .int(Int64($0)) } ?? .null]
                let result = try await options.withClient { try await $0.call("case.time_allowed.set", params) }
                if options.json { return Output.json(result) }
                let days = result["days"]?.intValue.map { L(en: "\($0) days", zh: "\($0) 天") } ?? L(en: "no limit", zh: "不限")
                print("\(kind) \(stage): \(days)" + (restoreDefault ? L(en: " (default)", zh: "（默认）") : L(en: " (agency)", zh: "（本机构）")))
            }
        }
    }
}
