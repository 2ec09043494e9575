import Foundation
import Logging
import PostgresNIO

/// Applies schema migrations in order, each in its own transaction, and records each with
/// its checksum. Runs as the schema owner (the admin URL), never as the server's role.
public struct Migrator: Sendable {
    public let url: DatabaseURL
    public let logger: Logger

    public init(url: DatabaseURL, logger: Logger) {
        self.url = url
        self.logger = logger
    }

    /// Applies what is not yet applied; returns the migrations it applied. Refuses to run if
    /// an applied migration's file changed since.
    @discardableResult
    public func migrate(_ migrations: [Migration]) async throws -> [Migration] {
        try await withAdminConnection(url: url, logger: logger) { connection in
            // One migrator at a time: several instances may start together. The lock is the
            // session's, released when this short-lived connection closes, whatever happens.
            try await connection.query("SELECT pg_advisory_lock(hashtext('caseload.migrate'))", logger: logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS caseload_schema_migrations (
                    version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """,
                logger: logger
            )
            var applied: [Int: String] = [:]
            let rows = try await connection.query("SELECT version, checksum FROM caseload_schema_migrations", logger: logger)
            for try await (version, checksum) in rows.decode((Int, String).self) { applied[version] = checksum }

            let known = Set(migrations.map(\.version))
            if let stranger = applied.keys.sorted().first(where: { !known.contains($0) }) {
                throw MigrationError.unknownAppliedVersion(stranger)
            }
            for migration in migrations {
                if let checksum = applied[migration.version], checksum != migration.checksum {
                    throw MigrationError.changedAfterApply(file: migration.fileName, applied: checksum, now: migration.checksum)
                }
            }
            var done: [Migration] = []
            for migration in migrations where applied[migration.version] == nil {
                logger.info("applying migration", metadata: ["file": "\(migration.fileName)"])
                do {
                    try await connection.withTransaction(logger: logger) { tx in
                        for statement in SQLScript.statements(in: migration.sql) {
                            try await tx.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                        }
                        try await tx.query(
                            "INSERT INTO caseload_schema_migrations (version, name, checksum) VALUES (\(migration.version), \(migration.name), \(migration.checksum))",
                            logger: logger
                        )
                    }
                } catch {
                    throw StorageError.unwrapped(error)
                }
                done.append(migration)
            }
            return done
        }
    }

    /// Whether the `citus` extension is installed in this database.
    public func citusInstalled() async throws -> Bool {
        try await withAdminConnection(url: url, logger: logger) { connection in
            try await connection.query("SELECT 1 FROM pg_extension WHERE extname = 'citus'", logger: logger).collect().count > 0
        }
    }

    /// Turns the migrated schema into its Citus variant (schema/021's
    /// `caseload_citus_distribute()`: every table distributed on agency_id, co-located), once;
    /// later calls answer "already distributed". Then the watch events' triggers write
    /// event_log (schema/029's `caseload_citus_event_log()`). Throws when the extension is missing.
    public func distributeOnCitus() async throws -> String {
        try await withAdminConnection(url: url, logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_lock(hashtext('caseload.migrate'))", logger: logger)
            do {
                return try await connection.withTransaction(logger: logger) { tx in
                    var outcome = "distributed"
                    for try await said in try await tx.query("SELECT caseload_citus_distribute()", logger: logger).decode(String.self) {
                        outcome = said
                    }
                    // The watch events' triggers, which the step drops (schema/029): idempotent.
                    try await tx.query("SELECT caseload_citus_event_log()", logger: logger)
                    return outcome
                }
            } catch {
                throw StorageError.unwrapped(error)
            }
        }
    }

    /// A stored date outside the range clients may send (schema/013): written by a version
    /// that did not check, and to be corrected by the agency.
    public struct StoredDate: Sendable, Hashable {
        public var agency: UUID
        public var entity: String
        public var entityID: UUID?
        public var field: String
        public var value: String
    }

    /// Every stored date outside 1900-01-01 … 2100-12-31, in all agencies (runs as the owner).
    public func datesOutOfRange() async throws -> [StoredDate] {
        try await withAdminConnection(url: url, logger: logger) { connection in
            let rows = try await connection.query(
                "SELECT agency_id, entity, entity_id, field, value FROM caseload_dates_out_of_range()", logger: logger)
            var found: [StoredDate] = []
            for try await (agency, entity, id, field, value) in rows.decode((UUID, String, UUID?, String, String).self) {
                found.append(StoredDate(agency: agency, entity: entity, entityID: id, field: field, value: value))
            }
            return found
        }
    }

    /// Seals HR phone numbers left in plaintext by schema versions before 006, and clears
    /// them. Runs as the schema owner across agencies; returns how many it sealed.
    @discardableResult
    public func sealPlaintextPhones(cipher: PIICipher) async throws -> Int {
        try await withAdminConnection(url: url, logger: logger) { connection in
            let rows = try await connection.query(
                "SELECT agency_id, company_id, hr_phone FROM companies WHERE hr_phone IS NOT NULL", logger: logger)
            var plain: [(UUID, UUID, String)] = []
            for try await row in rows.decode((UUID, UUID, String).self) { plain.append(row) }
            for (agency, company, phone) in plain {
                let sealed = try cipher.seal(phone)
                let masked = String(phone.prefix(3)) + "****" + String(phone.suffix(4))
                try await connection.query(
                    """
                    UPDATE companies SET hr_phone_sealed = \(ByteBuffer(bytes: sealed.sealed)), hr_phone_key = \(sealed.keyID),
                        hr_phone_masked = \(masked), hr_phone = NULL
                    WHERE agency_id = \(agency) AND company_id = \(company)
                    """, logger: logger)
            }
            return plain.count
        }
    }

    /// Makes `role` a login role that is a member of `caseload_app` and nothing more: what
    /// the server connects as. Creates it if missing (no password: local trust or peer auth;
    /// set one with ALTER ROLE for remote use). Safe to run from several places at once (two
    /// instances migrating at a deploy): roles are cluster-wide, and a concurrent run's
    /// role or membership is as good as this one's.
    public func ensureLoginRole(_ role: String) async throws {
        guard role.range(of: "^[a-z_][a-z0-9_]{0,62}$", options: .regularExpression) != nil else {
            throw MigrationError.invalidRoleName(role)
        }
        try await withAdminConnection(url: url, logger: logger) { connection in
            let exists = try await connection.query("SELECT 1 FROM pg_roles WHERE rolname = \(role)", logger: logger)
                .collect().count > 0
            if !exists {
                // Created meanwhile: duplicate_object, or the catalog's unique index if both got that far.
                try await Self.ignoring(sqlStates: [SQLState.duplicateObject, SQLState.uniqueViolation]) {
                    try await connection.query(
                        PostgresQuery(unsafeSQL: "CREATE ROLE \(role) LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"),
                        logger: logger
                    )
                }
            }
            try await Self.ignoring(sqlStates: [SQLState.uniqueViolation]) {  // the same membership granted meanwhile
                try await connection.query(PostgresQuery(unsafeSQL: "GRANT caseload_app TO \(role)"), logger: logger)
            }
        }
    }
}

extension Migrator {
    /// Runs `body`, treating a PostgreSQL error of one of `sqlStates` as success.
    static func ignoring(sqlStates: Set<String>, _ body: () async throws -> some Any) async throws {
        do {
            _ = try await body()
        } catch where StorageError.sqlState(of: error).map(sqlStates.contains) == true {
            return
        }
    }
}

/// Runs `body` on one fresh connection to `url`, closed afterwards: for admin commands and
/// migrations, which run once and exit.
@discardableResult
public func withAdminConnection<Result: Sendable>(
    url: DatabaseURL,
    logger: Logger,
    _ body: @Sendable (PostgresConnection) async throws -> Result
) async throws -> Result {
    let connection = try await PostgresConnection.connect(configuration: try url.connectionConfiguration(), id: 1, logger: logger)
    do {
        let result = try await body(connection)
        try await connection.close()
        return result
    } catch {
        try? await connection.close()
        throw error
    }
}
