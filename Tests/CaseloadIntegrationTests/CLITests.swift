import CaseloadProtocol
import Foundation
import Testing

/// The `caseload` binary, run as a user would run it, against a real server.
@Suite("caseload CLI as a subprocess")
struct CLITests {
    @Test("add, list as an aligned table and as JSON, show, update")
    func companyFlow() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        let ping = try await caseload(["ping"], server: server, token: nil)
        #expect(ping.status == 0)
        #expect(ping.stdout.hasPrefix("pong from 127.0.0.1:\(server.port)"))

        let add = try await caseload(
            ["company", "add", "--name", "上海浦江软件有限公司", "--credit-code", "91350200776049653A", "--district", "徐汇", "--hr-phone", "13800138001", "--json"],
            server: server, token: agency.token)
        #expect(add.status == 0, "\(add.stderr)")
        let created = try JSONDecoder().decode(JSONValue.self, from: Data(add.stdout.utf8))
        let id = try #require(created["id"]?.stringValue)
        _ = try await caseload(["company", "add", "--name", "Acme Shanghai Ltd", "--org-code", "77604965-3"], server: server, token: agency.token)

        let list = try await caseload(["company", "list"], server: server, token: agency.token)
        #expect(list.status == 0)
        let lines = list.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        // Columns line up by display width, Chinese included: each column starts at the same
        // display column on every line.
        let header = lines[0]
        for column in ["NAME", "DISTRICT", "HR"] {
            let start = header.displayColumn(of: column)
            for row in lines.dropFirst(2) {
                let before = row.displayPrefix(start)
                let aligned = before.displayWidth == start && before.hasSuffix("  ") && row.dropFirst(before.count).first?.isWhitespace == false
                #expect(aligned, "column \(column) misaligned in \(row)")
            }
        }
        #expect(list.stdout.contains("138****8001"))
        #expect(!list.stdout.contains("13800138001"))

        let json = try await caseload(["company", "list", "--json"], server: server, token: agency.token)
        let array = try JSONDecoder().decode(JSONValue.self, from: Data(json.stdout.utf8)).arrayValue
        #expect(array?.count == 2)

        let update = try await caseload(["company", "update", id, "--status", "registered_online", "--json"], server: server, token: agency.token)
        #expect(update.status == 0, "\(update.stderr)")
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data(update.stdout.utf8))["version"] == 2)

        let show = try await caseload(["company", "show", id], server: server, token: agency.token)
        #expect(show.stdout.contains("registered_online"))
        #expect(show.stdout.contains("徐汇区"))
    }

    @Test("server errors are printed with the field and rule, and the exit status is 1")
    func errorsExitNonZero() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        let bad = try await caseload(["company", "add", "--name", "X", "--credit-code", "91350200776049653B"], server: server, token: agency.token)
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("credit_code"))
        #expect(bad.stderr.contains("(checksum)"))
        #expect(bad.stdout.isEmpty)
        // A short header, then each entry once (the server's message would only repeat the first).
        let lines = bad.stderr.split(separator: "\n").map(String.init)
        #expect(lines.first == "caseload: validation_failed (-32005):")
        #expect(lines.count == 2)
        #expect(lines.last?.hasPrefix("  credit_code: ") == true)
        #expect(lines.last?.hasSuffix(" (checksum)") == true)

        // No server there: one plain sentence naming the address and what to check, not NIO's text.
        let down = try await caseload(["company", "list"], server: server, token: agency.token, extraEnv: ["CASELOAD_ADDR": "127.0.0.1:1"])
        #expect(down.status == 1)
        #expect(down.stderr.hasPrefix("caseload: no Caseload server answers at 127.0.0.1:1 (nothing is listening there). Is caseload-server running there"))
        #expect(down.stderr.split(separator: "\n").count == 1)
        #expect(!down.stderr.contains("SingleConnectionFailure") && !down.stderr.contains("errno"))

        let noToken = try await caseload(["company", "list"], server: server, token: nil)
        #expect(noToken.status == 1)
        #expect(noToken.stderr.contains("no token"))

        let wrongToken = try await caseload(["company", "list"], server: server, token: "cl_wrong")
        #expect(wrongToken.status == 1)
        #expect(wrongToken.stderr.contains("unauthenticated"))
        #expect(!wrongToken.stderr.contains("cl_wrong"))

        let missing = try await caseload(["company", "show", "00000000-0000-0000-0000-000000000000"], server: server, token: agency.token)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("not_found"))
        // Without data.errors the server's own message stays.
        #expect(missing.stderr == "caseload: Not found: no such company in your agency [not_found]\n")
    }

    @Test("login saves address and token in a file only its owner can read")
    func loginSavesPrivately() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        let file = NSTemporaryDirectory() + "caseload-login-\(UUID()).json"
        let login = try await caseload(["login"], server: server, token: agency.token, extraEnv: ["CASELOAD_CONFIG_FILE": file])
        #expect(login.status == 0, "\(login.stderr)")
        let attributes = try FileManager.default.attributesOfItem(atPath: file)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        // With the file, no environment token is needed.
        let process = Process()
        process.executableURL = CLIRunner.binary
        process.arguments = ["company", "list", "--json"]
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "CASELOAD_CONFIG_FILE": file]
        let listed = try await CLIRunner.run(process)
        #expect(listed.status == 0)
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data(listed.stdout.utf8)) == [])
        try? FileManager.default.removeItem(atPath: file)
    }
}

extension String {
    /// Display width: CJK wide characters count 2 (a copy of the CLI's rule, kept small).
    var displayWidth: Int {
        unicodeScalars.reduce(0) { $0 + (($1.value >= 0x1100 && ($1.value <= 0x115F || (0x2E80...0xA4CF).contains($1.value) || (0xAC00...0xD7A3).contains($1.value) || (0xF900...0xFAFF).contains($1.value) || (0xFF00...0xFF60).contains($1.value) || (0xFFE0...0xFFE6).contains($1.value))) ? 2 : 1) }
    }

    func displayColumn(of needle: String) -> Int {
        guard let range = range(of: needle) else { return -1 }
        return String(self[..<range.lowerBound]).displayWidth
    }

    /// The shortest prefix whose display width is at least `width`.
    func displayPrefix(_ width: Int) -> String {
        var out = ""
        for c in self {
            if out.displayWidth >= width { break }
            out.append(c)
        }
        return out
    }
}
