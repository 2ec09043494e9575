import ArgumentParser
import CaseloadProtocol
import Foundation

struct ArchiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "Personnel archives (人事档案): where an applicant's archive is and how far its retrieval has come.",
        subcommands: [SetStatus.self, Show.self]
    )

    static let statuses = """
        Statuses, forward only: unknown 存档情况未知 → located 已查明存档机构 → retrieval_requested 已申请调档 → \
        at_talent_center 档案已在人才中心 → verified 档案已核实 (an archive found at the talent center may skip to at_talent_center).
        """

    static func show(_ a: JSONValue, json: Bool) {
        if json { return Output.json(a) }
        let t = Output.text
        Output.record([
            (L(en: "applicant", zh: "申请人"), t(a["applicant_id"])),
            (L(en: "holder type", zh: "存档机构类型"), Labels.named(a["holder_type"], Labels.archiveHolderType)),
            (L(en: "holder", zh: "存档机构"), t(a["holder_name"])),
            (L(en: "district", zh: "区"), t(a["district"])),
            (L(en: "status", zh: "状态"), Labels.named(a["status"], Labels.archiveStatus) + "  (\(t(a["status"])))"),
        ])
        let history = a["history"]?.arrayValue ?? []
        print()
        if history.isEmpty { return print(L(en: "(no changes recorded)", zh: "（没有变更记录）")) }
        Output.table(
            ["#", L(en: "WHEN", zh: "时间"), L(en: "WHO", zh: "谁"), L(en: "FROM", zh: "从"), L(en: "TO", zh: "到"), L(en: "HOLDER", zh: "存档机构"), L(en: "DISTRICT", zh: "区"), L(en: "NOTE", zh: "备注")],
            history.map { e in
                [
                    t(e["seq"]), Labels.time(e["at"]), t(e["user_name"]), e["from_status"]?.stringValue ?? "", t(e["to_status"]),
                    ([Labels.named(e["holder_type"], Labels.archiveHolderType)] + [e["holder_name"]?.stringValue].compactMap { $0 })
                        .joined(separator: " "),
                    e["district"]?.stringValue ?? "", e["note"]?.stringValue ?? "",
                ]
            })
    }

    struct SetStatus: ClientCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Record where an applicant's archive is and move its status forward; every change is kept.",
            discussion: ArchiveCommand.statuses)
        @OptionGroup var options: ClientOptions
        @Argument(help: "Applicant id.") var applicantID: String
        @Option(help: """
            Kind of institution: district_talent_center, district_employment_agency, university, company, \
            other_province_center, unknown.
            """) var holderType: String?
        @Option(help: "The institution, e.g. 徐汇区人才服务中心.") var holderName: String?
        @Option(help: "Its district or province.") var district: String?
        @Option(help: "The new status (forward only; see the overview).") var status: String?
        @Option(help: "Why, or what was done.") var note: String?
        @OptionGroup var expected: VersionOption

        func validate() throws {
            if [holderType, holderName, district, status, note].allSatisfy({ $0 == nil }) {
                throw ValidationError(L(en: "give something to record: --holder-type, --holder-name, --district, --status or --note", zh: "请给出要记录的内容：--holder-type、--holder-name、--district、--status 或 --note"))
            }
        }

        func execute() async throws {
            var params: [String: JSONValue] = ["applicant_id": .string(applicantID)]
            params["holder_type"] = holderType.map(JSONValue.string)
            params["holder_name"] = holderName.map(JSONValue.string)
            params["district"] = district.map(JSONValue.string)
            params["status"] = status.map(JSONValue.string)
            params["note"] = note.map(JSONValue.string)
            let a = try await options.change("archive.set", params, version: expected.version) { [applicantID] in
                try await $0.call("archive.show", ["applicant_id": .string(applicantID)])["version"]
            }
            ArchiveCommand.show(a, json: options.json)
        }
    }

    struct Show: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "An applicant's personnel archive: holder, status and every change.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Applicant id.") var applicantID: String

        func execute() async throws {
            let a = try await options.withClient { try await $0.call("archive.show", ["applicant_id": .string(applicantID)]) }
            ArchiveCommand.show(a, json: options.json)
        }
    }
}
