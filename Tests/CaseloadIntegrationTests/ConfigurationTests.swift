import CaseloadServer
import CaseloadStorage
import Foundation
import Testing

@Suite("Configuration: flags > environment > file > defaults")
struct ConfigurationTests {
    @Test func defaults() throws {
        let (c, level) = try ServerConfiguration.resolve([])
        #expect(c.host == "127.0.0.1" && c.port == 7420)
        #expect(c.databaseURL == nil)
        #expect(c.limits.maximumLineLength == 1 << 20)
        #expect(c.proxyProtocol == false)
        #expect(level == .info)
    }

    @Test func proxyProtocol() throws {
        let env = ServerConfiguration.environmentLayer(["CASELOAD_PROXY_PROTOCOL": "true"])
        #expect(try ServerConfiguration.resolve([env]).0.proxyProtocol == true)
        #expect(try ServerConfiguration.resolve([["proxy_protocol": "off"]]).0.proxyProtocol == false)
        let error = #expect(throws: ConfigurationError.self) { try ServerConfiguration.resolve([["proxy_protocol": "maybe"]]) }
        #expect(error?.description == "proxy_protocol must be true or false, not 'maybe'")
    }

    @Test func precedence() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("caseload-\(UUID()).conf")
        try """
            # a comment
            listen = 0.0.0.0:9000
            max_batch = 7
            log_level = debug

            database_url = postgres://file@localhost/db
            """.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let fileLayer = try ServerConfiguration.fileLayer(path: file.path)
        let env = ServerConfiguration.environmentLayer(["CASELOAD_MAX_BATCH": "9", "CASELOAD_DATABASE_URL": "postgres://env@localhost/db", "HOME": "/x"])
        let flags: ServerConfiguration.Layer = ["database_url": "postgres://flag@localhost/db"]
        let (c, level) = try ServerConfiguration.resolve([flags, env, fileLayer])
        #expect(c.databaseURL == "postgres://flag@localhost/db")
        #expect(c.limits.maximumBatchSize == 9)
        #expect(c.host == "0.0.0.0" && c.port == 9000)
        #expect(level == .debug)
    }

    @Test("load: flags, then the environment, then the file CASELOAD_CONFIG names (or --config), then defaults")
    func loadOrder() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("caseload-\(UUID()).conf")
        try "listen = 0.0.0.0:9000\nmax_batch = 7\npii_key = file-key\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let environment = ["CASELOAD_CONFIG": file.path, "CASELOAD_MAX_BATCH": "9"]
        let (c, _) = try ServerConfiguration.load(flags: ["listen": "127.0.0.1:7000"], environment: environment)
        #expect(c.host == "127.0.0.1" && c.port == 7000)
        #expect(c.limits.maximumBatchSize == 9)
        #expect(c.piiKey == "file-key")
        let (noFile, _) = try ServerConfiguration.load(environment: ["CASELOAD_MAX_BATCH": "9"])
        #expect(noFile.piiKey == nil && noFile.port == 7420)
        #expect(throws: ConfigurationError.self) { try ServerConfiguration.load(configFile: "/nonexistent/caseload.conf", environment: [:]) }
    }

    @Test("the resource limits are settings, with the documented defaults")
    func resourceLimits() throws {
        let defaults = try ServerConfiguration.resolve([]).0.limits
        #expect(defaults.maximumConnections == 4096 && defaults.maximumConnectionsPerAddress == 256)
        #expect(defaults.lineReadSeconds == 30 && defaults.inputBudgetBytes == 64 << 20 && defaults.discoverPerMinuteBeforeLogin == 30)
        let env = ServerConfiguration.environmentLayer([
            "CASELOAD_MAX_CONNECTIONS": "100", "CASELOAD_MAX_CONNECTIONS_PER_ADDRESS": "10", "CASELOAD_LINE_READ_SECONDS": "5",
            "CASELOAD_INPUT_BUDGET_BYTES": "2097152", "CASELOAD_DISCOVER_PER_MINUTE": "3",
        ])
        let limits = try ServerConfiguration.resolve([env]).0.limits
        #expect(limits.maximumConnections == 100 && limits.maximumConnectionsPerAddress == 10)
        #expect(limits.lineReadSeconds == 5 && limits.inputBudgetBytes == 2 << 20 && limits.discoverPerMinuteBeforeLogin == 3)
        #expect(throws: ConfigurationError.self) { try ServerConfiguration.resolve([["input_budget_bytes": "1000"]]) }
    }

    @Test("every setting is in the example env file, and the systemd unit restarts a crashed server without giving up")
    func deployFiles() throws {
        let deploy = TestDatabase.repositoryRoot.appendingPathComponent("deploy/systemd")
        let example = try String(contentsOf: deploy.appendingPathComponent("caseload.env.example"), encoding: .utf8)
        for name in ServerConfiguration.settingNames {
            #expect(example.contains("CASELOAD_\(name.uppercased())="), "caseload.env.example lacks \(name)")
        }
        let unit = try String(contentsOf: deploy.appendingPathComponent("caseload-server.service"), encoding: .utf8)
        let lines = Set(unit.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
        #expect(lines.contains("Restart=on-failure"))
        #expect(lines.contains("StartLimitIntervalSec=0"))
    }

    @Test func badValuesNameTheSetting() throws {
        #expect(throws: ConfigurationError.self) { try ServerConfiguration.resolve([["listen": "7420"]]) }
        #expect(throws: ConfigurationError.self) { try ServerConfiguration.resolve([["max_batch": "0"]]) }
        #expect(throws: ConfigurationError.self) { try ServerConfiguration.resolve([["log_level": "loud"]]) }
        do {
            _ = try ServerConfiguration.resolve([["max_in_flight": "many"]])
        } catch let error as ConfigurationError {
            #expect(error.description.contains("max_in_flight"))
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("caseload-\(UUID()).conf")
        try "colour = blue\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(throws: ConfigurationError.self) { try ServerConfiguration.fileLayer(path: file.path) }
    }

    @Test func databaseURLs() throws {
        let url = try DatabaseURL("postgres://app:s%40cret@db.example:6543/caseload?sslmode=require")
        #expect(url.user == "app" && url.password == "s@cret" && url.host == "db.example" && url.port == 6543)
        #expect(url.database == "caseload" && url.requireTLS)
        #expect(!url.description.contains("cret"))
        let socket = try DatabaseURL("postgresql://me@/db?host=/run/postgresql")
        #expect(socket.socketPath == "/run/postgresql")
        #expect(throws: DatabaseURL.Invalid.self) { try DatabaseURL("mysql://x@y/z") }
        #expect(throws: DatabaseURL.Invalid.self) { try DatabaseURL("postgres://localhost/db") }
        #expect(throws: DatabaseURL.Invalid.self) { try DatabaseURL("postgres://u@localhost") }
    }
}
