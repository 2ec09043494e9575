import CaseloadCore
import Foundation
import PostgresNIO

/// An applicant as stored, with personal identifiers only in masked form.
public struct ApplicantRecord: Sendable, Hashable {
    public var id: UUID
    public var companyID: UUID
    public var name: String
    public var idNumberMasked: String
    public var birthDate: CalendarDate
    public var gender: String
    public var phoneMasked: String?
    public var profile: ApplicantProfile
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date
}

/// Which applicants `ApplicantStore.list` returns, and from where.
public struct ApplicantFilter: Sendable, Hashable {
    public var companyID: UUID?
    public var consultantID: UUID?
    public var nameContains: String?
    public init(companyID: UUID? = nil, consultantID: UUID? = nil, nameContains: String? = nil) {
        self.companyID = companyID
        self.consultantID = consultantID
        self.nameContains = nameContains
    }
}

public struct ApplicantStore: AgencyStore {
    public let tx: AgencyTransaction
    public init(tx: AgencyTransaction) { self.tx = tx }

    static let columns = columns()
    /// The columns `Row` decodes, each qualified by `alias` when one is given (a statement that
    /// reads the applicant beside other tables: `CaseStore.lock`).
    static func columns(qualifiedBy alias: String? = nil) -> String {
        let p = alias.map { "\($0)." } ?? ""
        return """
            \(p)applicant_id, \(p)company_id, \(p)name, \(p)id_number_masked, \(p)birth_date, \(p)gender, \(p)phone_masked, \(p)profile::text,
            \(p)version, \(p)created_at, \(p)updated_at
            """
    }
    typealias Row = (UUID, UUID, String, String, CalendarDate, String, String?, String, Int, Date, Date)

    static func record(_ r: Row) throws -> ApplicantRecord {
        let profile = try JSONDecoder().decode(ApplicantProfile.self, from: Data(r.7.utf8))
        return ApplicantRecord(
            id: r.0, companyID: r.1, name: r.2, idNumberMasked: r.3, birthDate: r.4, gender: r.5, phoneMasked: r.6, profile: profile,
            version: r.8, createdAt: r.9, updatedAt: r.10)
    }

    static func json(_ profile: ApplicantProfile) throws -> String {
        String(decoding: try JSONEncoder().encode(profile), as: UTF8.self)
    }

    /// Adds an applicant. A person already known to the agency (same ID number) is a
    /// `.duplicate(constraint: "applicants_agency_id_id_number_lookup_key")`.
    public func create(
        _ identity: ApplicantIdentity, companyID: UUID, profile: ApplicantProfile, cipher: PIICipher
    ) async throws -> ApplicantRecord {
        let sealed = try SealedRow(identity, profile: profile, cipher: cipher)
        let birth = identity.idNumber.birthDate
        let rows = try await connection.query(
            """
            INSERT INTO applicants (agency_id, company_id, name, id_number_sealed, id_number_key, id_number_lookup, id_number_masked,
                                    birth_date, gender, phone_sealed, phone_key, phone_masked, profile, name_pinyin, name_initials)
            VALUES (\(agency), \(companyID), \(identity.name), \(ByteBuffer(bytes: sealed.idSealed)), \(sealed.idKey),
                    \(ByteBuffer(bytes: sealed.idLookup)), \(identity.idNumber.masked),
                    \(birth), \(identity.idNumber.isMale ? "male" : "female"),
                    \(sealed.phoneSealed.map { ByteBuffer(bytes: $0) }), \(sealed.phoneKey), \(identity.phone?.masked), \(sealed.profile)::jsonb,
                    \(Pinyin.full(identity.name)), \(Pinyin.initials(identity.name)))
            RETURNING \(unescaped: Self.columns)
            """,
            logger: logger)
        var created: ApplicantRecord?
        for try await row in rows.decode(Row.self) { created = try Self.record(row) }
        guard let created else { throw StorageError.forbidden }
        try await connection.query(
            "INSERT INTO applicant_employments (agency_id, applicant_id, company_id) VALUES (\(agency), \(created.id), \(companyID))",
            logger: logger)
        return created
    }

    public func get(_ id: UUID, forUpdate: Bool = false)
        async throws -> ApplicantRecord
    {
        if !forUpdate {
            for row in try await connection.run(GetStatement(bindings: .init(agency, id)), logger: logger) { return try Self.record(row.decode(Row.self)) }
            throw StorageError.notFound(entity: "applicant")
        }
        let rows = try await connection.query(
            "SELECT \(unescaped: Self.columns) FROM applicants WHERE agency_id = \(agency) AND applicant_id = \(id) FOR UPDATE", logger: logger)
        for try await row in rows.decode(Row.self) { return try Self.record(row) }
        throw StorageError.notFound(entity: "applicant")
    }

    struct GetStatement: PreparedQuery {
        static let sql = "SELECT \(columns) FROM applicants WHERE agency_id = $1 AND applicant_id = $2"
        static let bindingDataTypes: [PostgresDataType] = [.uuid, .uuid]
        var bindings: PostgresBindings
    }

    /// The applicant with this ID number, found by its keyed hash.
    /// The applicant's ID number and phone in clear. Callers must audit the reveal.
    public func reveal(_ id: UUID, cipher: PIICipher)
        async throws -> (idNumber: String, phone: String?)
    {
        let rows = try await connection.query(
            """
            SELECT id_number_sealed, id_number_key, phone_sealed, phone_key FROM applicants
            WHERE agency_id = \(agency) AND applicant_id = \(id)
            """, logger: logger)
        for try await (idSealed, idKey, phoneSealed, phoneKey) in rows.decode((ByteBuffer, String, ByteBuffer?, String?).self) {
            let idNumber = try cipher.open(Array(buffer: idSealed), keyID: idKey)
            var phone: String?
            if let phoneSealed, let phoneKey { phone = try cipher.open(Array(buffer: phoneSealed), keyID: phoneKey) }
            return (idNumber, phone)
        }
        throw StorageError.notFound(entity: "applicant")
    }

    public func find(idNumber: ResidentIDNumber, cipher: PIICipher)
        async throws -> ApplicantRecord?
    {
        let lookup = ByteBuffer(bytes: cipher.lookup(idNumber.value))
        let rows = try await connection.query(
            "SELECT \(unescaped: Self.columns) FROM applicants WHERE agency_id = \(agency) AND id_number_lookup = \(lookup)", logger: logger)
        for try await row in rows.decode(Row.self) { return try Self.record(row) }
        return nil
    }

    /// The applicants with these ID numbers (one query), by ID number.
    public func find(idNumbers: [ResidentIDNumber], cipher: PIICipher)
        async throws -> [String: ApplicantRecord]
    {
        guard !idNumbers.isEmpty else { return [:] }
        var byLookup: [[UInt8]: String] = [:]
        for n in idNumbers { byLookup[cipher.lookup(n.value)] = n.value }
        let rows = try await connection.query(
            """
            SELECT \(unescaped: Self.columns), id_number_lookup FROM applicants
            WHERE agency_id = \(agency) AND id_number_lookup = ANY(\(byLookup.keys.map { ByteBuffer(bytes: $0) })::bytea[])
            """, logger: logger)
        var found: [String: ApplicantRecord] = [:]
        for try await row in rows.decode(KeyedRow.self) {
            let (lookup, applicant) = try Self.keyed(row)
            guard let idNumber = byLookup[lookup] else { continue }
            found[idNumber] = applicant
        }
        return found
    }

    /// `columns` followed by `id_number_lookup`: how `find` and `createMany` tell which
    /// number each row is for.
    typealias KeyedRow = (UUID, UUID, String, String, CalendarDate, String, String?, String, Int, Date, Date, ByteBuffer)

    static func keyed(_ r: KeyedRow) throws -> (lookup: [UInt8], record: ApplicantRecord) {
        (Array(buffer: r.11), try record((r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9, r.10)))
    }

    /// One new applicant for `createMany`.
    public struct NewApplicant: Sendable {
        public var identity: ApplicantIdentity
        public var companyID: UUID
        public var profile: ApplicantProfile
        public init(identity: ApplicantIdentity, companyID: UUID, profile: ApplicantProfile) {
            self.identity = identity
            self.companyID = companyID
            self.profile = profile
        }
    }

    /// Adds applicants and their employments as `create` does, each kind of row in one
    /// statement (the rows go in as arrays). Returns the records in the order given.
    /// A person already known to the agency is a `.duplicate` and nothing is added.
    public func createMany(_ applicants: [NewApplicant], cipher: PIICipher)
        async throws -> [ApplicantRecord]
    {
        guard !applicants.isEmpty else { return [] }
        var companies: [UUID] = [], names: [String] = [], idSealed: [ByteBuffer] = [], idKeys: [String] = []
        var lookups: [ByteBuffer] = [], idMasked: [String] = [], births: [String] = [], genders: [String] = []
        // Arrays of nullable values do not bind: an absent phone is an empty value, made NULL again by nullif.
        var phoneSealed: [ByteBuffer] = [], phoneKeys: [String] = [], phoneMasked: [String] = [], profiles: [String] = []
        for a in applicants {
            let sealed = try SealedRow(a.identity, profile: a.profile, cipher: cipher)
            companies.append(a.companyID)
            names.append(a.identity.name)
            idSealed.append(ByteBuffer(bytes: sealed.idSealed))
            idKeys.append(sealed.idKey)
            lookups.append(ByteBuffer(bytes: sealed.idLookup))
            idMasked.append(a.identity.idNumber.masked)
            births.append(a.identity.idNumber.birthDate.iso)
            genders.append(a.identity.idNumber.isMale ? "male" : "female")
            phoneSealed.append(ByteBuffer(bytes: sealed.phoneSealed ?? []))
            phoneKeys.append(sealed.phoneKey ?? "")
            phoneMasked.append(a.identity.phone?.masked ?? "")
            profiles.append(sealed.profile)
        }
        let rows = try await connection.query(
            """
            INSERT INTO applicants (agency_id, company_id, name, id_number_sealed, id_number_key, id_number_lookup, id_number_masked,
                                    birth_date, gender, phone_sealed, phone_key, phone_masked, profile, name_pinyin, name_initials)
            SELECT \(agency), company_id, name, id_sealed, id_key, lookup, id_masked, birth, gender, nullif(phone_sealed, '\\x'::bytea),
                   nullif(phone_key, ''), nullif(phone_masked, ''), profile, pinyin, initials
            FROM unnest(\(companies)::uuid[], \(names)::text[], \(idSealed)::bytea[], \(idKeys)::text[], \(lookups)::bytea[], \(idMasked)::text[],
                        \(births)::date[], \(genders)::text[], \(phoneSealed)::bytea[], \(phoneKeys)::text[], \(phoneMasked)::text[], \(profiles)::jsonb[],
                        \(names.map { Pinyin.full($0) })::text[], \(names.map { Pinyin.initials($0) })::text[])
                WITH ORDINALITY AS t(company_id, name, id_sealed, id_key, lookup, id_masked, birth, gender, phone_sealed, phone_key, phone_masked, profile,
                                     pinyin, initials, n)
            ORDER BY t.n
            RETURNING \(unescaped: Self.columns), id_number_lookup
            """,
            logger: logger)
        var ordinal: [[UInt8]: Int] = [:]
        for (i, l) in lookups.enumerated() { ordinal[Array(buffer: l)] = i }
        var slots = [ApplicantRecord?](repeating: nil, count: applicants.count)
        for try await row in rows.decode(KeyedRow.self) {
            let (lookup, applicant) = try Self.keyed(row)
            guard let i = ordinal[lookup] else { continue }
            slots[i] = applicant
        }
        let created = slots.compactMap { $0 }
        guard created.count == applicants.count else { throw StorageError.forbidden }
        try await connection.query(
            """
            INSERT INTO applicant_employments (agency_id, applicant_id, company_id)
            SELECT a.agency_id, a.applicant_id, a.company_id FROM unnest(\(created.map(\.id))::uuid[]) WITH ORDINALITY AS t(id, n)
            JOIN applicants a ON a.agency_id = \(agency) AND a.applicant_id = t.id
            ORDER BY t.n
            """,
            logger: logger)
        return created
    }

    /// Saves changed fields if the version is still `expectedVersion`. A new employer closes
    /// the current employment and opens another (a transfer keeps the history).
    public func update(
        _ current: ApplicantRecord, name: String, phone: MobileNumber??, companyID: UUID, profile: ApplicantProfile, expectedVersion: Int, cipher: PIICipher
    ) async throws -> ApplicantRecord {
        guard current.version == expectedVersion else { throw StorageError.versionConflict(current: current.version) }
        if let phone {
            // Changing or clearing the phone: re-seal under the active key.
            let sealed = try phone.map { try cipher.seal($0.value) }
            try await connection.query(
                """
                UPDATE applicants SET phone_sealed = \(sealed.map { ByteBuffer(bytes: $0.sealed) }), phone_key = \(sealed?.keyID),
                    phone_masked = \(phone?.masked)
                WHERE agency_id = \(agency) AND applicant_id = \(current.id) AND version = \(expectedVersion)
                """,
                logger: logger)
        }
        let rows = try await connection.query(
            """
            UPDATE applicants SET name = \(name), name_pinyin = \(Pinyin.full(name)), name_initials = \(Pinyin.initials(name)), company_id = \(companyID), profile = \(try Self.json(profile))::jsonb,
                version = version + 1, updated_at = now()
            WHERE agency_id = \(agency) AND applicant_id = \(current.id) AND version = \(expectedVersion)
            RETURNING \(unescaped: Self.columns)
            """,
            logger: logger)
        var updated: ApplicantRecord?
        for try await row in rows.decode(Row.self) { updated = try Self.record(row) }
        guard let updated else { throw StorageError.versionConflict(current: current.version + 1) }
        if companyID != current.companyID {
            try await connection.query(
                """
                UPDATE applicant_employments SET ended_at = now()
                WHERE agency_id = \(agency) AND applicant_id = \(current.id) AND ended_at IS NULL
                """, logger: logger)
            try await connection.query(
                "INSERT INTO applicant_employments (agency_id, applicant_id, company_id) VALUES (\(agency), \(current.id), \(companyID))",
                logger: logger)
        }
        return updated
    }

    /// One page of applicants in (name, id) order.
    public func list(filter: ApplicantFilter, after cursor: NameCursor?, limit: Int) async throws -> [ApplicantRecord] {
        let pattern = filter.nameContains.map { "%" + CompanyStore.escapeLike($0) + "%" }
        let rows = try await connection.query(
            """
            SELECT \(unescaped: Self.columns) FROM applicants a
            WHERE a.agency_id = \(agency)
              AND (\(cursor?.name)::text IS NULL OR (a.name, a.applicant_id) > (\(cursor?.name)::text, \(cursor?.id)::uuid))
              AND (\(filter.companyID)::uuid IS NULL OR a.company_id = \(filter.companyID)::uuid)
              AND (\(filter.consultantID)::uuid IS NULL OR a.company_id = ANY(ARRAY(SELECT cc.company_id FROM company_consultants cc WHERE cc.agency_id = \(agency) AND cc.user_id = \(filter.consultantID)::uuid)))
              AND (\(pattern)::text IS NULL OR a.name ILIKE \(pattern)::text)
            ORDER BY a.name, a.applicant_id
            LIMIT \(limit)
            """,
            logger: logger)
        var records: [ApplicantRecord] = []
        for try await row in rows.decode(Row.self) { records.append(try Self.record(row)) }
        return records
    }

    /// Applicants whose residence permit expires on or before `until` (and not before `from`).
    public func expiring(from: CalendarDate, until: CalendarDate, consultant: UUID? = nil) async throws -> [ApplicantRecord] {
        let rows = try await connection.query(
            """
            SELECT \(unescaped: Self.columns) FROM applicants
            WHERE agency_id = \(agency) AND profile ? 'permit_expiry_date'
              AND (profile->>'permit_expiry_date')::date BETWEEN \(from) AND \(until)
              AND (\(consultant)::uuid IS NULL OR company_id = ANY(ARRAY(SELECT cc.company_id FROM company_consultants cc WHERE cc.agency_id = \(agency) AND cc.user_id = \(consultant)::uuid)))
            ORDER BY (profile->>'permit_expiry_date')::date, applicant_id
            """,
            logger: logger)
        var records: [ApplicantRecord] = []
        for try await row in rows.decode(Row.self) { records.append(try Self.record(row)) }
        return records
    }
}
