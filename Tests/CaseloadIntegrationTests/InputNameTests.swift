import CaseloadClient
import CaseloadProtocol
import Foundation
import Testing

/// Names people write for values (硕士, 积分新办, 网上提交) and dates as they write them
/// (2026/9/30, 2026年9月30日), over TCP: stored canonically; unknown names refused with a
/// "did you mean", changing nothing.
@Suite("Input names and date forms over TCP")
struct InputNameTests {
    static func messages(_ e: RPCError?) -> [String] {
        (e?.data?["errors"]?.arrayValue ?? []).compactMap { $0["message"]?.stringValue }
    }

    @Test("Chinese names are stored as the canonical values; a stage advances by its Chinese name; typos are refused with did-you-mean")
    func names() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            let f = try await Fixture.make(client, education: "硕士")
            #expect(try await client.call("applicant.get", ["id": f.applicantID])["education_level"] == "master")
            var c = try await client.call("case.open", ["applicant_id": f.applicantID, "kind": "积分新办"])
            #expect(c["kind"] == "points_new")
            c = try await client.advance(c, to: "单位注册开通")
            #expect(c["stage"] == "employer_ready")
            #expect(try await client.call("case.list", ["stage": "Employer ready"])["cases"]?.arrayValue?.count == 1)

            // An unknown stage filter is refused, not an empty list.
            let listed = await expectRPCError(.validationFailed) { _ = try await client.call("case.list", ["stage": "submited_online", "kind": "points_new"]) }
            #expect(listed?.fieldRules.first?.field == "stage" && listed?.fieldRules.first?.rule == "enum")
            #expect(Self.messages(listed).first?.hasPrefix("unknown stage 'submited_online' for points_new (did you mean 'submitted_online'?)") == true)
            let anyKind = await expectRPCError(.validationFailed) { _ = try await client.call("case.list", ["stage": "submited_online"]) }
            #expect(Self.messages(anyKind).first?.contains("did you mean 'submitted_online'?") == true)

            // A mistyped target stage: refused with the hint, and the case is as it was.
            let typo = await expectRPCError(.validationFailed) { _ = try await client.advance(c, to: "acount") }
            #expect(typo?.fieldRules.first?.field == "to" && typo?.fieldRules.first?.rule == "enum")
            #expect(Self.messages(typo).first?.contains("did you mean 'account'?") == true)
            let after = try await client.call("case.get", ["id": c["id"]!])
            #expect(after["stage"] == "employer_ready" && after["version"] == c["version"])

            // A mistyped enum param: the accepted values and the hint.
            let kind = await expectRPCError(.invalidParams) { _ = try await client.call("case.list", ["kind": "points_nwe"]) }
            #expect(kind?.fieldRules.first?.field == "kind" && kind?.fieldRules.first?.rule == "enum")
            #expect(Self.messages(kind).first?.hasSuffix("(did you mean 'points_new'?)") == true)
            let rule = await expectRPCError(.validationFailed) { _ = try await client.call("deadline.list", ["rule": "no_such_rule"]) }
            #expect(rule?.fieldRules.first?.field == "rule" && rule?.fieldRules.first?.rule == "enum")
        }
    }

    @Test("dates as 2026-01-05, 2026/1/5 and 2026年1月5日 are accepted; a bad one names the field and repeats the text")
    func dates() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            let f = try await Fixture.make(client)
            let a = try await client.call("applicant.get", ["id": f.applicantID])
            let updated = try await client.call(
                "applicant.update", ["id": f.applicantID, "version": a["version"]!, "permit_received_date": "2026/1/6", "permit_expiry_date": "2027年1月6日"])
            #expect(updated["permit_received_date"] == "2026-01-06" && updated["permit_expiry_date"] == "2027-01-06")
            let c = try await client.call("case.open", ["applicant_id": f.applicantID, "kind": "points_new", "data": ["permit_received_date": "２０２６年１月６日"]])
            #expect(c["recorded"]?["residence_permit"]?["permit_received_date"] == "2026-01-06")

            let bad = await expectRPCError(.invalidParams) {
                _ = try await client.call("applicant.update", ["id": f.applicantID, "version": updated["version"]!, "permit_expiry_date": "2027/13/1"])
            }
            #expect(bad?.fieldRules.first?.field == "permit_expiry_date" && bad?.fieldRules.first?.rule == "format")
            #expect(Self.messages(bad).first == "'2027/13/1' is not a date; write 2026-09-30, 2026/9/30 or 2026年9月30日")
            let hidden = await expectRPCError(.invalidParams) {
                _ = try await client.call("applicant.update", ["id": f.applicantID, "version": updated["version"]!, "permit_expiry_date": .string(f.idNumber)])
            }
            #expect(Self.messages(hidden).first?.contains(f.idNumber.prefix(6)) == false)
            #expect(try await client.call("applicant.get", ["id": f.applicantID])["version"] == updated["version"])
        }
    }
}

@Suite("Import: ignored columns, numbers Excel mangled, consultants' own companies")
struct ImportNameTests {
    func rows(_ rows: [[String: String]]) -> JSONValue {
        .array(rows.enumerated().map { i, fields in ["row": .int(Int64(i + 1)), "fields": .object(fields.mapValues(JSONValue.string))] })
    }

    func commit(_ client: RPCClient, _ fields: [[String: String]], dryRun: Bool) async throws -> JSONValue {
        let id = try await client.call("import.begin", ["kind": "applicants"])["import_id"]!
        _ = try await client.call("import.rows", ["import_id": id, "rows": rows(fields)])
        return try await client.call("import.commit", ["import_id": id, "dry_run": .bool(dryRun)])
    }

    @Test("a consultant imports for an assigned company (序号 and 备注 ignored, listed once) and is refused, by row, for another; an ID Excel turned into 3.20102E+17 says so")
    func consultantImport() async throws {
        let server = try await TestServer.shared()
        let w = try await AccessTests.World.make(on: server)
        let (mine, other) = try await server.withClient(token: w.agency.token) { owner async throws in
            (try await owner.call("company.get", ["id": w.mine.companyID])["org_code"]!.stringValue!,
             try await owner.call("company.get", ["id": w.others.companyID])["org_code"]!.stringValue!)
        }
        try await server.withClient(token: w.consultant.token) { c async throws in
            let good = ["company_org_code": mine, "name": "赵敏", "id_number": residentID(birth: "19850101", 41), "education_level": "研究生",
                        "permit_expiry_date": "2027年3月1日", "序号": "1", "备注": "老客户"]
            let theirs = ["company_org_code": other, "name": "钱进", "id_number": residentID(birth: "19850101", 42)]
            let excel = ["company_org_code": mine, "name": "孙丽", "id_number": "3.20102E+17"]
            let dry = try await commit(c, [good, theirs, excel], dryRun: true)
            #expect(dry["ignored_columns"] == ["备注", "序号"])
            let errors = (dry["errors"]?.arrayValue ?? []).map { "\($0["row"]!.intValue!):\($0["column"]!.stringValue!):\($0["rule"]!.stringValue!)" }
            #expect(errors == ["2:company_org_code:not_assigned", "3:id_number:excel_number"])
            #expect(dry["errors"]?.arrayValue?.last?["message"]?.stringValue?.contains("(3.20102E+17); format the column as text (设置单元格格式 → 文本)") == true)

            let done = try await commit(c, [good], dryRun: false)
            #expect(done["applied"] == true && done["created"] == 1)
            let listed = try await c.call("applicant.list", ["company_id": w.mine.companyID])["applicants"]?.arrayValue ?? []
            #expect(listed.contains { $0["name"] == "赵敏" && $0["education_level"] == "master" && $0["permit_expiry_date"] == "2027-03-01" })
        }
        // Nothing reached the other company.
        try await server.withClient(token: w.agency.token) { owner async throws in
            let theirs = try await owner.call("applicant.list", ["company_id": w.others.companyID])["applicants"]?.arrayValue ?? []
            #expect(!theirs.contains { $0["name"] == "钱进" })
        }
    }
}
