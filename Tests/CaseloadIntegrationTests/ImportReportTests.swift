import CaseloadClient
import CaseloadProtocol
import CaseloadServer
import CaseloadStorage
import PostgresNIO
import Foundation
import Testing
import ZIPFoundation

@Suite("Bulk import and progress reports over TCP")
struct ImportReportTests {
    static let credit = "91350200776049653A"

    func stage(_ client: RPCClient, _ rows: [[String: String]]) async throws -> JSONValue {
        let begun = try await client.call("import.begin", ["kind": "applicants"])
        let id = begun["import_id"]!
        _ = try await client.call("import.rows", ["import_id": id, "rows": .array(payload(rows))])
        return id
    }

    /// `import.rows` entries, numbered from 1.
    func payload(_ rows: [[String: String]]) -> [JSONValue] {
        rows.enumerated().map { i, fields in ["row": .int(Int64(i + 1)), "fields": .object(fields.mapValues(JSONValue.string))] }
    }

    func row(_ n: Int, name: String = "陈静", extra: [String: String] = [:]) -> [String: String] {
        ["company_credit_code": Self.credit, "name": name, "id_number": residentID(n), "education_level": "本科", "dispatched": "否",
         "permit_expiry_date": "2027/3/1", "case_kind": "积分新办"].merging(extra) { $1 }
    }

    func applicantCount(_ client: RPCClient) async throws -> Int {
        try await client.call("applicant.list", ["limit": 500])["applicants"]?.arrayValue?.count ?? -1
    }

    @Test("a dry run reports the exact rows, columns and rules of planted errors and writes nothing")
    func dryRunErrors() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            _ = try await client.call("company.create", ["name": "进口公司", "credit_code": .string(Self.credit)])
            var bad = row(3)
            bad["id_number"] = String(residentID(3).dropLast()) + (residentID(3).last == "1" ? "2" : "1")
            let id = try await stage(client, [row(1), row(2, extra: ["permit_expiry_date": "2027-02-30", "education_level": "小学"]), bad, row(4, extra: ["company_credit_code": "91310000600000019B"])])
            let result = try await client.call("import.commit", ["import_id": id, "dry_run": true])
            #expect(result["applied"] == false)
            let errors = Set((result["errors"]?.arrayValue ?? []).map { "\($0["row"]!.intValue!):\($0["column"]!.stringValue!):\($0["rule"]!.stringValue!)" })
            #expect(errors.contains("2:permit_expiry_date:date"))
            #expect(errors.contains("2:education_level:enum"))
            #expect(errors.contains("3:id_number:checksum"))
            #expect(errors.contains { $0.hasPrefix("4:company_credit_code:") })
            #expect(try await applicantCount(client) == 0)
            // The import is finished: its staged personal data is gone.
            await expectRPCError(.conflict) { _ = try await client.call("import.commit", ["import_id": id]) }
            // Without dry run, the same errors: still all or nothing.
            let again = try await stage(client, [row(1), row(2, extra: ["permit_expiry_date": "2027-02-30", "education_level": "小学"]), bad, row(4, extra: ["company_credit_code": "91310000600000019B"])])
            let real = try await client.call("import.commit", ["import_id": again])
            #expect(real["applied"] == false)
            #expect(try await applicantCount(client) == 0)
        }
    }

    @Test("an import creates, a re-import updates (no duplicates), and cases are opened once")
    func importThenReimport() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            _ = try await client.call("company.create", ["name": "进口公司", "credit_code": .string(Self.credit)])
            var id = try await stage(client, [row(11), row(12, name: "刘洋")])
            let plan = try await client.call("import.commit", ["import_id": id, "dry_run": true])
            #expect(plan["plan"]?.arrayValue?.compactMap { $0["action"]?.stringValue } == ["create", "create"])
            #expect(plan["cases_opened"] == 2)
            #expect(try await applicantCount(client) == 0)
            id = try await stage(client, [row(11), row(12, name: "刘洋")])
            let done = try await client.call("import.commit", ["import_id": id])
            #expect(done["applied"] == true && done["created"] == 2 && done["cases_opened"] == 2)
            await expectRPCError(.conflict) { _ = try await client.call("import.commit", ["import_id": id]) }

            id = try await stage(client, [row(11, extra: ["education_level": "硕士"]), row(12, name: "刘洋")])
            let again = try await client.call("import.commit", ["import_id": id])
            #expect(again["updated"] == 2 && again["created"] == 0 && again["cases_opened"] == 0)
            let applicants = try await client.call("applicant.list")["applicants"]?.arrayValue ?? []
            #expect(applicants.count == 2)
            #expect(applicants.first { $0["name"] == "陈静" }?["education_level"] == "master")
            #expect(applicants.first { $0["name"] == "陈静" }?["permit_expiry_date"] == "2027-03-01")
            #expect(try await client.call("case.list")["cases"]?.arrayValue?.count == 2)
            // A third person comes in with a case already under way.
            id = try await stage(client, [row(13, name: "赵敏", extra: ["case_stage": "网上提交"]), row(14, extra: ["case_stage": "结案"])])
            let stageErrors = try await client.call("import.commit", ["import_id": id, "dry_run": true])["errors"]?.arrayValue ?? []
            #expect(stageErrors.map { "\($0["row"]!.intValue!):\($0["column"]!.stringValue!)" } == ["2:case_stage"])
            // With its permit's date too (the first stage's data: it failed the whole import before).
            id = try await stage(client, [row(13, name: "赵敏", extra: ["case_stage": "网上提交", "permit_received_date": "2026/2/2"])])
            #expect(try await client.call("import.commit", ["import_id": id])["cases_opened"] == 1)
            let midway = try await client.call("case.list", ["stage": "submitted_online"])["cases"]?.arrayValue ?? []
            #expect(midway.first?["applicant"]?["name"] == "赵敏")
            #expect(midway.first?["recorded"]?["residence_permit"]?["permit_received_date"] == "2026-02-02")
            // The staged personal data is gone once committed.
            let importID = UUID(uuidString: id.stringValue!)!
            let staged = try await server.database.admin { connection in
                try await connection.query("SELECT count(*)::int FROM import_rows WHERE import_id = \(importID)", logger: TestDatabase.logger)
                    .collect().first!.decode(Int.self)
            }
            #expect(staged == 0)
        }
    }

    @Test("a batch import: a bad row anywhere refuses all, naming row, column and rule; a row number staged twice in one call keeps the last; every applicant gets its permit deadlines, their history and audit rows")
    func batchImport() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            _ = try await client.call("company.create", ["name": "进口公司", "credit_code": .string(Self.credit)])
            var rows = (1...120).map { row(100 + $0, name: "批量\($0)", extra: ["case_kind": ""]) }
            rows[77]["permit_expiry_date"] = "2027-13-01"
            let refused = try await client.call("import.commit", ["import_id": try await stage(client, rows)])
            #expect(refused["applied"] == false)
            #expect((refused["errors"]?.arrayValue ?? []).map { "\($0["row"]!.intValue!):\($0["column"]!.stringValue!):\($0["rule"]!.stringValue!)" } == ["78:permit_expiry_date:date"])
            #expect(try await applicantCount(client) == 0)

            rows[77]["permit_expiry_date"] = "2027-03-01"
            let begun = try await client.call("import.begin", ["kind": "applicants"])
            let id = begun["import_id"]!
            var again = rows[4]
            again["name"] = "王五"
            let entries = payload(rows) + [["row": 5, "fields": .object(again.mapValues(JSONValue.string))]]
            #expect(try await client.call("import.rows", ["import_id": id, "rows": .array(entries)])["staged"] == 121)
            let done = try await client.call("import.commit", ["import_id": id])
            #expect(done["applied"] == true && done["created"] == 120 && done["updated"] == 0 && done["cases_opened"] == 0)
            let names = Set((try await client.call("applicant.list", ["limit": 500])["applicants"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue })
            #expect(names.count == 120 && names.contains("王五") && !names.contains("批量5"))

            let agencyID = agency.agencyID
            let counts = try await server.database.admin { connection in
                try await connection.query(
                    """
                    SELECT (SELECT count(*)::int FROM deadlines WHERE agency_id = \(agencyID) AND case_id IS NULL),
                           (SELECT count(DISTINCT applicant_id)::int FROM deadlines WHERE agency_id = \(agencyID)),
                           (SELECT count(*)::int FROM deadline_history h WHERE agency_id = \(agencyID) AND seq = 1 AND action = 'created' AND reason = 'imported'
                               AND new_due = (SELECT due_date FROM deadlines d WHERE d.agency_id = h.agency_id AND d.deadline_id = h.deadline_id)),
                           (SELECT count(*)::int FROM applicant_employments WHERE agency_id = \(agencyID)),
                           (SELECT count(*)::int FROM audit_log WHERE agency_id = \(agencyID) AND table_name = 'deadlines' AND action = 'insert' AND method = 'import.commit'),
                           (SELECT count(*)::int FROM audit_log WHERE agency_id = \(agencyID) AND table_name = 'applicants' AND action = 'insert' AND method = 'import.commit')
                    """, logger: TestDatabase.logger
                ).collect().first!.decode((Int, Int, Int, Int, Int, Int).self)
            }
            // The permit-expiry rules: renewal reminders at 30 and 7 days, points expiry, lapses at 60 and 90 days.
            let perApplicant = 5
            #expect(counts.0 == 120 * perApplicant && counts.1 == 120 && counts.2 == counts.0)
            #expect(counts.3 == 120 && counts.4 == counts.0 && counts.5 == 120)
        }
    }

    @Test("a company report streams in bounded chunks; CSV has a BOM, HTML no external references, JSON parses")
    func reportChunks() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        let summary = try await server.database.admin { connection in
            try await connection.withTransaction(logger: TestDatabase.logger) { tx in
                try await DemoData.seed(companies: 1, applicants: 40, cipher: try PIICipher(activeKey: testKeys.piiKey, lookupKey: testKeys.lookupKey), in: AgencyTransaction(connection: tx, agency: agency.agencyID, logger: TestDatabase.logger))
            }
        }
        #expect(summary.cases == 40)
        try await server.withClient(token: agency.token) { client async throws in
            let company = try #require(try await client.call("company.list")["companies"]?.arrayValue?.first)
            for format in ["csv", "json", "md", "html", "xlsx"] {
                var content = ""
                var bytes = Data()
                var cursor: JSONValue = .null
                var chunks = 0
                var largest = 0
                repeat {
                    var params: [String: JSONValue] = ["company_id": company["id"]!, "format": .string(format), "page_size": 7]
                    if cursor != .null { params["cursor"] = cursor }
                    let r = try await client.call("report.company", .object(params))
                    let chunk = r["content"]?.stringValue ?? ""
                    largest = max(largest, chunk.utf8.count)
                    #expect(r["encoding"] == (format == "xlsx" ? "base64" : "utf-8"))
                    if format == "xlsx" {
                        // Each chunk is base64 of its own bytes, decodable alone.
                        bytes += try #require(Data(base64Encoded: chunk), "chunk \(chunks) is not base64")
                    } else {
                        content += chunk
                    }
                    cursor = r["next_cursor"] ?? .null
                    chunks += 1
                    if cursor == .null { #expect(r["rows_done"] == 40 && r["rows_total"] == 40) }
                } while cursor != .null
                // 40 rows / 7 per chunk; a printed report goes through the cases again for its appendix.
                #expect(chunks == (format == "html" ? 12 : 6), "\(format)")
                #expect(largest < 64 * 1024, "\(format): a chunk holds one page, not the report")
                #expect(!content.contains(residentID(0)))
                switch format {
                case "csv":
                    #expect(content.hasPrefix("\u{FEFF}"))
                    #expect(content.components(separatedBy: "\r\n").count > 40)
                case "json":
                    let doc = try JSONDecoder().decode(JSONValue.self, from: Data(content.utf8))
                    #expect(doc["sections"]?.arrayValue?.first?["rows"]?.arrayValue?.count == 40)
                case "xlsx":
                    // Read back by ZIPFoundation (CRCs checked on extraction): every part, the
                    // cases sheet with its header and 40 rows.
                    let archive = try Archive(data: bytes, accessMode: .read)
                    #expect(Set(archive.map(\.path)) == [
                        "[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
                        "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml",
                    ])
                    var sheet = Data()
                    _ = try archive.extract(try #require(archive["xl/worksheets/sheet2.xml"])) { sheet.append($0) }
                    let xml = String(decoding: sheet, as: UTF8.self)
                    #expect(xml.components(separatedBy: "<row ").count - 1 == 41)
                    #expect(xml.contains("<autoFilter ref=\"A1:N41\"/>"))
                    #expect(!xml.contains(residentID(0)))
                case "html":
                    #expect(content.contains("<svg"))
                    #expect(!content.contains("http:") && !content.contains("https:") && !content.contains("src="))
                default:
                    #expect(content.hasPrefix("# "))
                }
            }
            let overview = try await client.call("report.agency", ["format": "json"])
            let doc = try JSONDecoder().decode(JSONValue.self, from: Data((overview["content"]?.stringValue ?? "").utf8))
            #expect(doc["sections"]?.arrayValue?.count == 2)
            #expect(overview["rows_done"]?.intValue ?? 0 >= 2)
            // As a workbook: one base64 chunk, a sheet per table after the summary.
            let book = try await client.call("report.agency", ["format": "xlsx"])
            #expect(book["encoding"] == "base64" && book["next_cursor"] == .null)
            let archive = try Archive(data: try #require(Data(base64Encoded: book["content"]?.stringValue ?? "")), accessMode: .read)
            var workbook = Data()
            _ = try archive.extract(try #require(archive["xl/workbook.xml"])) { workbook.append($0) }
            #expect(String(decoding: workbook, as: UTF8.self).contains("<sheet name=\"按顾问 By consultant\" sheetId=\"3\" r:id=\"rId3\"/>"))
            #expect(archive["xl/worksheets/sheet3.xml"] != nil)

            // On demo data, the overdue list is real missed due dates only: no window, no
            // expectation, nothing of a stage already passed.
            let overdue = try await client.call("deadline.list", ["overdue": true, "limit": 1000])["deadlines"]?.arrayValue ?? []
            #expect(overdue.allSatisfy { $0["kind"] == "due" && ($0["state"] == "missed" || $0["state"] == "open") && $0["overdue"] == true })
            let every = try await client.call("deadline.list", ["limit": 1000])["deadlines"]?.arrayValue ?? []
            #expect(every.contains { $0["state"] == "satisfied" }, "demo cases past their windows have them satisfied")
            #expect(!every.contains { $0["kind"] != "due" && $0["state"] == "missed" })
            #expect(!every.contains { $0["rule"] == "account_opens" && $0["state"] == "missed" })
        }
    }
}
