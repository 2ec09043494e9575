import ArgumentParser
import CaseloadProtocol
import Foundation

struct DocumentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doc",
        abstract: "Documents held (材料保管): who has each paper, where, since when.",
        discussion: """
            Every movement is appended to the paper's custody trail: receive (from the client), move (between \
            storage locations), handover (to an authority, with the receipt number), forward (one authority to \
            the other), collect (back from an authority), return (to the client, signed for).
            """,
        subcommands: [Receive.self, Move.self, Handover.self, Forward.self, Collect.self, Return.self, Correct.self, Where.self, List.self],
        aliases: ["document"]
    )

    static let types = """
        Document types: business_licence, credit_code_certificate, social_insurance_registration, company_ic_card, \
        introduction_letter, hr_officer_id (company papers); id_card, residence_permit, application_form, household_register, \
        labour_contract, dispatch_agreement, graduation_certificate, degree_certificate, xuexin_record, \
        degree_verification_report, associate_diploma, title_certificate, receipt, points_notice, archive_retrieval \
        (the applicant's).
        """
    static let authorities = "talent_center (区人才服务中心) or city_verification_center (市级审核中心)."

    /// One document as `key  value` lines.
    static func record(_ d: JSONValue) {
        let t = Output.text
        Output.record([
            ("id", t(d["id"])),
            (L(en: "type", zh: "类型"), "\(Labels.documentType(d))  (\(t(d["document_type"])))"),
            (L(en: "form", zh: "形式"), Labels.named(d["form"], Labels.form)),
            (L(en: "description", zh: "说明"), t(d["description"])),
            (L(en: "holder", zh: "持有人"), t(d["holder"]?["name"])),
            (L(en: "location", zh: "位置"), t(d["holder"]?["location_code"])),
            (L(en: "since", zh: "自"), Labels.time(d["holder_since"])),
            (L(en: "company", zh: "单位"), t(d["company_id"])),
            (L(en: "applicant", zh: "申请人"), t(d["applicant_id"])),
            (L(en: "case", zh: "办件"), t(d["case_id"])),
        ])
    }

    static func show(_ d: JSONValue, json: Bool) {
        json ? Output.json(d) : record(d)
    }

    /// Documents as a table (also used for a location's contents).
    static func table(_ documents: [JSONValue]) {
        let t = Output.text
        Output.table(
            ["ID", L(en: "TYPE", zh: "类型"), L(en: "FORM", zh: "形式"), L(en: "HOLDER", zh: "持有人"), L(en: "LOCATION", zh: "位置"), L(en: "SINCE", zh: "自")],
            documents.map { d in
                [t(d["id"]), Labels.documentType(d), Labels.named(d["form"], Labels.form), Labels.holder(d["holder"]),
                 t(d["holder"]?["location_code"]), Labels.time(d["holder_since"])]
            })
    }

    /// Calls a custody `method` on document `id` and shows the document afterwards.
    /// A custody move of document `id` at `version` (else the version `document.where` reads just before).
    static func move(_ method: String, id: String, version: Int?, _ params: [String: JSONValue], options: ClientOptions) async throws {
        var params = params
        params["id"] = .string(id)
        let d = try await options.change(method, params, version: version) {
            try await $0.call("document.where", ["id": .string(id)])["document"]?["version"]
        }
        show(d, json: options.json)
    }

    struct Receive: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a paper received from the client, optionally stored at a location straight away; or, with --all-missing, every paper a case's checklist misses at once.",
            discussion: DocumentCommand.types
                + "\n\nAn applicant's paper needs --applicant or --case; a company paper --company (or either of those)."
                + "\n--all-missing --case ID receives what the case's checklist misses, each in the form it requires (--type, repeatable, limits it to those); what is held already is not received twice.")
        @OptionGroup var options: ClientOptions
        @Option(help: "Document type (see below), e.g. graduation_certificate (with --all-missing: repeatable, only these).") var type: [String] = []
        @Option(help: "original 原件, copy 复印件 or sealed_copy 加盖公章复印件 (with --all-missing: the checklist's).") var form: String?
        @Option(help: "Who handed it over.") var from: String
        @Option(help: "Whose paper: applicant id.") var applicant: String?
        @Option(name: .customLong("case"), help: "The case it is for (its applicant and company are used).") var caseID: String?
        @Option(help: "For a company paper: company id (else taken from the applicant or case).") var company: String?
        @Option(help: "Free text, e.g. 本科毕业证书 复旦大学.") var description: String?
        @Option(help: "Store it at this location code right away.") var location: String?
        @Flag(help: "Receive every paper the case's checklist misses (needs --case).") var allMissing = false

        func validate() throws {
            if allMissing {
                guard caseID != nil else { throw ValidationError(L(en: "--all-missing needs --case", zh: "--all-missing 须与 --case 一起使用")) }
                guard form == nil, applicant == nil, company == nil, description == nil else {
                    throw ValidationError(L(en: "--all-missing takes the forms from the case's checklist: leave out --form, --applicant, --company and --description", zh: "--all-missing 按办件清单的形式接收：请去掉 --form、--applicant、--company 和 --description"))
                }
            } else {
                guard type.count == 1 else { throw ValidationError(L(en: "give one --type (or --all-missing with --case)", zh: "请给出一个 --type（或用 --all-missing 加 --case）")) }
                guard form != nil else { throw ValidationError(L(en: "give --form (original, copy or sealed_copy)", zh: "请给出 --form（original、copy 或 sealed_copy）")) }
            }
        }

        func execute() async throws {
            if allMissing { return try await receiveMissing() }
            var params: [String: JSONValue] = ["document_type": .string(type.first ?? ""), "form": .string(form ?? ""), "from": .string(from)]
            params["applicant_id"] = applicant.map(JSONValue.string)
            params["case_id"] = caseID.map(JSONValue.string)
            params["company_id"] = try await options.company(company)
            params["description"] = description.map(JSONValue.string)
            params["location"] = location.map(JSONValue.string)
            let d = try await options.withClient { try await $0.call("document.receive", .object(params)) }
            DocumentCommand.show(d, json: options.json)
        }

        func receiveMissing() async throws {
            var params: [String: JSONValue] = ["case_id": .string(caseID ?? ""), "from": .string(from)]
            if !type.isEmpty { params["types"] = .array(type.map(JSONValue.string)) }
            params["location"] = location.map(JSONValue.string)
            let result = try await options.withClient { try await $0.call("document.receive_missing", .object(params)) }
            if options.json { return Output.json(result) }
            let t = Output.text
            Output.table(
                [L(en: "DOCUMENT", zh: "文件"), L(en: "FORM", zh: "形式"), L(en: "RESULT", zh: "结果"), "ID"],
                (result["results"]?.arrayValue ?? []).map { r in
                    [Labels.named(r["document_type"], ServerLabels.names("document_type")), Labels.named(r["form"], Labels.form), Labels.named(r["result"], Self.resultNames), Labels.short(r["document_id"])]
                })
            print(L(en: "received \(t(result["received"])); still missing \(t(result["missing"]))", zh: "已接收 \(t(result["received"]))；仍缺 \(t(result["missing"]))"))
        }

        /// `document.receive_missing`'s results by name (the value itself in English).
        static var resultNames: [String: String] { Language.current == .en ? [:] : ["received": "已接收", "already_held": "早已持有"] }
    }

    struct Move: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "Store a paper the agency holds at a location, or move it to another.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Document id.") var id: String
        @OptionGroup var expected: VersionOption
        @Option(help: "Location code (see `caseload location list`).") var location: String

        func execute() async throws {
            try await DocumentCommand.move("document.move", id: id, version: expected.version, ["location": .string(location)], options: options)
        }
    }

    struct Handover: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "Hand a paper the agency holds to an authority, against a receipt (收件凭证).")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Document id.") var id: String
        @OptionGroup var expected: VersionOption
        @Option(help: ArgumentHelp(DocumentCommand.authorities)) var authority: String
        @Option(help: "The receipt's number.") var receipt: String?

        func execute() async throws {
            var params: [String: JSONValue] = ["authority": .string(authority)]
            params["receipt_number"] = receipt.map(JSONValue.string)
            try await DocumentCommand.move("document.handover", id: id, version: expected.version, params, options: options)
        }
    }

    struct Forward: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record one authority passing a paper to the other (diplomas to the city center for checking, and back).")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Document id.") var id: String
        @OptionGroup var expected: VersionOption
        @Option(help: ArgumentHelp("The authority that now has it: " + DocumentCommand.authorities)) var to: String

        func execute() async throws {
            try await DocumentCommand.move("document.forward", id: id, version: expected.version, ["to": .string(to)], options: options)
        }
    }

    struct Collect: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "Collect a paper back from the authority that holds it.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Document id.") var id: String
        @OptionGroup var expected: VersionOption
        @Option(help: ArgumentHelp("Who it is collected from: " + DocumentCommand.authorities)) var authority: String

        func execute() async throws {
            try await DocumentCommand.move("document.collect", id: id, version: expected.version, ["authority": .string(authority)], options: options)
        }
    }

    struct Return: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Return a paper the agency holds to the client, signed for.",
            discussion: "A paper out with an authority must be collected first.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Document id.") var id: String
        @OptionGroup var expected: VersionOption
        @Option(help: "Who received it.") var to: String
        @Option(help: "Who signed for it.") var signedBy: String

        func execute() async throws {
            try await DocumentCommand.move("document.return", id: id, version: expected.version, ["to": .string(to), "signed_by": .string(signedBy)], options: options)
        }
    }

    struct Correct: ClientCommand {
        static let configuration = CommandConfiguration(
            commandName: "undo",
            abstract: "Reverse a paper's latest move recorded by mistake (更正): a compensating entry puts it back where it was; the ledger keeps both.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Document id.") var id: String
        @OptionGroup var expected: VersionOption
        @Option(help: "Why the move was a mistake (kept in the ledger).") var reason: String

        func execute() async throws {
            try await DocumentCommand.move("document.correct", id: id, version: expected.version, ["reason": .string(reason)], options: options)
        }
    }

    struct Where: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "Where a paper is now, since when, and its full custody trail.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Document id.") var id: String

        func execute() async throws {
            let result = try await options.withClient { try await $0.call("document.where", ["id": .string(id)]) }
            if options.json { return Output.json(result) }
            DocumentCommand.record(result["document"] ?? .null)
            print()
            let t = Output.text
            Output.table(
                ["#", L(en: "WHEN", zh: "时间"), L(en: "WHO", zh: "谁"), L(en: "EVENT", zh: "事件"), L(en: "HOLDER", zh: "持有人")],
                (result["trail"]?.arrayValue ?? []).map { e in
                    [t(e["seq"]), Labels.time(e["at"]), t(e["user_name"]), Labels.custody(e["event"]), Labels.holder(e["holder"])]
                })
        }
    }

    struct List: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "List documents, oldest first: by company, applicant, case, holder or form.",
            discussion: """
                --out-days N: originals out with an authority for longer than N days.
                --finished-cases: originals still out (with the agency or an authority) on closed or withdrawn cases.
                """)
        @OptionGroup var options: ClientOptions
        @Option(help: "Only this company's.") var company: String?
        @Option(help: "Only this applicant's.") var applicant: String?
        @Option(name: .customLong("case"), help: "Only this case's.") var caseID: String?
        @Option(help: "Only with this holder: client, agency, talent_center, city_verification_center, returned.") var holder: String?
        @Option(help: "Only this form: original, copy, sealed_copy.") var form: String?
        @Flag(help: "Only originals (same as --form original).") var originals = false
        @Option(help: "Only those with an authority for longer than this many days.") var outDays: Int?
        @Flag(help: "Only originals still out on closed or withdrawn cases.") var finishedCases = false
        @Option(help: "How many (default 200).") var limit: Int?

        func validate() throws {
            if originals, let form, form != "original" { throw ValidationError(L(en: "--originals contradicts --form \(form)", zh: "--originals 与 --form \(form) 相矛盾")) }
        }

        func execute() async throws {
            var params: [String: JSONValue] = [:]
            params["company_id"] = try await options.company(company)
            params["applicant_id"] = applicant.map(JSONValue.string)
            params["case_id"] = caseID.map(JSONValue.string)
            params["holder"] = holder.map(JSONValue.string)
            params["form"] = originals ? .string("original") : form.map(JSONValue.string)
            params["out_longer_than_days"] = outDays.map { .int(Int64($0)) }
            if finishedCases { params["finished_cases"] = true }
            params["limit"] = limit.map { .int(Int64($0)) }
            let documents = try await options.withClient { try await $0.call("document.list", .object(params))["documents"] ?? [] }
            if options.json { return Output.json(documents) }
            DocumentCommand.table(documents.arrayValue ?? [])
        }
    }
}
