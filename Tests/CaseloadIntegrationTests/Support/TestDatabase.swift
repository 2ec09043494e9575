import CaseloadStorage
import Foundation
import Logging
import PostgresNIO
import Testing

/// A fresh, migrated database in the throw-away cluster `make test` starts, plus the URLs of
/// its owner (admin) and of the server's unprivileged login role.
struct TestDatabase: Sendable {
    static let serverRole = "caseload_server"

    let name: String
    let adminURL: DatabaseURL
    let serverURL: DatabaseURL

    static var clusterAdminURL: DatabaseURL {
        get throws {
            let raw = try #require(
                ProcessInfo.processInfo.environment["CASELOAD_TEST_ADMIN_DATABASE_URL"],
                "CASELOAD_TEST_ADMIN_DATABASE_URL is not set: run the tests with `make test`, which starts a throw-away PostgreSQL")
            return try DatabaseURL(raw)
        }
    }

    /// The checkout's root.
    static var repositoryRoot: URL { schemaDirectory.deletingLastPathComponent() }

    static var schemaDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("schema")
    }

    static let logger: Logger = {
        var l = Logger(label: "caseload.test")
        l.logLevel = .warning
        return l
    }()

    /// Cluster-wide DDL (CREATE DATABASE, roles) is serialised: PostgreSQL refuses concurrent
    /// copies of the same template, and role grants race.
    /// One `body` at a time. (An actor alone does not do it: it is re-entered at every await
    /// inside `body`.)
    private actor ClusterLock {
        private var busy = false
        private var waiting: [CheckedContinuation<Void, Never>] = []

        func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
            while busy { await withCheckedContinuation { waiting.append($0) } }
            busy = true
            defer {
                busy = false
                if !waiting.isEmpty { waiting.removeFirst().resume() }
            }
            return try await body()
        }
    }
    private static let lock = ClusterLock()

    /// Creates an empty database (no migrations).
    static func empty(prefix: String = "caseload_test") async throws -> TestDatabase {
        try await lock.run { try await detailed { try await createEmpty(prefix: prefix, cluster: clusterAdminURL) } }
    }

    private static func createEmpty(prefix: String, cluster: DatabaseURL) async throws -> TestDatabase {
        let name = "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
        try await withAdminConnection(url: cluster, logger: logger) { connection in
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        let admin = cluster.with(database: name)
        return TestDatabase(name: name, adminURL: admin, serverURL: admin.with(user: serverRole))
    }

    /// Creates a database migrated to the current schema, with the server's login role, in
    /// the shared test cluster or, given its superuser URL, in another (a private cluster).
    ///
    /// With `CASELOAD_TEST_SHARED_DATABASE_URL` set (`make test-citus`), the shared test cluster
    /// is one already migrated database (a Citus coordinator cannot create distributed
    /// databases per test): every test gets it, and keeps to the agencies it creates.
    static func migrated(cluster: DatabaseURL? = nil) async throws -> TestDatabase {
        if cluster == nil, let shared = try sharedDatabase { return shared }
        let cluster = try cluster ?? clusterAdminURL
        return try await lock.run {
            try await detailed {
                let db = try await createEmpty(prefix: "caseload_test", cluster: cluster)
                let migrator = Migrator(url: db.adminURL, logger: logger)
                try await migrator.migrate(Migration.load(from: schemaDirectory))
                try await migrator.ensureLoginRole(serverRole)
                return db
            }
        }
    }

    /// Whether this run shares one database (`make test-citus`): a test that changes the
    /// schema or its grants would change them for every test, so it stays out of such a run
    /// (`.disabled(if: TestDatabase.isShared, …)`).
    static let isShared = ProcessInfo.processInfo.environment["CASELOAD_TEST_SHARED_DATABASE_URL"] != nil

    /// The one migrated database of a `make test-citus` run, if this is one.
    static var sharedDatabase: TestDatabase? {
        get throws {
            guard let raw = ProcessInfo.processInfo.environment["CASELOAD_TEST_SHARED_DATABASE_URL"] else { return nil }
            let admin = try DatabaseURL(raw)
            return TestDatabase(name: admin.database, adminURL: admin, serverURL: admin.with(user: serverRole))
        }
    }

    /// Runs SQL as the schema owner.
    @discardableResult
    func admin<T: Sendable>(_ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await Self.detailed { try await withAdminConnection(url: adminURL, logger: Self.logger, body) }
    }

    /// A `PSQLError`'s description is generic on purpose (it must not leak data in logs); a
    /// test failing on one needs the SQLSTATE and message to be diagnosable, and test data is
    /// synthetic. Other errors pass through unchanged, so tests still match them by type.
    static func detailed<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PSQLError {
            throw DetailedSQLError(description: String(reflecting: error))
        }
    }

    /// Creates an agency with an owner; returns the owner's token and ids.
    func createAgency(_ name: String = "Agency \(UUID().uuidString.prefix(6))") async throws -> AdminStore.Created {
        try await admin { try await AdminStore.createAgency(name: name, on: $0, logger: Self.logger) }
    }
}

/// A PostgreSQL error with its details, for test failures only.
struct DetailedSQLError: Error, CustomStringConvertible {
    let description: String
}
