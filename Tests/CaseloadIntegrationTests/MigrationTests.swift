import CaseloadStorage
import Foundation
import PostgresNIO
import Testing

@Suite("Migrations against a real PostgreSQL")
struct MigrationTests {
    let logger = TestDatabase.logger

    func appliedVersions(_ db: TestDatabase) async throws -> [Int] {
        try await db.admin { connection in
            var versions: [Int] = []
            for try await v in try await connection.query("SELECT version FROM caseload_schema_migrations ORDER BY version", logger: TestDatabase.logger)
                .decode(Int.self)
            {
                versions.append(v)
            }
            return versions
        }
    }

    @Test("a fresh database gets every migration, and a re-run applies nothing")
    func freshThenRerun() async throws {
        let db = try await TestDatabase.empty()
        let migrations = try Migration.load(from: TestDatabase.schemaDirectory)
        #expect(!migrations.isEmpty)
        let first = try await Migrator(url: db.adminURL, logger: logger).migrate(migrations)
        #expect(first.map(\.version) == migrations.map(\.version))
        #expect(try await appliedVersions(db) == migrations.map(\.version))
        let tables = try await db.admin { connection in
            try await connection.query("SELECT count(*)::int FROM pg_tables WHERE schemaname = 'public' AND tablename = 'companies'", logger: TestDatabase.logger)
                .collect().first!.decode(Int.self)
        }
        #expect(tables == 1)

        let second = try await Migrator(url: db.adminURL, logger: logger).migrate(migrations)
        #expect(second.isEmpty)
    }

    @Test("an applied migration whose file changed is refused, and nothing else is applied")
    func tamperedFileRefused() async throws {
        let db = try await TestDatabase.empty()
        var migrations = try Migration.load(from: TestDatabase.schemaDirectory)
        try await Migrator(url: db.adminURL, logger: logger).migrate(migrations)

        migrations[0].sql += "\n-- a harmless-looking edit\n"
        migrations.append(Migration(version: 999, name: "later", sql: "CREATE TABLE should_not_exist (x int)"))
        await #expect(throws: MigrationError.self) {
            try await Migrator(url: db.adminURL, logger: logger).migrate(migrations)
        }
        do {
            try await Migrator(url: db.adminURL, logger: logger).migrate(migrations)
        } catch let error as MigrationError {
            guard case .changedAfterApply(let file, _, _) = error else { Issue.record("wrong error \(error)"); return }
            #expect(file == migrations[0].fileName)
            #expect(error.description.contains("new file"))
        }
        #expect(try await appliedVersions(db).contains(999) == false)
    }

    @Test("a failing migration rolls back entirely")
    func failingMigrationRollsBack() async throws {
        let db = try await TestDatabase.empty()
        let broken = Migration(version: 1, name: "broken", sql: "CREATE TABLE half (x int);\nSELECT no_such_function();")
        await #expect(throws: (any Error).self) {
            try await Migrator(url: db.adminURL, logger: logger).migrate([broken])
        }
        let exists = try await db.admin { connection in
            try await connection.query("SELECT count(*)::int FROM pg_tables WHERE tablename = 'half'", logger: TestDatabase.logger)
                .collect().first!.decode(Int.self)
        }
        #expect(exists == 0)
        #expect(try await appliedVersions(db).isEmpty)
    }

    @Test("HR phones an older schema kept in plaintext are sealed by migrate, then cleared")
    func sealsLegacyPhones() async throws {
        let db = try await TestDatabase.migrated()
        let agency = try await db.createAgency()
        try await db.admin { connection in
            try await connection.query(
                "INSERT INTO companies (agency_id, name, org_code, hr_phone) VALUES (\(agency.agencyID), 'Old', '77604965-3', '13800138001')",
                logger: TestDatabase.logger)
        }
        let cipher = try PIICipher(activeKey: testKeys.piiKey, lookupKey: testKeys.lookupKey)
        #expect(try await Migrator(url: db.adminURL, logger: logger).sealPlaintextPhones(cipher: cipher) == 1)
        let (plain, masked, sealed, key) = try await db.admin { connection in
            try await connection.query("SELECT hr_phone, hr_phone_masked, hr_phone_sealed, hr_phone_key FROM companies", logger: TestDatabase.logger)
                .collect().first!.decode((String?, String, ByteBuffer, String).self)
        }
        #expect(plain == nil && masked == "138****8001")
        #expect(try cipher.open(Array(sealed.readableBytesView), keyID: key) == "13800138001")
        #expect(try await Migrator(url: db.adminURL, logger: logger).sealPlaintextPhones(cipher: cipher) == 0)
    }

    @Test("the server's login role is made safely by several migrations at once (roles are cluster-wide)")
    func concurrentLoginRole() async throws {
        let db = try await TestDatabase.migrated()
        let role = "caseload_race_\(UUID().uuidString.prefix(8).lowercased())"
        let migrator = Migrator(url: db.adminURL, logger: TestDatabase.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<6 { group.addTask { try await TestDatabase.detailed { try await migrator.ensureLoginRole(role) } } }
            try await group.waitForAll()
        }
        let member = try await db.admin { connection in
            try await connection.query("SELECT pg_has_role(\(role), 'caseload_app', 'MEMBER')", logger: TestDatabase.logger)
                .collect().first!.decode(Bool.self)
        }
        #expect(member)
        try await db.admin { try await $0.query(PostgresQuery(unsafeSQL: "DROP ROLE \(role)"), logger: TestDatabase.logger) }
    }

    @Test("schema files must be named NNN_name.sql and versions unique")
    func fileNaming() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("schema-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "SELECT 1".write(to: dir.appendingPathComponent("001_a.sql"), atomically: true, encoding: .utf8)
        try "SELECT 1".write(to: dir.appendingPathComponent("001_b.sql"), atomically: true, encoding: .utf8)
        #expect(throws: MigrationError.duplicateVersion(1)) { try Migration.load(from: dir) }
        try FileManager.default.removeItem(at: dir.appendingPathComponent("001_b.sql"))
        try "SELECT 1".write(to: dir.appendingPathComponent("2_c.sql"), atomically: true, encoding: .utf8)
        #expect(throws: MigrationError.badFileName("2_c.sql")) { try Migration.load(from: dir) }
    }
}
