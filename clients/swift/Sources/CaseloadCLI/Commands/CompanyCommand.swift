import ArgumentParser
import CaseloadProtocol
import Foundation

struct CompanyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "company",
        abstract: "Client companies (用人单位).",
        subcommands: [Add.self, List.self, Show.self, Update.self, Assign.self]
    )

    /// The fields `add` and `update` share.
    struct Fields: ParsableArguments {
        @Option(help: "Unified social credit code (统一社会信用代码).") var creditCode: String?
        @Option(help: "Reason to accept a credit code that fails its checksum.") var creditCodeOverride: String?
        @Option(help: "Organization code (组织机构代码), XXXXXXXX-X.") var orgCode: String?
        @Option(help: "Reason to accept an organization code that fails its checksum.") var orgCodeOverride: String?
        @Option(help: "District: pudong, xuhui, … or 浦东新区, 徐汇区, …") var district: String?
        @Option(help: "HR contact's name.") var hrName: String?
        @Option(help: "HR contact's mobile number.") var hrPhone: String?
        @Option(help: "Talent-center status: unregistered, registered_online, activated, change_pending.") var status: String?

        var params: [String: JSONValue] {
            var p: [String: JSONValue] = [:]
            p["credit_code"] = creditCode.map(JSONValue.string)
            p["credit_code_override"] = creditCodeOverride.map(JSONValue.string)
            p["org_code"] = orgCode.map(JSONValue.string)
            p["org_code_override"] = orgCodeOverride.map(JSONValue.string)
            p["district"] = district.map(JSONValue.string)
            p["hr_name"] = hrName.map(JSONValue.string)
            p["hr_phone"] = hrPhone.map(JSONValue.string)
            p["talent_center_status"] = status.map(JSONValue.string)
            return p
        }
    }

    static func show(_ company: JSONValue, json: Bool) {
        if json { return Output.json(company) }
        let t = Output.text
        Output.record([
            ("id", t(company["id"])),
            (L(en: "name", zh: "名称"), t(company["name"])),
            (L(en: "credit code", zh: "信用代码"), t(company["credit_code"]) + (company["credit_code_override"]?.isNull == false ? "  (\(L(en: "checksum overridden", zh: "校验位已越过")): \(t(company["credit_code_override"])))" : "")),
            (L(en: "org code", zh: "组织机构代码"), t(company["org_code"]) + (company["org_code_override"]?.isNull == false ? "  (\(L(en: "checksum overridden", zh: "校验位已越过")): \(t(company["org_code_override"])))" : "")),
            (L(en: "district", zh: "区"), t(company["district_name"])),
            (L(en: "HR", zh: "人事"), "\(t(company["hr_name"]))  \(t(company["hr_phone"]))"),
            (L(en: "talent center", zh: "人才中心"), Labels.named(company["talent_center_status"], ServerLabels.names("talent_center_status"))),
            (L(en: "version", zh: "版本"), t(company["version"])),
            (L(en: "updated", zh: "更新于"), Labels.time(company["updated_at"])),
        ])
    }

    struct Add: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "Add a client company.")
        @OptionGroup var options: ClientOptions
        @Option(help: "Registered name (单位名称).") var name: String
        @OptionGroup var fields: Fields

        func execute() async throws {
            var params = fields.params
            params["name"] = .string(name)
            let company = try await options.withClient { try await $0.call("company.create", .object(params)) }
            CompanyCommand.show(company, json: options.json)
        }
    }

    struct List: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "List client companies by name.")
        @OptionGroup var options: ClientOptions
        @Option(help: "Only this district (code, e.g. pudong).") var district: String?
        @Option(help: "Only this talent-center status.") var status: String?
        @Option(help: "Only names containing this text.") var query: String?
        @Option(help: "Companies per page.") var limit = 50
        @Flag(help: "Fetch every page, not just the first.") var all = false

        func execute() async throws {
            var params: [String: JSONValue] = ["limit": .int(Int64(limit))]
            params["district"] = district.map(JSONValue.string)
            params["talent_center_status"] = status.map(JSONValue.string)
            params["query"] = query.map(JSONValue.string)
            let (companies, more) = try await options.withClient {
                try await $0.pages("company.list", params, key: "companies", all: all)
            }
            if options.json { return Output.json(.array(companies)) }
            let t = Output.text
            Output.table(
                ["ID", L(en: "NAME", zh: "名称"), L(en: "CREDIT CODE", zh: "信用代码"), L(en: "DISTRICT", zh: "区"), L(en: "STATUS", zh: "人才中心"), L(en: "HR", zh: "人事")],
                companies.map { c in
                    [t(c["id"]), t(c["name"]), c["credit_code"]?.stringValue ?? t(c["org_code"]), t(c["district_name"]),
                     Labels.named(c["talent_center_status"], ServerLabels.names("talent_center_status")), "\(t(c["hr_name"])) \(t(c["hr_phone"]))"]
                })
            if more { print(Output.more) }
        }
    }

    struct Show: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "Show one client company.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Company id.") var id: String

        func execute() async throws {
            let company = try await options.withClient { try await $0.call("company.get", ["id": .string(id)]) }
            CompanyCommand.show(company, json: options.json)
        }
    }

    struct Update: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a client company's fields.",
            discussion: "Without --version the CLI uses the version it reads just before (last writer wins only within that instant)."
        )
        @OptionGroup var options: ClientOptions
        @Argument(help: "Company id.") var id: String
        @OptionGroup var expected: VersionOption
        @Option(help: "New registered name.") var name: String?
        @OptionGroup var fields: Fields

        func execute() async throws {
            var params = fields.params
            params["name"] = name.map(JSONValue.string)
            let company = try await options.change("company.update", id: id, version: expected.version, readingWith: "company.get", params)
            CompanyCommand.show(company, json: options.json)
        }
    }

    struct Assign: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Assign a consultant to a client company (owner or manager only).",
            discussion: "The \"by consultant\" filters of `applicant list` and `case list` follow the assignment. See `caseload user list` for user ids."
        )
        @OptionGroup var options: ClientOptions
        @Argument(help: "Company id.") var companyID: String
        @Option(help: "The consultant's user id.") var user: String
        @Flag(help: "Remove the assignment instead.") var unassign = false

        func execute() async throws {
            let params: JSONValue = ["company_id": .string(companyID), "user_id": try await options.user(user) ?? .string(user), "assigned": .bool(!unassign)]
            let result = try await options.withClient { try await $0.call("company.assign", params) }
            if options.json { return Output.json(result) }
            let consultants = result["consultants"]?.arrayValue ?? []
            if consultants.isEmpty { return print(L(en: "No consultant is assigned to this company now.", zh: "该单位目前没有负责顾问。")) }
            print(L(en: "Consultants of this company now:", zh: "该单位现在的负责顾问："))
            UserCommand.table(consultants)
        }
    }
}
