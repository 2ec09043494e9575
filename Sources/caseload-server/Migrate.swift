import ArgumentParser
import CaseloadCore
import CaseloadServer
import CaseloadStorage
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

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

    @Flag(help: "Distribute every table on agency_id (a Citus coordinator; also done when the citus extension is installed). See docs/scaling.md §4.")
    var citus = false

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
        let citusInstalled = try await migrator.citusInstalled()
        if citus || citusInstalled {
            guard citusInstalled else {
                throw ValidationError("--citus: the citus extension is not installed in this database (CREATE EXTENSION citus on the coordinator first)")
            }
            let outcome = try await migrator.distributeOnCitus()
            FileHandle.standardError.write(Data("migrate: citus: \(outcome)\n".utf8))
        }
        if let appRole { try await migrator.ensureLoginRole(appRole) }
        // Data that older schema versions kept in plaintext is sealed once the keys are known.
        let (configuration, _) = try ServerConfiguration.load()
        if let key = configuration.piiKey, let lookup = configuration.piiLookupKey {
            let sealed = try await migrator.sealPlaintextPhones(cipher: PIICipher(activeKey: key, lookupKey: lookup))
            if sealed > 0 { FileHandle.standardError.write(Data("migrate: sealed \(sealed) plaintext HR phone numbers\n".utf8)) }
        }
        let filled = try await migrator.fillNamePinyin()
        if filled.applicants + filled.companies > 0 {
            FileHandle.standardError.write(Data("migrate: pinyin of \(filled.applicants) applicant and \(filled.companies) company names filled\n".utf8))
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
            report += "  agency \(date.agency.lowercasedString) \(date.entity) \(date.entityID.map { $0.lowercasedString } ?? "-") \(date.field) = \(date.value)\n"
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
