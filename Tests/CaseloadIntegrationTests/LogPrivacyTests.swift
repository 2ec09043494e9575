import CaseloadClient
import CaseloadProtocol
import Foundation
import Logging
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("No personal data in logs")
struct LogPrivacyTests {
    @Test("a full workflow logged at trace level leaves no token, ID number or phone number in the log")
    func traceLogsHoldNoPersonalData() async throws {
        let store = CapturingLogHandler.Store()
        let server = try await TestServer.start(logger: CapturingLogHandler.logger(level: .trace, store: store))
        let owner = try await server.database.createAgency()
        let workflow = PersonalDataWorkflow(token: owner.token)
        do {
            try await workflow.run(port: server.port)
        } catch {
            try? await server.stop()
            throw error
        }
        try await server.stop()
        // The log must be a real trace log of the run, or the checks below prove nothing.
        #expect(store.all.count > 20, "expected a trace log of the whole run, got \(store.all.count) lines")
        #expect(store.text.contains("applicant.create"), "the log should name the methods that ran")
        workflow.expectAbsent(from: store.all)
    }

    @Test("the same workflow against the real binary at trace level: its whole log (every library's) holds none of it")
    func binaryTraceLogHoldsNoPersonalData() async throws {
        let database = try await TestDatabase.migrated()
        let owner = try await database.createAgency()
        let server = try await ServerProcess.start(database: database, environment: ["CASELOAD_LOG_LEVEL": "trace"])
        let workflow = PersonalDataWorkflow(token: owner.token)
        do {
            try await workflow.run(port: server.port)
        } catch {
            await server.killIfRunning()
            throw error
        }
        server.signal(SIGTERM)
        #expect(await server.waitForExit(timeout: .seconds(20)) == .init(reason: .exit, status: 0))
        let lines = server.log.split(separator: "\n").map(String.init)
        #expect(lines.count > 20, "expected a trace log of the whole run, got \(lines.count) lines")
        #expect(lines.contains { $0.contains("trace") }, "the log should be at trace level")
        workflow.expectAbsent(from: lines)
    }
}

/// A representative run through the server with personal data in it: logins with a good and
/// a wrong token, an HR phone, an applicant's ID number and phone, invalid ones refused, a
/// lookup by ID number, an update, a case, and lines that are not JSON.
struct PersonalDataWorkflow {
    let token: String
    let wrongToken = "cl_" + String(repeating: "Q7", count: 20)
    let idNumber = residentID(birth: "19870615", 417)
    let otherID = residentID(birth: "19920229", 58)
    var badChecksumID: String { String(idNumber.dropLast()) + (idNumber.last == "1" ? "2" : "1") }
    let badDateID = residentID(birth: "19870230", 9)  // valid checksum, February 30th
    let hrPhone = "13812345678"
    let phone = "13987654321"
    let newPhone = "15011223344"
    let badPhone = "1590000111"  // one digit short

    func run(port: Int) async throws {
        try await RPCClient.withConnection(host: "127.0.0.1", port: port) { client in
            await expectRPCError(.unauthenticated) { _ = try await client.call("auth.login", ["token": .string(wrongToken)]) }
            _ = try await client.call("auth.login", ["token": .string(token)])
            let company = try await client.call(
                "company.create", ["name": "日志检查有限公司", "org_code": .string(orgCode(4711)), "hr_name": "王芳", "hr_phone": .string(hrPhone)])
            await expectRPCError(.validationFailed) {
                _ = try await client.call("company.create", ["name": "错号公司", "org_code": .string(orgCode(4712)), "hr_phone": .string(badPhone)])
            }
            let applicant = try await client.call(
                "applicant.create",
                ["company_id": company["id"]!, "name": "李娜", "id_number": .string(idNumber), "phone": .string(phone), "education_level": "master"])
            await expectRPCError(.conflict) {
                _ = try await client.call("applicant.create", ["company_id": company["id"]!, "name": "李娜", "id_number": .string(idNumber)])
            }
            for bad in [badChecksumID, badDateID] {
                await expectRPCError(.validationFailed) {
                    _ = try await client.call("applicant.create", ["company_id": company["id"]!, "name": "张三", "id_number": .string(bad)])
                }
            }
            await expectRPCError(.validationFailed) {
                _ = try await client.call(
                    "applicant.create", ["company_id": company["id"]!, "name": "张三", "id_number": .string(otherID), "phone": .string(badPhone)])
            }
            let found = try await client.call("applicant.list", ["id_number": .string(idNumber)])
            #expect(found["applicants"]?.arrayValue?.count == 1)
            _ = try await client.call("applicant.update", ["id": applicant["id"]!, "version": applicant["version"]!, "phone": .string(newPhone)])
            _ = try await client.call("applicant.get", ["id": applicant["id"]!])
            _ = try await client.call("case.open", ["applicant_id": applicant["id"]!, "kind": "points_new"])
            // Params that fail the schema must not be echoed to the log either.
            await expectRPCError(.invalidParams) { _ = try await client.call("applicant.get", ["id": .string(idNumber)]) }
        }
        // A login line cut short: a parse error, whose text must not be logged.
        let channel = try await LineChannel.connect(host: "127.0.0.1", port: port, rawOutbound: true)
        try await channel.executeThenClose { inbound, outbound in
            var replies = inbound.makeAsyncIterator()
            try await outbound.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"auth.login\",\"params\":{\"token\":\"\(token)\"\n")
            #expect(try await replies.nextJSON()?["error"]?["code"] == -32700)
        }
    }

    /// Expects no line to hold any of the secrets, in full or (ID numbers) without the check character.
    func expectAbsent(from lines: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        let secrets: [(String, String)] = [
            ("token", token), ("token without prefix", String(token.dropFirst(3))), ("wrong token", wrongToken),
            ("ID number", idNumber), ("ID number without its check character", String(idNumber.dropLast())), ("other ID number", otherID),
            ("other ID number without its check character", String(otherID.dropLast())), ("ID number with a bad checksum", badChecksumID),
            ("ID number with a bad date", badDateID), ("HR phone", hrPhone), ("phone", phone), ("new phone", newPhone), ("invalid phone", badPhone),
        ]
        for (what, value) in secrets {
            let leaks = lines.filter { $0.contains(value) }
            #expect(leaks.isEmpty, "the log holds the \(what): \(leaks.prefix(3).map { String($0.prefix(300)) })", sourceLocation: sourceLocation)
        }
    }
}
