import CaseloadProtocol
import CaseloadServer
import CaseloadStorage
import Foundation
import PostgresNIO
import Testing

/// `admin rotate-key`: data sealed under key A, re-sealed under key B, with servers running.
@Suite("Key rotation")
struct KeyRotationTests {
    static let credit = "91350200776049653A"
    static let lookup = testKeys.lookupKey

    /// Two fresh keys with ids of their own (the lookup key never rotates).
    struct Keys {
        let a = PIICipher.generateKeys(keyID: "rotA").piiKey
        let b = PIICipher.generateKeys(keyID: "rotB").piiKey
        var onlyA: PIICipher { get throws { try PIICipher(activeKey: a, lookupKey: KeyRotationTests.lookup) } }
        var onlyB: PIICipher { get throws { try PIICipher(activeKey: b, lookupKey: KeyRotationTests.lookup) } }
        var bOverA: PIICipher { get throws { try PIICipher(activeKey: b, oldKeys: [a], lookupKey: KeyRotationTests.lookup) } }
    }

    /// What one agency was given, in plaintext, to compare with what is stored.
    struct Seeded {
        var agency: AdminStore.Created
        var companyID: String
        /// applicant id → (ID number, phone)
        var applicants: [String: (idNumber: String, phone: String?)] = [:]
        var importID: JSONValue?
        var staged: [[String: String]] = []
    }

    func importRow(_ n: Int) -> [String: String] {
        ["company_credit_code": Self.credit, "name": "陈静", "id_number": residentID(birth: "19850505", n), "education_level": "本科",
         "dispatched": "否", "permit_expiry_date": "2027/3/1"]
    }

    /// An agency with a company (HR phone), `applicants` applicants (every other one with a
    /// phone) and, when asked, an import staged but not committed, all through `server`.
    func seed(_ server: TestServer, applicants: Int, stagedImport: Bool = false) async throws -> Seeded {
        let agency = try await server.database.createAgency()
        return try await server.withClient(token: agency.token) { client async throws in
            let company = try await client.call(
                "company.create", ["name": "轮换公司", "credit_code": .string(Self.credit), "hr_phone": "13800138001"])
            var seeded = Seeded(agency: agency, companyID: company["id"]!.stringValue!)
            for i in 0..<applicants {
                let idNumber = residentID(i)
                let phone = i % 2 == 0 ? String(format: "139%08d", i) : nil
                var params: [String: JSONValue] = ["company_id": company["id"]!, "name": .string("张伟\(i)"), "id_number": .string(idNumber)]
                if let phone { params["phone"] = .string(phone) }
                let created = try await client.call("applicant.create", .object(params))
                seeded.applicants[created["id"]!.stringValue!] = (idNumber, phone)
            }
            if stagedImport {
                seeded.staged = (1...3).map { importRow(900 + $0) }
                let begun = try await client.call("import.begin", ["kind": "applicants"])
                let rows: [JSONValue] = seeded.staged.enumerated().map { i, fields in
                    ["row": .int(Int64(i + 1)), "fields": .object(fields.mapValues(JSONValue.string))]
                }
                _ = try await client.call("import.rows", ["import_id": begun["import_id"]!, "rows": .array(rows)])
                seeded.importID = begun["import_id"]!
            }
            return seeded
        }
    }

    /// How many values of each column are under each key id.
    func keyCounts(_ db: TestDatabase) async throws -> [String: [String: Int]] {
        try await db.admin { connection in
            var counts: [String: [String: Int]] = [:]
            for column in SealedColumn.all {
                let rows = try await connection.query(
                    "SELECT \(unescaped: column.keyColumn), count(*)::int8 FROM \(unescaped: column.table) WHERE \(unescaped: column.keyColumn) IS NOT NULL GROUP BY 1",
                    logger: TestDatabase.logger)
                for try await (key, count) in rows.decode((String, Int).self) { counts[column.name, default: [:]][key] = count }
            }
            return counts
        }
    }

    /// Every applicant's ID number and phone, opened with `cipher`.
    func openedApplicants(_ db: TestDatabase, cipher: PIICipher) async throws -> [String: (idNumber: String, phone: String?)] {
        let rows = try await db.admin { connection in
            try await connection.query(
                "SELECT applicant_id, id_number_sealed, id_number_key, phone_sealed, phone_key FROM applicants", logger: TestDatabase.logger
            ).collect().map { try $0.decode((UUID, ByteBuffer, String, ByteBuffer?, String?).self) }
        }
        var opened: [String: (idNumber: String, phone: String?)] = [:]
        for (id, sealed, key, phoneSealed, phoneKey) in rows {
            let phone = try phoneSealed.map { try cipher.open(Array($0.readableBytesView), keyID: phoneKey!) }
            opened[id.uuidString.lowercased()] = (try cipher.open(Array(sealed.readableBytesView), keyID: key), phone)
        }
        return opened
    }

    func rotate(_ db: TestDatabase, cipher: PIICipher, _ options: KeyRotation.Options) async throws -> KeyRotationReport {
        try await db.admin { connection in
            try await KeyRotation(cipher: cipher, logger: TestDatabase.logger).run(options, on: connection)
        }
    }

    @Test("every sealed column ends under the new key, in batches, across agencies; values, lookups, masks and imports survive")
    func rotatesEverything() async throws {
        let keys = Keys()
        let db = try await TestDatabase.migrated()
        let serverA = try await TestServer.start(database: db) { $0.piiKey = keys.a }
        var seeded: [Seeded] = []
        for _ in 0..<2 { seeded.append(try await seed(serverA, applicants: 12, stagedImport: true)) }
        // What clients saw under key A.
        var before: [String: JSONValue] = [:]
        for s in seeded {
            try await serverA.withClient(token: s.agency.token) { client async throws in
                for id in s.applicants.keys { before[id] = try await client.call("applicant.get", ["id": .string(id)]) }
                before[s.companyID] = try await client.call("company.get", ["id": .string(s.companyID)])
            }
        }
        try await serverA.stop()
        #expect(try await keyCounts(db) == [
            "applicants.id_number": ["rotA": 24], "applicants.phone": ["rotA": 12], "companies.hr_phone": ["rotA": 2], "import_rows.fields": ["rotA": 6],
        ])

        // A dry run counts and changes nothing.
        let dry = try await rotate(db, cipher: try keys.bOverA, KeyRotation.Options(batchSize: 5, dryRun: true))
        #expect(dry.columns.map(\.pending) == [24, 12, 2, 6])
        #expect(dry.columns.first?.pendingByKey == ["rotA": 24])
        #expect(dry.batches == 0 && dry.remaining == 44 && !dry.complete && dry.missingKeys.isEmpty)
        #expect(try await keyCounts(db)["applicants.id_number"] == ["rotA": 24])

        let report = try await rotate(db, cipher: try keys.bOverA, KeyRotation.Options(batchSize: 5))
        #expect(report.complete && report.remaining == 0)
        #expect(report.columns.map(\.resealed) == [24, 12, 2, 6])
        #expect(report.columns.allSatisfy { $0.superseded == 0 && $0.busy == 0 && $0.unreadableByKey.isEmpty })
        // 24 / 5 → 5 batches, 12 → 3, 2 → 1, 6 → 2.
        #expect(report.batches == 11)
        #expect(try await keyCounts(db) == [
            "applicants.id_number": ["rotB": 24], "applicants.phone": ["rotB": 12], "companies.hr_phone": ["rotB": 2], "import_rows.fields": ["rotB": 6],
        ])

        // Key B alone opens every value, and each is what was stored under A.
        let onlyB = try keys.onlyB
        let opened = try await openedApplicants(db, cipher: onlyB)
        for s in seeded {
            for (id, expected) in s.applicants {
                #expect(opened[id]?.idNumber == expected.idNumber)
                #expect(opened[id]?.phone == expected.phone)
            }
        }
        let hrPhones = try await db.admin { connection in
            try await connection.query("SELECT hr_phone_sealed, hr_phone_key FROM companies", logger: TestDatabase.logger)
                .collect().map { try $0.decode((ByteBuffer, String).self) }
        }
        for (sealed, key) in hrPhones { #expect(try onlyB.open(Array(sealed.readableBytesView), keyID: key) == "13800138001") }

        // A server with only key B: the same masked values, lookups by ID number, and the
        // staged imports (which it must open) commit.
        let serverB = try await TestServer.start(database: db) { $0.piiKey = keys.b }
        for s in seeded {
            try await serverB.withClient(token: s.agency.token) { client async throws in
                for (id, expected) in s.applicants {
                    #expect(try await client.call("applicant.get", ["id": .string(id)]) == before[id])
                    let found = try await client.call("applicant.list", ["id_number": .string(expected.idNumber)])["applicants"]?.arrayValue
                    #expect(found?.first?["id"] == .string(id))
                }
                #expect(try await client.call("company.get", ["id": .string(s.companyID)])["hr_phone"] == before[s.companyID]?["hr_phone"])
                let committed = try await client.call("import.commit", ["import_id": s.importID!])
                #expect(committed["applied"] == true && committed["created"] == 3)
                let imported = try await client.call("applicant.list", ["id_number": .string(s.staged[0]["id_number"]!)])["applicants"]?.arrayValue
                #expect(imported?.count == 1)
            }
        }
        try await serverB.stop()

        // Nothing left: a second run does nothing.
        let again = try await rotate(db, cipher: try keys.bOverA, KeyRotation.Options(batchSize: 5))
        #expect(again.complete && again.batches == 0 && again.columns.allSatisfy { $0.pending == 0 })
    }

    @Test("stopped after one batch, a second run finishes the job")
    func resumes() async throws {
        let keys = Keys()
        let db = try await TestDatabase.migrated()
        let serverA = try await TestServer.start(database: db) { $0.piiKey = keys.a }
        let seeded = try await seed(serverA, applicants: 7)
        try await serverA.stop()

        let first = try await rotate(db, cipher: try keys.bOverA, KeyRotation.Options(batchSize: 3, maxBatches: 1))
        #expect(first.batches == 1 && !first.complete)
        #expect(first.columns[0].resealed == 3)
        #expect(first.remaining == 7 - 3 + 4 + 1)
        #expect(try await keyCounts(db)["applicants.id_number"] == ["rotA": 4, "rotB": 3])

        let second = try await rotate(db, cipher: try keys.bOverA, KeyRotation.Options(batchSize: 3))
        #expect(second.complete)
        #expect(second.columns.map(\.pending) == [4, 4, 1, 0])
        #expect(second.columns.map(\.resealed) == [4, 4, 1, 0])
        let opened = try await openedApplicants(db, cipher: try keys.onlyB)
        for (id, expected) in seeded.applicants { #expect(opened[id]?.idNumber == expected.idNumber && opened[id]?.phone == expected.phone) }
    }

    @Test("values under a key that is not configured: refused with the key id and count, nothing changed")
    func missingOldKey() async throws {
        let keys = Keys()
        let db = try await TestDatabase.migrated()
        let serverA = try await TestServer.start(database: db) { $0.piiKey = keys.a }
        _ = try await seed(serverA, applicants: 3)
        try await serverA.stop()
        let snapshot = try await sealedSnapshot(db)

        await #expect(throws: KeyRotationError.missingKeys(["rotA": 3 + 2 + 1])) {
            _ = try await rotate(db, cipher: try keys.onlyB, KeyRotation.Options(batchSize: 2))
        }
        let error = KeyRotationError.missingKeys(["rotA": 6]).description
        #expect(error.contains("'rotA' (6 values)") && error.contains("pii_old_keys") && error.contains("nothing was changed"))
        let dry = try await rotate(db, cipher: try keys.onlyB, KeyRotation.Options(dryRun: true))
        #expect(dry.missingKeys == ["rotA": 6])
        #expect(try await sealedSnapshot(db) == snapshot)

        // A new key generated under the id already in use: flagged (no rotation can fix it).
        let reused = PIICipher.generateKeys(keyID: "rotA").piiKey
        let mislabelled = try await rotate(db, cipher: try PIICipher(activeKey: reused, lookupKey: Self.lookup), KeyRotation.Options(dryRun: true))
        #expect(mislabelled.mislabelled == 3 + 2 + 1)
        // And the configuration cannot hold two keys under one id.
        #expect(throws: PIICipher.KeyError.self) { try PIICipher(activeKey: reused, oldKeys: [keys.a], lookupKey: Self.lookup) }
    }

    /// Every sealed value and its key id, to show nothing changed.
    func sealedSnapshot(_ db: TestDatabase) async throws -> [String] {
        try await db.admin { connection in
            var all: [String] = []
            for column in SealedColumn.all {
                let rows = try await connection.query(
                    """
                    SELECT encode(\(unescaped: column.sealedColumn), 'hex') || ':' || \(unescaped: column.keyColumn)
                    FROM \(unescaped: column.table) WHERE \(unescaped: column.keyColumn) IS NOT NULL ORDER BY 1
                    """, logger: TestDatabase.logger)
                for try await value in rows.decode(String.self) { all.append("\(column.name) \(value)") }
            }
            return all
        }
    }

    @Test("a value changed between read and write is kept, not overwritten with the old one re-sealed")
    func guardedWrite() async throws {
        let keys = Keys()
        let db = try await TestDatabase.migrated()
        let serverA = try await TestServer.start(database: db) { $0.piiKey = keys.a }
        let seeded = try await seed(serverA, applicants: 4)
        let phoneColumn = SealedColumn.all.first { $0.name == "applicants.phone" }!
        let rotation = KeyRotation(cipher: try keys.bOverA, logger: TestDatabase.logger)
        // Read (no transaction, so no lock is kept: the worst case the guard must cover).
        let read = try await db.admin { try await rotation.fetch(phoneColumn, after: nil, limit: 10, on: $0) }
        #expect(read.count == 2)
        let changedID = read[0].row.id.uuidString.lowercased()
        // Meanwhile a server that still has key A active changes that phone: same key id, new bytes.
        try await serverA.withClient(token: seeded.agency.token) { client async throws in
            let current = try await client.call("applicant.get", ["id": .string(changedID)])
            _ = try await client.call("applicant.update", ["id": .string(changedID), "version": current["version"]!, "phone": "13700137000"])
        }
        let (resealed, unreadable) = rotation.reseal(read)
        #expect(unreadable.isEmpty)
        let written = try await db.admin { try await rotation.write(phoneColumn, resealed, on: $0) }
        #expect(written == 1)
        var opened = try await openedApplicants(db, cipher: try keys.bOverA)
        #expect(opened[changedID]?.phone == "13700137000")

        // The next run re-seals the changed row too, with its new value.
        let report = try await rotate(db, cipher: try keys.bOverA, KeyRotation.Options(batchSize: 2))
        #expect(report.complete && report.columns[1].resealed == 1)
        opened = try await openedApplicants(db, cipher: try keys.onlyB)
        #expect(opened[changedID]?.phone == "13700137000")
        try await serverA.stop()
    }

    @Test("a row another transaction holds is skipped, then re-sealed after it commits, with its new value")
    func lockedRowWaits() async throws {
        let keys = Keys()
        let db = try await TestDatabase.migrated()
        let serverA = try await TestServer.start(database: db) { $0.piiKey = keys.a }
        let seeded = try await seed(serverA, applicants: 6)
        try await serverA.stop()
        let heldID = UUID(uuidString: seeded.applicants.first { $0.value.phone != nil }!.key)!
        let cipherA = try keys.onlyA
        let newPhone = try cipherA.seal("13600136000")

        // A request (as a server still on key A would) holds one applicant while it works.
        let holder = try await PostgresConnection.connect(configuration: try db.adminURL.connectionConfiguration(), id: 9, logger: TestDatabase.logger)
        try await holder.query("BEGIN", logger: TestDatabase.logger)
        try await holder.query("SELECT 1 FROM applicants WHERE applicant_id = \(heldID) FOR UPDATE", logger: TestDatabase.logger)

        let rotation = Task {
            try await rotate(db, cipher: try keys.bOverA, KeyRotation.Options(batchSize: 2, lockWait: .seconds(20)))
        }
        // Everything else gets done while the row is held: nobody waits on the rotation.
        let deadline = ContinuousClock.now + .seconds(20)
        while try await keyCounts(db)["applicants.id_number"]?["rotB"] != 5 {
            #expect(ContinuousClock.now < deadline, "the rotation should re-seal the other rows while one is held")
            if ContinuousClock.now >= deadline { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        // The holder writes a new phone under A and commits.
        try await holder.query(
            """
            UPDATE applicants SET phone_sealed = \(ByteBuffer(bytes: newPhone.sealed)), phone_key = \(newPhone.keyID)
            WHERE applicant_id = \(heldID)
            """, logger: TestDatabase.logger)
        try await holder.query("COMMIT", logger: TestDatabase.logger)
        try await holder.close()

        let report = try await rotation.value
        #expect(report.complete && report.columns.allSatisfy { $0.busy == 0 })
        #expect(report.columns[0].resealed == 6 && report.columns[1].resealed == 3)
        let opened = try await openedApplicants(db, cipher: try keys.onlyB)
        #expect(opened[heldID.uuidString.lowercased()]?.phone == "13600136000")
        #expect(opened[heldID.uuidString.lowercased()]?.idNumber == seeded.applicants[heldID.uuidString.lowercased()]?.idNumber)
    }

    @Test("every sealed column in the schema is rotated")
    func coversTheSchema() async throws {
        let db = try await TestDatabase.migrated()
        let sealed = try await db.admin { connection in
            try await connection.query(
                """
                SELECT table_name || '.' || column_name FROM information_schema.columns
                WHERE table_schema = 'public' AND data_type = 'bytea' AND column_name ~ '(^|_)sealed$'
                """, logger: TestDatabase.logger
            ).collect().map { try $0.decode(String.self) }
        }
        #expect(Set(sealed) == Set(SealedColumn.all.map { "\($0.table).\($0.sealedColumn)" }))
    }

    @Test("the command: dry run, a stopped run, the rest, and a refusal; counts only, never values")
    func command() async throws {
        let keys = Keys()
        let db = try await TestDatabase.migrated()
        let serverA = try await TestServer.start(database: db) { $0.piiKey = keys.a }
        let seeded = try await seed(serverA, applicants: 5)
        try await serverA.stop()
        let secrets = seeded.applicants.values.flatMap { [$0.idNumber] + ($0.phone.map { [$0] } ?? []) } + ["13800138001"]
        func run(_ arguments: [String], oldKeys: String?) async throws -> CLIRun {
            let process = Process()
            process.executableURL = CLIRunner.binary.deletingLastPathComponent().appendingPathComponent("caseload-server")
            process.arguments = ["admin", "rotate-key", "--database-url", "\(db.adminURL)"] + arguments
            var env = ["PATH": "/usr/bin:/bin", "CASELOAD_PII_KEY": keys.b, "CASELOAD_PII_LOOKUP_KEY": Self.lookup]
            env["CASELOAD_PII_OLD_KEYS"] = oldKeys
            process.environment = env
            let result = try await CLIRunner.run(process)
            for secret in secrets { #expect(!result.stdout.contains(secret) && !result.stderr.contains(secret)) }
            return result
        }

        let refused = try await run([], oldKeys: nil)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("'rotA' (9 values)"), "\(refused.stderr)")

        let dry = try await run(["--dry-run"], oldKeys: keys.a)
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(try dry.json()["columns"]?.arrayValue?.first?["pending_by_key"] == ["rotA": 5])
        #expect(dry.stderr.contains("applicants.id_number: 5 to re-seal"))

        let stopped = try await run(["--batch-size", "2", "--max-batches", "2"], oldKeys: keys.a)
        #expect(stopped.status != 0 && stopped.stderr.contains("run again"), "\(stopped.stderr)")
        #expect(try stopped.json()["remaining"] == 5)

        let rest = try await run(["--batch-size", "2"], oldKeys: keys.a)
        #expect(rest.status == 0, "\(rest.stderr)")
        let summary = try rest.json()
        #expect(summary["complete"] == true && summary["active_key_id"] == "rotB")
        #expect(summary["columns"]?.arrayValue?.map { $0["resealed"]!.intValue! } == [1, 3, 1, 0])
        #expect(try await keyCounts(db) == ["applicants.id_number": ["rotB": 5], "applicants.phone": ["rotB": 3], "companies.hr_phone": ["rotB": 1]])
    }
}
