import CaseloadClient
import CaseloadProtocol
import CaseloadServer
import Foundation
import NIOCore
import Testing

/// A private CA and a server certificate it signed (for localhost, 127.0.0.1 and ::1), made by
/// deploy/dev-tls-cert.sh with the openssl command at test time.
struct TestCertificates: Sendable {
    let directory: URL
    var ca: String { directory.appendingPathComponent("ca.pem").path }
    var certificate: String { directory.appendingPathComponent("server.pem").path }
    var privateKey: String { directory.appendingPathComponent("server.key").path }

    static func make() async throws -> TestCertificates {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("caseload-tls-\(UUID())")
        let process = Process()
        process.executableURL = TestDatabase.schemaDirectory.deletingLastPathComponent().appendingPathComponent("deploy/dev-tls-cert.sh")
        process.arguments = [directory.path]
        process.environment = ["PATH": "/usr/local/bin:/usr/bin:/bin"]
        let run = try await CLIRunner.run(process)
        guard run.status == 0 else {
            throw TestServer.SetupFailed(description: "deploy/dev-tls-cert.sh failed (is openssl installed?): \(run.stderr)")
        }
        return TestCertificates(directory: directory)
    }

    /// One set for the whole run, and a second CA that signed nothing the server serves.
    static let shared = Task { try await make() }
    static let other = Task { try await make() }

    /// A server on the shared database serving TLS with the shared certificate.
    static func server(_ configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> TestServer {
        let certificates = try await shared.value
        return try await TestServer.start(database: try await TestServer.shared().database) {
            $0.tlsCertificatePath = certificates.certificate
            $0.tlsPrivateKeyPath = certificates.privateKey
            configure(&$0)
        }
    }
}

/// Runs `body` with a TLS client of `server`; what `withConnection` throws comes out.
@discardableResult
private func withTLSClient<T: Sendable>(
    _ server: TestServer, tls: ClientTLS, host: String = "127.0.0.1", _ body: (RPCClient) async throws -> T
) async throws -> T {
    try await RPCClient.withConnection(host: host, port: server.port, tls: tls, body)
}

/// Expects a TLS connection to fail with a `TLSFailure` whose description contains `text`,
/// quickly (a handshake failure must not wait for a timeout).
private func expectTLSFailure(_ server: TestServer, tls: ClientTLS, containing text: String, sourceLocation: SourceLocation = #_sourceLocation)
    async
{
    do {
        try await withTLSClient(server, tls: tls) { try await $0.call("system.ping") }
        Issue.record("expected a TLS failure, the connection worked", sourceLocation: sourceLocation)
    } catch let error as TLSFailure {
        #expect(error.description.contains(text), "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected a TLSFailure, got \(String(reflecting: error))", sourceLocation: sourceLocation)
    }
    // Refused rather than timed out is told by the error's text above (a handshake timeout says
    // so); a wall-clock bound here only measured how loaded the machine was (6 to 11 s seen).
}

@Suite("TLS on the listener")
struct TLSTests {
    @Test("a client trusting the CA logs in and calls over TLS, by IP address or by name")
    func trustedClient() async throws {
        let certificates = try await TestCertificates.shared.value
        let server = try await TestCertificates.server()
        let agency = try await server.database.createAgency()
        let byAddress = try ClientTLS(caFile: certificates.ca)
        let whoami = try await withTLSClient(server, tls: byAddress) { client in
            _ = try await client.call("auth.login", ["token": .string(agency.token)])
            #expect(try await client.call("system.ping") == "pong")
            return try await client.call("auth.whoami")
        }
        #expect(whoami["role"] == "owner")
        // The certificate also names localhost: verify that name while dialling the address.
        let byName = try ClientTLS(caFile: certificates.ca, serverName: "localhost")
        #expect(try await withTLSClient(server, tls: byName) { try await $0.call("system.ping") } == "pong")
        try await server.stop()
    }

    @Test("a client that does not trust the CA fails verification")
    func untrustedCA() async throws {
        let other = try await TestCertificates.other.value
        let server = try await TestCertificates.server()
        // The system's CAs, and a private CA that signed something else.
        await expectTLSFailure(server, tls: try ClientTLS(), containing: "not signed by a trusted CA")
        await expectTLSFailure(server, tls: try ClientTLS(caFile: other.ca), containing: "not signed by a trusted CA")
        // The server is unharmed.
        let certificates = try await TestCertificates.shared.value
        #expect(try await withTLSClient(server, tls: try ClientTLS(caFile: certificates.ca)) { try await $0.call("system.ping") } == "pong")
        try await server.stop()
    }

    @Test("a client verifying another name fails, though it trusts the CA")
    func wrongHostname() async throws {
        let certificates = try await TestCertificates.shared.value
        let server = try await TestCertificates.server()
        await expectTLSFailure(server, tls: try ClientTLS(caFile: certificates.ca, serverName: "caseload.example.com"), containing: "not valid for caseload.example.com")
        try await server.stop()
    }

    @Test("a plaintext client gets no reply and is closed; the server keeps serving TLS clients")
    func plaintextClient() async throws {
        let certificates = try await TestCertificates.shared.value
        // Long enough for a TLS client's handshake and first call while the whole test process
        // is starved at the suite's start (timed on 2026-12-08: this test's server took 18 s to
        // set up and the TLS call 19.5 s, both under a second alone; a 12 s timeout closed the
        // client as idle in a CI run), short enough that a silent connection is seen closed.
        let server = try await TestCertificates.server { $0.limits.idleTimeoutSeconds = 30 }
        let tls = try ClientTLS(caFile: certificates.ca)
        // One that sends a request: the handshake fails and the server closes.
        let frames = try await server.withLines { replies, out async throws -> [String] in
            try await out.send(#"{"jsonrpc":"2.0","id":1,"method":"system.ping"}"# + "\n")
            var frames: [String] = []
            do {
                while let frame = try await replies.next() {
                    if case .line(let line) = frame { frames.append(line.utf8String) } else { frames.append("\(frame)") }
                }
            } catch {}  // a reset is as good as a close
            return frames
        }
        // Closed by the TLS layer, not by the idle timeout: what came back is one fatal TLS
        // alert record (content type 21, level 2), never a JSON-RPC reply. (Not timed: on a
        // loaded machine even a refusal can take seconds.)
        #expect(frames.count == 1, "\(frames)")
        let alert = Array((frames.first ?? "").utf8)
        #expect(alert.count == 7 && alert[0] == 21 && alert[5] == 2, "\(alert)")

        // One that says nothing holds no slot for ever: the idle timeout closes it, and TLS
        // clients are served meanwhile.
        try await server.withLines { replies, _ async throws in
            let silentSince = ContinuousClock.now
            #expect(try await withTLSClient(server, tls: tls) { try await $0.call("system.ping") } == "pong")
            do { #expect(try await replies.next() == nil) } catch {}
            #expect(ContinuousClock.now - silentSince < .seconds(60))  // 30 s timeout; generous for a loaded machine
        }
        #expect(try await withTLSClient(server, tls: tls) { try await $0.call("system.ping") } == "pong")
        try await server.stop()
    }

    @Test("graceful shutdown over TLS finishes the request in flight, then closes")
    func gracefulShutdown() async throws {
        let certificates = try await TestCertificates.shared.value
        // An idle timeout bounds the test if shutdown ever waits for the client again (the 30 s
        // check below catches that); it is longer than that check, because under a loaded
        // full-suite run the first call of a new TLS connection has taken more than 15 s and
        // the idle timeout closed the connection before it (not explained yet).
        let server = try await TestCertificates.server { $0.limits.idleTimeoutSeconds = 60 }
        try await withTLSClient(server, tls: try ClientTLS(caFile: certificates.ca)) { client async throws in
            // One call first, so the handshake is done and the test is about the shutdown: in two
            // loaded full-suite runs the first call of a new TLS connection did not reach the
            // server for 20 s or more (not explained yet; see the closing note of stop 24).
            #expect(try await client.call("system.ping") == "pong")
            async let slow = client.call("system.ping", ["delay_ms": 2_000])
            // Stop only once the call is in the server's hands (a loaded machine can take seconds).
            try await server.untilRequestsInFlight()
            let started = ContinuousClock.now
            try await server.stop()
            #expect(try await slow == "pong")
            // TLS cannot close only the input; without the pipeline's stand-in this waits for the
            // client until the idle timeout (301 s seen). A loaded machine took 7 s with it.
            #expect(ContinuousClock.now - started < .seconds(30))
            await #expect(throws: (any Error).self) { try await client.call("system.ping") }
        }
    }

    @Test("only one of the two files is refused, naming the missing setting")
    func halfConfigured() async throws {
        let certificates = try await TestCertificates.shared.value
        func message(_ body: () throws -> Void) -> String {
            do { try body() } catch { return "\(error)" }
            return "no error"
        }
        let noKey = message { _ = try ServerConfiguration.resolve([["tls_certificate": certificates.certificate]]) }
        #expect(noKey.contains("tls_private_key is not set"), "\(noKey)")
        let env = ServerConfiguration.environmentLayer(["CASELOAD_TLS_PRIVATE_KEY": certificates.privateKey])
        let noCertificate = message { _ = try ServerConfiguration.resolve([env]) }
        #expect(noCertificate.contains("tls_certificate is not set"), "\(noCertificate)")
        let both = try ServerConfiguration.resolve([["tls_certificate": certificates.certificate], env]).0
        #expect(both.tlsCertificatePath == certificates.certificate && both.tlsPrivateKeyPath == certificates.privateKey)

        // Set in code (as embedders and these tests do): the server refuses to start.
        let database = try await TestServer.shared().database
        do {
            let server = try await TestServer.start(database: database) { $0.tlsCertificatePath = certificates.certificate }
            try await server.stop()
            Issue.record("a server with a certificate and no key started")
        } catch let error as ConfigurationError {
            #expect(error.description.contains("tls_private_key is not set"), "\(error)")
        }
    }

    @Test("an unreadable or invalid PEM file stops start-up with a message naming it, not its content")
    func badFiles() async throws {
        let certificates = try await TestCertificates.shared.value
        let other = try await TestCertificates.other.value
        let database = try await TestServer.shared().database
        let junk = certificates.directory.appendingPathComponent("junk.pem")
        try "not a certificate: s3cr3t-junk\n".write(to: junk, atomically: true, encoding: .utf8)
        let keyText = try String(contentsOfFile: certificates.privateKey, encoding: .utf8)
        let keyBody = keyText.split(separator: "\n")[1]  // a line of the key's base64

        func startupError(certificate: String, key: String) async throws -> String {
            do {
                let server = try await TestServer.start(database: database) {
                    $0.tlsCertificatePath = certificate
                    $0.tlsPrivateKeyPath = key
                }
                try await server.stop()
                return "started"
            } catch let error as ConfigurationError {
                return error.description
            }
        }
        let missing = certificates.directory.appendingPathComponent("missing.pem").path
        let cases: [(certificate: String, key: String, expected: String)] = [
            (missing, certificates.privateKey, "tls_certificate: cannot read \(missing)"),
            (certificates.certificate, missing, "tls_private_key: cannot read \(missing)"),
            (junk.path, certificates.privateKey, "tls_certificate: \(junk.path)"),
            (certificates.certificate, junk.path, "tls_private_key: \(junk.path)"),
            // A valid key, of another certificate.
            (certificates.certificate, other.privateKey, "tls_private_key: \(other.privateKey) is not the key of"),
        ]
        for c in cases {
            let message = try await startupError(certificate: c.certificate, key: c.key)
            #expect(message.contains(c.expected), "\(message)")
            #expect(!message.contains("s3cr3t") && !message.contains(keyBody), "\(message)")
        }
    }

    @Test("the caseload CLI verifies with --tls-ca or CASELOAD_TLS_CA, refuses an untrusted server, and login keeps TLS")
    func cli() async throws {
        let certificates = try await TestCertificates.shared.value
        let server = try await TestCertificates.server()
        let agency = try await server.database.createAgency()

        let ok = try await caseload(["ping", "--tls-ca", certificates.ca], server: server, token: nil)
        #expect(ok.status == 0 && ok.stdout.contains("pong from"), "\(ok)")
        let env = try await caseload(["company", "list"], server: server, token: agency.token, extraEnv: ["CASELOAD_TLS_CA": certificates.ca])
        #expect(env.status == 0, "\(env)")

        let untrusted = try await caseload(["ping", "--tls"], server: server, token: nil)
        #expect(untrusted.status == 1 && untrusted.stderr.contains("not signed by a trusted CA"), "\(untrusted)")
        let wrongName = try await caseload(["ping", "--tls-ca", certificates.ca, "--tls-server-name", "caseload.example.com"], server: server, token: nil)
        #expect(wrongName.status == 1 && wrongName.stderr.contains("not valid for caseload.example.com"), "\(wrongName)")
        let plain = try await caseload(["ping"], server: server, token: nil)
        #expect(plain.status == 1 && plain.stderr.contains("no Caseload server answers at"), "\(plain)")

        // `caseload login` over TLS saves the CA with the address: later commands need neither.
        let loginFile = NSTemporaryDirectory() + "caseload-cli-tls-\(UUID()).json"
        defer { try? FileManager.default.removeItem(atPath: loginFile) }
        let login = try await caseload(["login", "--tls-ca", certificates.ca], server: server, token: agency.token, extraEnv: ["CASELOAD_CONFIG_FILE": loginFile])
        #expect(login.status == 0, "\(login)")
        let process = Process()
        process.executableURL = CLIRunner.binary
        process.arguments = ["company", "list", "--json"]
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "CASELOAD_CONFIG_FILE": loginFile]
        let saved = try await CLIRunner.run(process)
        #expect(saved.status == 0 && saved.stdout.hasPrefix("["), "\(saved)")
        try await server.stop()
    }
}
