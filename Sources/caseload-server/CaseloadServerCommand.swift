import ArgumentParser
import CaseloadCore
import CaseloadServer
import CaseloadStorage
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

@main
struct CaseloadServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "caseload-server",
        abstract: "The Caseload server: line-delimited JSON-RPC 2.0 over TCP, data in PostgreSQL.",
        version: Application.version,
        subcommands: [Serve.self, Migrate.self, Admin.self, Docs.self],
        defaultSubcommand: Serve.self
    )
}

/// Options shared by every subcommand that reads the server configuration.
struct ConfigOptions: ParsableArguments {
    @Option(help: "Listen address host:port (port 0 = any free port). Env: CASELOAD_LISTEN. Default 127.0.0.1:7420.")
    var listen: String?

    @Option(help: "The server's PostgreSQL URL. Env: CASELOAD_DATABASE_URL.")
    var databaseURL: String?

    @Option(help: "trace, debug, info, notice, warning, error, critical. Env: CASELOAD_LOG_LEVEL. Default info.")
    var logLevel: String?

    @Option(help: "A config file of `name = value` lines. Env: CASELOAD_CONFIG.")
    var config: String?

    @Option(help: "Serve TLS with this PEM certificate chain (needs --tls-private-key). Env: CASELOAD_TLS_CERTIFICATE.")
    var tlsCertificate: String?

    @Option(help: "The PEM private key of --tls-certificate. Env: CASELOAD_TLS_PRIVATE_KEY.")
    var tlsPrivateKey: String?

    func resolve() throws -> (ServerConfiguration, Logger.Level) {
        var flags: ServerConfiguration.Layer = [:]
        flags["listen"] = listen
        flags["database_url"] = databaseURL
        flags["log_level"] = logLevel
        flags["tls_certificate"] = tlsCertificate
        flags["tls_private_key"] = tlsPrivateKey
        let configPath = config ?? ProcessInfo.processInfo.environment["CASELOAD_CONFIG"]
        let file = try configPath.map(ServerConfiguration.fileLayer(path:)) ?? [:]
        return try ServerConfiguration.resolve([flags, ServerConfiguration.environmentLayer(), file])
    }
}

func makeLogger(_ level: Logger.Level) -> Logger {
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return handler
    }
    var logger = Logger(label: "caseload")
    logger.logLevel = level
    return logger
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve JSON-RPC until SIGTERM or SIGINT (graceful: in-flight requests finish).")

    @OptionGroup var options: ConfigOptions

    /// A test hook: debug builds only, never from the environment or the config file.
    @Option(help: .hidden) var today: String?

    func run() async throws {
        let (resolved, level) = try options.resolve()
        var configuration = resolved
        let logger = makeLogger(level)
        if let today {
            #if DEBUG
                guard let day = CalendarDate(accepting: today) else {
                    throw ValidationError("--today: must be \(CalendarDate.acceptedDescription)")
                }
                configuration.clock = BusinessClock(today: day)
                logger.warning("business clock pinned: today is \(day.iso) (a test hook of debug builds)")
            #else
                throw ValidationError("--today is a test hook of debug builds; a release build always uses the system clock")
            #endif
        }
        let app = try Application(configuration: configuration, logger: logger, gracefulShutdownSignals: [.sigterm, .sigint])
        let (host, port) = (configuration.host, configuration.port)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            group.addTask {
                let address = try await app.server.listeningAddress()
                // One line on stdout that scripts can wait for (port 0 picks a free port).
                let line = "caseload-server listening on \(address.ipAddress ?? host):\(address.port ?? port)\n"
                FileHandle.standardOutput.write(Data(line.utf8))
            }
            try await group.waitForAll()
        }
    }
}

/// Where the admin commands connect: the schema owner.
struct AdminDatabaseOptions: ParsableArguments {
    @Option(help: "The schema owner's PostgreSQL URL. Env: CASELOAD_ADMIN_DATABASE_URL, else CASELOAD_DATABASE_URL.")
    var databaseURL: String?

    func url() throws -> DatabaseURL {
        let env = ProcessInfo.processInfo.environment
        guard let raw = databaseURL ?? env["CASELOAD_ADMIN_DATABASE_URL"] ?? env["CASELOAD_DATABASE_URL"] else {
            throw ValidationError("no database: pass --database-url or set CASELOAD_ADMIN_DATABASE_URL")
        }
        return try DatabaseURL(raw)
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply schema/NNN_name.sql migrations in order, each in a transaction, recorded with its checksum.")

    @OptionGroup var database: AdminDatabaseOptions

    @Option(help: "The schema folder. Env: CASELOAD_SCHEMA_DIR. Default: ./schema or the checkout's.")
    var schema: String?

    @Option(help: "Also make this login role a member of caseload_app (what the server connects as), creating it if missing.")
    var appRole: String?

    @Flag(help: "On a database with no agency yet, create a demo agency and print its owner token.")
    var demoIfEmpty = false

    func run() async throws {
        let logger = makeLogger(.notice)
        let url = try database.url()
        let migrations = try Migration.load(from: Migration.locateSchemaDirectory(explicit: schema))
        let migrator = Migrator(url: url, logger: logger)
        let applied = try await migrator.migrate(migrations)
        FileHandle.standardError.write(
            Data("migrate: \(applied.count) applied (\(applied.map(\.fileName).joined(separator: ", "))), \(migrations.count) known\n".utf8))
        if let appRole { try await migrator.ensureLoginRole(appRole) }
        // Data that older schema versions kept in plaintext is sealed once the keys are known.
        let env = ProcessInfo.processInfo.environment
        if let key = env["CASELOAD_PII_KEY"], let lookup = env["CASELOAD_PII_LOOKUP_KEY"] {
            let sealed = try await migrator.sealPlaintextPhones(cipher: PIICipher(activeKey: key, lookupKey: lookup))
            if sealed > 0 { FileHandle.standardError.write(Data("migrate: sealed \(sealed) plaintext HR phone numbers\n".utf8)) }
        }
        if let summary = try await DeadlineRederivation.runIfNeeded(url: url, today: CalendarDate(shanghai: Date()), logger: logger) {
            FileHandle.standardError.write(Data("migrate: deadline states re-derived (\(DeadlineRederivation.name)): \(summary)\n".utf8))
        }
        try await reportDatesOutOfRange(migrator)
        if demoIfEmpty { try await createDemoAgencyIfEmpty(url: url, logger: logger) }
    }

    /// Stored dates that clients could no longer send: reported, never changed (which date was
    /// meant is the agency's call). Each line names the record to correct.
    func reportDatesOutOfRange(_ migrator: Migrator) async throws {
        let found = try await migrator.datesOutOfRange()
        guard !found.isEmpty else { return }
        var report = "migrate: warning: \(found.count) stored dates are outside 1900-01-01 … 2100-12-31, the range clients may send; "
            + "correct them (applicant.update for permit dates, calendar.set for calendar days; a deadline is derived again when its base is corrected):\n"
        for date in found.prefix(50) {
            report += "  agency \(date.agency.uuidString.lowercased()) \(date.entity) \(date.entityID.map { $0.uuidString.lowercased() } ?? "-") \(date.field) = \(date.value)\n"
        }
        if found.count > 50 { report += "  … and \(found.count - 50) more: SELECT * FROM caseload_dates_out_of_range();\n" }
        FileHandle.standardError.write(Data(report.utf8))
    }

    func createDemoAgencyIfEmpty(url: DatabaseURL, logger: Logger) async throws {
        let created = try await withAdminConnection(url: url, logger: logger) { connection -> AdminStore.Created? in
            guard try await AdminStore.agencyCount(on: connection, logger: logger) == 0 else { return nil }
            return try await AdminStore.createAgency(name: "演示机构 Demo Agency", ownerName: "Demo Owner", on: connection, logger: logger)
        }
        guard let created else { return }
        let cli = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("caseload").path
        print(
            """

            Created a demo agency (演示机构 Demo Agency). Its owner token is shown this once:

                \(created.token)

            Use it from another terminal while the server runs:

                export CASELOAD_TOKEN=\(created.token)
                \(cli) company list

            """)
    }
}

struct Admin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Operator commands, run with the admin database URL. Each prints one JSON line.",
        subcommands: [CreateAgency.self, CreateUser.self, GenerateKeys.self, RotateKey.self, SeedDemo.self])

    struct CreateAgency: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an agency and its owner; prints the owner's token once.")
        @OptionGroup var database: AdminDatabaseOptions
        @Option(help: "The agency's name.") var name: String
        @Option(help: "The owner's name.") var owner = "owner"

        func run() async throws {
            let logger = makeLogger(.warning)
            let created = try await withAdminConnection(url: try database.url(), logger: logger) { connection in
                try await AdminStore.createAgency(name: name, ownerName: owner, on: connection, logger: logger)
            }
            printJSON(created)
        }
    }

    struct SeedDemo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fill an agency with realistic demo data (companies, applicants, cases in every stage, documents, deadlines).")
        @OptionGroup var database: AdminDatabaseOptions
        @Option(help: "The agency id.") var agency: String
        @Option(help: "How many client companies.") var companies = 10
        @Option(help: "How many applicants (each gets one case).") var applicants = 100
        @Option(help: "How many of the applicants work for the first company (a large progress report); the rest are spread.")
        var largestCompany = 0
        @Option(help: "Seed: the same seed gives the same data.") var seed: UInt64 = 42

        func run() async throws {
            guard let agencyID = UUID(uuidString: agency) else { throw ValidationError("--agency must be an agency id (a UUID)") }
            let env = ProcessInfo.processInfo.environment
            guard let key = env["CASELOAD_PII_KEY"], let lookup = env["CASELOAD_PII_LOOKUP_KEY"] else {
                throw ValidationError("set CASELOAD_PII_KEY and CASELOAD_PII_LOOKUP_KEY (the server's keys): demo ID numbers are encrypted like real ones")
            }
            let cipher = try PIICipher(activeKey: key, lookupKey: lookup)
            let logger = makeLogger(.warning)
            let (companies, applicants, largest, seed) = (companies, applicants, largestCompany, seed)
            let summary = try await withAdminConnection(url: try database.url(), logger: logger) { connection in
                try await connection.withTransaction(logger: logger) { tx in
                    try await DemoData.seed(
                        agency: agencyID, companies: companies, applicants: applicants, largestCompanyApplicants: largest, seed: seed,
                        cipher: cipher, on: tx, logger: logger)
                }
            }
            printJSON(summary)
        }
    }

    struct GenerateKeys: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print new keys for personal data at rest as environment lines (keep them secret and backed up: without them, ID numbers and phones cannot be read).")
        @Option(help: "The new key's id (keep ids unique across rotations).") var keyID = "k1"

        func run() {
            let keys = PIICipher.generateKeys(keyID: keyID)
            print("CASELOAD_PII_KEY=\(keys.piiKey)")
            print("CASELOAD_PII_LOOKUP_KEY=\(keys.lookupKey)")
        }
    }

    struct CreateUser: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user in an agency; prints the user's token once.")
        @OptionGroup var database: AdminDatabaseOptions
        @Option(help: "The agency id.") var agency: String
        @Option(help: "The user's name.") var name: String
        @Option(help: "owner, manager, consultant, viewer or client.") var role: Role
        @Option(help: "For a client: the id of their company.") var company: String?
        @Option(help: "The token's lifetime in days (default: no expiry).") var tokenDays: Int?

        func validate() throws {
            guard UUID(uuidString: agency) != nil else { throw ValidationError("--agency must be an agency id (a UUID)") }
            guard (role == .client) == (company != nil) else { throw ValidationError("--company is required for a client, and only for a client") }
            if let company, UUID(uuidString: company) == nil { throw ValidationError("--company must be a company id (a UUID)") }
            if let tokenDays, !(1...3650).contains(tokenDays) { throw ValidationError("--token-days must be 1 to 3650") }
        }

        func run() async throws {
            let logger = makeLogger(.warning)
            let agencyID = UUID(uuidString: agency)!
            let created = try await withAdminConnection(url: try database.url(), logger: logger) { connection in
                try await AdminStore.createUser(
                    agency: agencyID, name: name, role: role, company: company.flatMap(UUID.init(uuidString:)), tokenExpiresInDays: tokenDays,
                    on: connection, logger: logger)
            }
            printJSON(created)
        }
    }
}

func printJSON<T: Encodable>(_ value: T) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self))
}

struct Docs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the OpenRPC document, or rewrite the generated reference in docs/protocol.md.")

    @Flag(help: "Print the OpenRPC document (what rpc.discover returns) as JSON.") var openrpc = false
    @Option(help: "Rewrite the generated section of this protocol document in place.") var update: String?

    func run() throws {
        let registry = Application.makeRegistry()
        if openrpc {
            printJSON(OpenRPC.document(for: registry, version: Application.version))
        }
        if let update {
            let text = try String(contentsOfFile: update, encoding: .utf8)
            guard let updated = ProtocolDocs.updating(text, registry: registry) else {
                throw ValidationError("\(update) has no generated-section markers")
            }
            try updated.write(toFile: update, atomically: true, encoding: .utf8)
        }
        if !openrpc && update == nil { print(ProtocolDocs.generated(for: registry)) }
    }
}

extension Role: ExpressibleByArgument {}
