import CaseloadCore
import Foundation
import PostgresNIO

/// SQL for client companies. Every statement names the agency explicitly, and row-level
/// security checks it again.
public struct CompanyStore: AgencyStore {
    public let tx: AgencyTransaction
    public init(tx: AgencyTransaction) { self.tx = tx }

    static let columns = """
        company_id, name, credit_code, credit_code_override, org_code, org_code_override, district,
        hr_name, coalesce(hr_phone_masked, left(hr_phone, 3) || '****' || right(hr_phone, 4)), talent_center_status, version, created_at, updated_at
        """

    typealias Row = (UUID, String, String?, String?, String?, String?, String?, String?, String?, String, Int, Date, Date)

    static func record(_ r: Row) -> CompanyRecord {
        CompanyRecord(
            id: r.0, name: r.1, creditCode: r.2, creditCodeOverride: r.3, orgCode: r.4, orgCodeOverride: r.5,
            district: r.6, hrName: r.7, hrPhoneMasked: r.8, talentCenterStatus: r.9, version: r.10, createdAt: r.11, updatedAt: r.12)
    }

    public func create(_ fields: CompanyFields, cipher: PIICipher)
        async throws -> CompanyRecord
    {
        let phone = try fields.hrPhone.map { try cipher.seal($0.value) }
        let rows = try await connection.query(
            """
            INSERT INTO companies (agency_id, name, credit_code, credit_code_override, org_code, org_code_override,
                                   district, hr_name, hr_phone_sealed, hr_phone_key, hr_phone_masked, talent_center_status,
                                   name_pinyin, name_initials)
            VALUES (\(agency), \(fields.name), \(fields.creditCode?.value), \(fields.creditCodeOverride), \(fields.orgCode?.value),
                    \(fields.orgCodeOverride), \(fields.district?.rawValue), \(fields.hrName), \(phone.map { ByteBuffer(bytes: $0.sealed) }),
                    \(phone?.keyID), \(fields.hrPhone?.masked), \(fields.talentCenterStatus.rawValue),
                    \(Self.pinyin(fields.name)), \(Self.initials(fields.name)))
            RETURNING \(unescaped: Self.columns)
            """,
            logger: logger
        )
        for try await row in rows.decode(Row.self) { return Self.record(row) }
        throw StorageError.forbidden
    }

    public func get(_ id: UUID, forUpdate: Bool = false)
        async throws -> CompanyRecord
    {
        if !forUpdate {
            for row in try await connection.run(GetStatement(bindings: .init(agency, id)), logger: logger) { return Self.record(try row.decode(Row.self)) }
            throw StorageError.notFound(entity: "company")
        }
        let rows = try await connection.query(
            "SELECT \(unescaped: Self.columns) FROM companies WHERE agency_id = \(agency) AND company_id = \(id) FOR UPDATE", logger: logger)
        for try await row in rows.decode(Row.self) { return Self.record(row) }
        throw StorageError.notFound(entity: "company")
    }

    struct GetStatement: PreparedQuery {
        static let sql = "SELECT \(columns) FROM companies WHERE agency_id = $1 AND company_id = $2"
        static let bindingDataTypes: [PostgresDataType] = [.uuid, .uuid]
        var bindings: PostgresBindings
    }

    /// Replaces a company's fields if its version is still `expectedVersion`. The HR phone
    /// changes only when `phoneChanged` (it cannot be read back to re-save it).
    public func update(
        _ id: UUID, expectedVersion: Int, to fields: CompanyFields, phoneChanged: Bool, cipher: PIICipher
    ) async throws -> CompanyRecord {
        if phoneChanged {
            let phone = try fields.hrPhone.map { try cipher.seal($0.value) }
            try await connection.query(
                """
                UPDATE companies SET hr_phone = NULL, hr_phone_sealed = \(phone.map { ByteBuffer(bytes: $0.sealed) }),
                    hr_phone_key = \(phone?.keyID), hr_phone_masked = \(fields.hrPhone?.masked)
                WHERE agency_id = \(agency) AND company_id = \(id) AND version = \(expectedVersion)
                """, logger: logger)
        }
        let rows = try await connection.query(
            """
            UPDATE companies SET name = \(fields.name), name_pinyin = \(Self.pinyin(fields.name)),
                name_initials = \(Self.initials(fields.name)), credit_code = \(fields.creditCode?.value),
                credit_code_override = \(fields.creditCodeOverride), org_code = \(fields.orgCode?.value),
                org_code_override = \(fields.orgCodeOverride), district = \(fields.district?.rawValue),
                hr_name = \(fields.hrName),
                talent_center_status = \(fields.talentCenterStatus.rawValue),
                version = version + 1, updated_at = now()
            WHERE agency_id = \(agency) AND company_id = \(id) AND version = \(expectedVersion)
            RETURNING \(unescaped: Self.columns)
            """,
            logger: logger
        )
        for try await row in rows.decode(Row.self) { return Self.record(row) }
        let current = try await get(id)
        throw StorageError.versionConflict(current: current.version)
    }

    /// One page of companies in (name, id) order, after `cursor` when given.
    public func list(filter: CompanyFilter, after cursor: NameCursor?, limit: Int) async throws -> [CompanyRecord] {
        let pattern = filter.nameContains.map { "%" + Self.escapeLike($0) + "%" }
        let rows = try await connection.query(
            """
            SELECT \(unescaped: Self.columns) FROM companies
            WHERE agency_id = \(agency)
              AND (\(cursor?.name)::text IS NULL OR (name, company_id) > (\(cursor?.name)::text, \(cursor?.id)::uuid))
              AND (\(filter.district)::text IS NULL OR district = \(filter.district)::text)
              AND (\(filter.talentCenterStatus)::text IS NULL OR talent_center_status = \(filter.talentCenterStatus)::text)
              AND (\(filter.consultantID)::uuid IS NULL OR company_id = ANY(ARRAY(SELECT cc.company_id FROM company_consultants cc WHERE cc.agency_id = \(agency) AND cc.user_id = \(filter.consultantID)::uuid)))
              AND (\(pattern)::text IS NULL OR name ILIKE \(pattern)::text)
            ORDER BY name, company_id
            LIMIT \(limit)
            """,
            logger: logger
        )
        var records: [CompanyRecord] = []
        for try await row in rows.decode(Row.self) { records.append(Self.record(row)) }
        return records
    }

    /// The searchable pinyin of a company: of its short name (明远软件科技, not 上海…有限公司),
    /// what people call it and type.
    static func pinyin(_ name: String) -> String { Pinyin.full(CompanyName.short(name)) }
    static func initials(_ name: String) -> String { Pinyin.initials(CompanyName.short(name)) }

    static func escapeLike(_ s: String) -> String {
        var out = ""
        for c in s {
            if c == "%" || c == "_" || c == "\\" { out.append("\\") }
            out.append(c)
        }
        return out
    }
}
