import CaseloadProtocol
import Foundation
import Testing

/// Users, assignments, tokens, the audit log and reveals from the `caseload` binary.
@Suite("caseload CLI: users, tokens, audit")
struct CLIAccessTests {
    @Test("an owner adds a consultant, assigns them, the consultant works and lists tokens; the audit export has it all")
    func ownerFlow() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        let f = try await server.withClient(token: agency.token) { try await Fixture.make($0, n: 721) }

        let created = try await caseload(["user", "create", "李顾问", "--role", "consultant", "--json"], server: server, token: agency.token)
        #expect(created.status == 0, "\(created.stderr)")
        let user = try created.json()
        let consultantID = try #require(user["user"]?["id"]?.stringValue)
        let consultantToken = try #require(user["token"]?.stringValue)

        // Not yet assigned: the company is not theirs.
        let before = try await caseload(["applicant", "show", f.applicantID.stringValue!], server: server, token: consultantToken)
        #expect(before.status == 1)
        #expect(before.stderr.contains("not_found"))

        let assign = try await caseload(["assign", f.companyID.stringValue!, "--user", consultantID], server: server, token: agency.token)
        #expect(assign.status == 0, "\(assign.stderr)")
        #expect(assign.stdout.contains("李顾问"))

        let reveal = try await caseload(["applicant", "reveal", f.applicantID.stringValue!], server: server, token: consultantToken)
        #expect(reveal.status == 0, "\(reveal.stderr)")
        #expect(reveal.stdout.contains(f.idNumber))

        let tokens = try await caseload(["token", "list"], server: server, token: consultantToken)
        #expect(tokens.status == 0)
        #expect(!tokens.stdout.contains(consultantToken))
        #expect(tokens.stdout.contains("first token"))

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID()).csv").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let export = try await caseload(["audit", "export", "--format", "csv", "--output", file], server: server, token: agency.token)
        #expect(export.status == 0, "\(export.stderr)")
        let csv = try String(contentsOfFile: file, encoding: .utf8)
        let rows = csv.split(separator: "\r\n")
        #expect(rows.first == "id,at,user_id,method,entity,entity_id,table,action,before,after")
        #expect(csv.contains("user.create"))
        #expect(csv.contains("company.assign"))
        #expect(csv.contains("applicant.reveal"))
        #expect(!csv.contains(f.idNumber), "the audit log holds masked identifiers only")
        #expect(!csv.contains(consultantToken))

        let denied = try await caseload(["audit", "list"], server: server, token: consultantToken)
        #expect(denied.status == 1)
        #expect(denied.stderr.contains("forbidden"))
    }
}
