import ArgumentParser
import CaseloadProtocol
import Foundation

struct ApplicantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "applicant",
        abstract: "Applicants (申请人): employees of client companies.",
        subcommands: [Add.self, List.self, Show.self, Reveal.self, Update.self, Estimate.self]
    )

    /// The profile fields `add` and `update` share. Absent options are not sent (an update keeps
    /// the field); `update --clear FIELD` empties one.
    struct Fields: ParsableArguments {
        @Option(help: "Mobile number (11 digits starting with 1).") var phone: String?
        @Option(help: "Highest education: associate 大专, bachelor 本科, bachelor_degree 本科+学士, master 硕士, doctor 博士.")
        var education: String?
        @Flag(inversion: .prefixedNo, help: "专升本: the bachelor's degree followed an associate diploma.") var upgradedFromAssociate: Bool?
        @Option(help: "Skill level or title: level5 … level1, intermediate_title, senior_title.") var skill: String?
        @Option(help: "Residence permit number (居住证号).") var permitNumber: String?
        @Option(help: "Date the residence permit was received (2026-09-30, 2026/9/30 or 2026年9月30日).") var permitReceived: String?
        @Option(help: "Date the residence permit expires, written as a date above.") var permitExpiry: String?
        @Option(help: "Full months of Shanghai social insurance.") var insuranceMonths: Int?
        @Option(help: "Contribution base: at_least_0.8, at_least_1, at_least_2, at_least_3.") var contributionBase: String?
        @Flag(inversion: .prefixedNo, help: "Studied a shortage major (紧缺急需专业).") var shortageMajor: Bool?
        @Flag(inversion: .prefixedNo, help: "Fresh full-time graduate (应届毕业生).") var freshGraduate: Bool?
        @Option(help: "Years married to a spouse with Shanghai hukou.") var spouseHukouYears: Int?
        @Option(help: "Years working in a remote district (远郊).") var remoteDistrictYears: Int?
        @Flag(inversion: .prefixedNo, help: "Employed through a dispatch agency (劳务派遣).") var dispatched: Bool?
        @Option(help: "A deduction that applies: false_materials, detention, criminal_record (repeatable).") var deduction: [String] = []

        var params: [String: JSONValue] {
            get throws {
                var p: [String: JSONValue] = [:]
                p["phone"] = phone.map(JSONValue.string)
                p["education_level"] = education.map(JSONValue.string)
                p["upgraded_from_associate"] = upgradedFromAssociate.map(JSONValue.bool)
                p["skill_level"] = skill.map(JSONValue.string)
                p["permit_number"] = permitNumber.map(JSONValue.string)
                p["permit_received_date"] = try DateFlag.iso(permitReceived, flag: "--permit-received").map(JSONValue.string)
                p["permit_expiry_date"] = try DateFlag.iso(permitExpiry, flag: "--permit-expiry").map(JSONValue.string)
                p["social_insurance_months"] = insuranceMonths.map { .int(Int64($0)) }
                p["contribution_base"] = contributionBase.map(JSONValue.string)
                p["shortage_major"] = shortageMajor.map(JSONValue.bool)
                p["fresh_graduate"] = freshGraduate.map(JSONValue.bool)
                p["spouse_hukou_years"] = spouseHukouYears.map { .int(Int64($0)) }
                p["remote_district_years"] = remoteDistrictYears.map { .int(Int64($0)) }
                p["dispatched"] = dispatched.map(JSONValue.bool)
                if !deduction.isEmpty { p["deductions"] = .array(deduction.map(JSONValue.string)) }
                return p
            }
        }
    }

    static func show(_ a: JSONValue, json: Bool) {
        if json { return Output.json(a) }
        let t = Output.text
        func yes(_ key: String) -> String { t(a[key]) }
        let deductions = a["deductions"]?.arrayValue?.compactMap(\.stringValue) ?? []
        Output.record([
            ("id", t(a["id"])),
            (L(en: "name", zh: "姓名"), t(a["name"])),
            (L(en: "ID number", zh: "身份证"), t(a["id_number"])),
            (L(en: "born", zh: "出生"), "\(t(a["birth_date"]))  \(t(a["gender"]))"),
            (L(en: "phone", zh: "电话"), t(a["phone"])),
            (L(en: "company", zh: "单位"), [a["company_short_name"]?.stringValue, a["company_id"]?.stringValue].compactMap { $0 }.joined(separator: "  ")),
            (L(en: "education", zh: "学历"), Labels.named(a["education_level"], Labels.education) + (a["upgraded_from_associate"]?.boolValue == true ? L(en: "  (upgraded from associate)", zh: "  （专升本）") : "")),
            (L(en: "skill", zh: "技能/职称"), Labels.named(a["skill_level"], Labels.skill)),
            (L(en: "permit", zh: "居住证"), "\(t(a["permit_number"]))  \(L(en: "received", zh: "领取")) \(t(a["permit_received_date"]))  \(L(en: "expires", zh: "到期")) \(t(a["permit_expiry_date"]))"),
            (L(en: "insurance", zh: "社保"), a["social_insurance_months"]?.isNull == false ? L(en: "\(t(a["social_insurance_months"])) months", zh: "\(t(a["social_insurance_months"])) 个月") : "-"),
            (L(en: "contribution base", zh: "缴费基数"), Labels.named(a["contribution_base"], Labels.contributionBase)),
            (L(en: "shortage major", zh: "紧缺专业"), yes("shortage_major")),
            (L(en: "fresh graduate", zh: "应届生"), yes("fresh_graduate")),
            (L(en: "spouse hukou years", zh: "配偶户籍年限"), t(a["spouse_hukou_years"])),
            (L(en: "remote district years", zh: "远郊年限"), t(a["remote_district_years"])),
            (L(en: "dispatched", zh: "劳务派遣"), yes("dispatched")),
            (L(en: "deductions", zh: "减分"), deductions.isEmpty ? "-" : deductions.map { Labels.named(.string($0), ServerLabels.names("deduction")) }.joined(separator: ", ")),
            (L(en: "version", zh: "版本"), t(a["version"])),
            (L(en: "updated", zh: "更新于"), Labels.time(a["updated_at"])),
        ])
    }

    struct Add: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "Add an applicant under a client company.")
        @OptionGroup var options: ClientOptions
        @Option(help: "The employer's company id.") var company: String
        @Option(help: "Name as on the ID card.") var name: String
        @Option(help: "Resident ID number (居民身份证号码), 18 characters.") var idNumber: String
        @OptionGroup var fields: Fields

        func execute() async throws {
            var params = try fields.params
            params["company_id"] = try await options.company(company)
            params["name"] = .string(name)
            params["id_number"] = .string(idNumber)
            let applicant = try await options.withClient { try await $0.call("applicant.create", .object(params)) }
            ApplicantCommand.show(applicant, json: options.json)
        }
    }

    struct List: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "List applicants by name.")
        @OptionGroup var options: ClientOptions
        @Option(help: "Only this company's applicants.") var company: String?
        @Option(help: "Only applicants of companies assigned to this user.") var consultant: String?
        @Option(help: "Only names containing this text.") var query: String?
        @Option(help: "Only the applicant with exactly this ID number.") var idNumber: String?
        @Option(help: "Applicants per page.") var limit = 50
        @Flag(help: "Fetch every page, not just the first.") var all = false

        func execute() async throws {
            var params: [String: JSONValue] = ["limit": .int(Int64(limit))]
            params["company_id"] = try await options.company(company)
            params["consultant_id"] = try await options.user(consultant)
            params["query"] = query.map(JSONValue.string)
            params["id_number"] = idNumber.map(JSONValue.string)
            let (applicants, more) = try await options.withClient {
                try await $0.pages("applicant.list", params, key: "applicants", all: all)
            }
            if options.json { return Output.json(.array(applicants)) }
            let t = Output.text
            Output.table(
                ["ID", L(en: "NAME", zh: "姓名"), L(en: "ID NUMBER", zh: "身份证"), L(en: "COMPANY", zh: "单位"), L(en: "EDUCATION", zh: "学历"), L(en: "PERMIT EXPIRY", zh: "居住证到期")],
                applicants.map { a in
                    [t(a["id"]), t(a["name"]), t(a["id_number"]), t(a["company_short_name"]),
                     Labels.named(a["education_level"], Labels.education), t(a["permit_expiry_date"])]
                })
            if more { print(Output.more) }
        }
    }

    struct Show: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "Show one applicant (ID number and phone masked).")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Applicant id.") var id: String

        func execute() async throws {
            let applicant = try await options.withClient { try await $0.call("applicant.get", ["id": .string(id)]) }
            ApplicantCommand.show(applicant, json: options.json)
        }
    }

    struct Reveal: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show an applicant's full ID number and phone (written to the audit log).",
            discussion: "For filling in a government form. Owners, managers and the company's consultants only.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Applicant id.") var id: String

        func execute() async throws {
            let revealed = try await options.withClient { try await $0.call("applicant.reveal", ["id": .string(id)]) }
            if options.json { return Output.json(revealed) }
            Output.record([(L(en: "ID number", zh: "身份证号"), Output.text(revealed["id_number"])), (L(en: "Phone", zh: "手机"), Output.text(revealed["phone"]))])
        }
    }

    struct Update: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change an applicant's fields; --company records a transfer to a new employer.",
            discussion: "The ID number cannot change. Without --version the CLI uses the version it reads just before."
        )
        @OptionGroup var options: ClientOptions
        @Argument(help: "Applicant id.") var id: String
        @OptionGroup var expected: VersionOption
        @Option(help: "New employer's company id (a transfer; the employment history is kept).") var company: String?
        @Option(help: "New name.") var name: String?
        @OptionGroup var fields: Fields
        @Option(help: "Empty a field, by its protocol name (e.g. phone, skill_level); repeatable.") var clear: [String] = []

        func execute() async throws {
            var params = try fields.params
            params["company_id"] = try await options.company(company)
            params["name"] = name.map(JSONValue.string)
            for field in clear {
                guard params[field] == nil else { throw CLIError(L(en: "--clear \(field) contradicts the new value given for it", zh: "--clear \(field) 与给它的新值相矛盾")) }
                params[field] = .null
            }
            let applicant = try await options.change("applicant.update", id: id, version: expected.version, readingWith: "applicant.get", params)
            ApplicantCommand.show(applicant, json: options.json)
        }
    }

    struct Estimate: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Estimate an applicant's points (积分估算) against the standard.",
            discussion: "An estimate only: the city decides the real score."
        )
        @OptionGroup var options: ClientOptions
        @Argument(help: "Applicant id.") var id: String
        @Option(help: "Estimate as of this date, e.g. 2026-09-30 or 2026年9月30日 (default today).") var asOf: String?

        func execute() async throws {
            var params: [String: JSONValue] = ["id": .string(id)]
            params["as_of"] = try DateFlag.iso(asOf, flag: "--as-of").map(JSONValue.string)
            let estimate = try await options.withClient { try await $0.call("applicant.estimate", .object(params)) }
            if options.json { return Output.json(estimate) }
            let t = Output.text
            Output.table(
                [L(en: "INDICATOR", zh: "指标"), L(en: "POINTS", zh: "分数"), L(en: "EXPLANATION", zh: "说明")],
                (estimate["items"]?.arrayValue ?? []).map { item in
                    [t(Language.current == .zh ? item["chinese_name"] : item["english_name"]), t(item["points"]), t(item["explanation"])]
                })
            let meets = estimate["meets_standard"]?.boolValue == true
            print(
                L(
                    en: "total \(t(estimate["total"])) / standard \(t(estimate["standard"])): \(meets ? "meets" : "below") (estimate only)",
                    zh: "合计 \(t(estimate["total"])) / 标准 \(t(estimate["standard"]))：\(meets ? "达标" : "未达标")（仅为估算）"))
            print(L(en: "rules: ", zh: "规则：") + t(estimate["rules_version"]))
        }
    }
}
