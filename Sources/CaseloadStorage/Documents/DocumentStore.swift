import CaseloadCore
import Foundation
import PostgresNIO

/// A document the agency tracks, with its current holder as derived from its ledger.
public struct DocumentRecord: Sendable, Hashable {
    public var id: UUID
    public var companyID: UUID
    public var applicantID: UUID?
    public var caseID: UUID?
    public var documentType: String
    public var form: DocumentForm
    public var description: String?
    public var holder: Holder?
    public var holderSince: Date?
    public var createdAt: Date
    /// Bumped by every custody move (schema/011): pass it to the document.* moves.
    public var version: Int
}

/// One movement in a document's custody ledger.
public struct CustodyEntry: Sendable, Hashable {
    public var seq: Int
    public var at: Date
    public var userName: String
    public var event: CustodyEvent
    public var holder: Holder
}

/// Which documents `DocumentStore.list` returns.
public struct DocumentFilter: Sendable, Hashable {
    public var companyID: UUID?
    public var applicantID: UUID?
    public var caseID: UUID?
    /// Only documents of companies assigned to this user.
    public var consultantID: UUID?
    public var holderKind: String?
    public var form: String?
    /// Only documents held by an authority since before this instant (the business clock's now
    /// less the days allowed: a business rule, so not PostgreSQL's `now()`).
    public var outWithAuthorityBefore: Date?
    /// Only documents out with an authority or at the agency while their case is closed or
    /// withdrawn: papers that should have gone back.
    public var stillOutOnFinishedCases = false
    /// Only documents at one of these storage locations.
    public var locationIDs: [UUID]?
    public init() {}
}

public struct DocumentStore: AgencyStore {
    public let tx: AgencyTransaction
    public init(tx: AgencyTransaction) { self.tx = tx }

    static let columns = """
        d.document_id, d.company_id, d.applicant_id, d.case_id, d.document_type, d.form, d.description, d.holder->>'kind',
        d.holder->>'location_code', d.holder_since, d.created_at, d.version
        """
    typealias Row = (UUID, UUID, UUID?, UUID?, String, String, String?, String?, String?, Date?, Date, Int)

    static func record(_ r: Row) throws -> DocumentRecord {
        DocumentRecord(
            id: r.0, companyID: r.1, applicantID: r.2, caseID: r.3, documentType: r.4, form: DocumentForm(rawValue: r.5) ?? .copy,
            description: r.6, holder: try holder(kind: r.7, locationCode: r.8), holderSince: r.9, createdAt: r.10, version: r.11)
    }

    /// A document's current holder, read as the two fields of its stored JSON
    /// (`holder->>'kind'`, `holder->>'location_code'`) rather than decoding JSON for every
    /// row: lists, the checklist of every case change and reports read many. nil: not yet
    /// received; an unknown kind is corrupt data and throws.
    static func holder(kind: String?, locationCode: String?) throws -> Holder? {
        guard let kind else { return nil }
        guard let holder = Holder(kind: kind, locationCode: locationCode) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "unknown holder kind \"\(kind)\""))
        }
        return holder
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    public func create(
        type: String, form: DocumentForm, description: String?, companyID: UUID, applicantID: UUID?, caseID: UUID?
    ) async throws -> DocumentRecord {
        let rows = try await connection.query(
            """
            INSERT INTO documents (agency_id, company_id, applicant_id, case_id, document_type, form, description)
            VALUES (\(agency), \(companyID), \(applicantID), \(caseID), \(type), \(form.rawValue), \(description))
            RETURNING document_id
            """, logger: logger)
        for try await id in rows.decode(UUID.self) { return try await get(id) }
        throw StorageError.forbidden
    }

    public func get(_ id: UUID, forUpdate: Bool = false)
        async throws -> DocumentRecord
    {
        let rows = try await connection.query(
            "SELECT \(unescaped: Self.columns) FROM documents d WHERE d.agency_id = \(agency) AND d.document_id = \(id) \(unescaped: forUpdate ? "FOR UPDATE" : "")",
            logger: logger)
        for try await row in rows.decode(Row.self) { return try Self.record(row) }
        throw StorageError.notFound(entity: "document")
    }

    /// Appends a movement and updates the derived holder, in the caller's transaction (which
    /// holds the document locked).
    public func append(_ event: CustodyEvent, holder: Holder, locationID: UUID?, to document: UUID, user: UUID) async throws {
        let holderJSON = try Self.json(holder)
        try await connection.query(
            """
            INSERT INTO custody_events (agency_id, document_id, seq, user_id, event, holder)
            SELECT d.agency_id, d.document_id, coalesce(max(e.seq), 0) + 1, \(user), \(try Self.json(event))::jsonb, \(holderJSON)::jsonb
            FROM documents d LEFT JOIN custody_events e ON e.agency_id = d.agency_id AND e.document_id = d.document_id
            WHERE d.agency_id = \(agency) AND d.document_id = \(document)
            GROUP BY d.agency_id, d.document_id
            """, logger: logger)
        try await connection.query(
            """
            UPDATE documents SET holder = \(holderJSON)::jsonb, holder_kind = \(holder.kind), location_id = \(locationID),
                holder_since = now()
            WHERE agency_id = \(agency) AND document_id = \(document)
            """, logger: logger)
    }

    /// The full ledger, oldest first.
    public func trail(_ id: UUID) async throws -> [CustodyEntry] {
        let rows = try await connection.query(
            """
            SELECT e.seq, e.at, u.name, e.event::text, e.holder::text FROM custody_events e
            JOIN users u ON u.agency_id = e.agency_id AND u.user_id = e.user_id
            WHERE e.agency_id = \(agency) AND e.document_id = \(id) ORDER BY e.seq
            """, logger: logger)
        var entries: [CustodyEntry] = []
        let decoder = JSONDecoder()
        for try await (seq, at, name, event, holder) in rows.decode((Int, Date, String, String, String).self) {
            entries.append(
                CustodyEntry(
                    seq: seq, at: at, userName: name, event: try decoder.decode(CustodyEvent.self, from: Data(event.utf8)),
                    holder: try decoder.decode(Holder.self, from: Data(holder.utf8))))
        }
        return entries
    }

    public func list(filter: DocumentFilter, limit: Int) async throws
        -> [DocumentRecord]
    {
        let rows = try await connection.query(
            """
            SELECT \(unescaped: Self.columns) FROM documents d
            LEFT JOIN cases c ON c.agency_id = d.agency_id AND c.case_id = d.case_id
            WHERE d.agency_id = \(agency)
              AND (\(filter.companyID)::uuid IS NULL OR d.company_id = \(filter.companyID)::uuid)
              AND (\(filter.applicantID)::uuid IS NULL OR d.applicant_id = \(filter.applicantID)::uuid)
              AND (\(filter.caseID)::uuid IS NULL OR d.case_id = \(filter.caseID)::uuid)
              AND (\(filter.consultantID)::uuid IS NULL OR d.company_id = ANY(ARRAY(SELECT cc.company_id FROM company_consultants cc WHERE cc.agency_id = \(agency) AND cc.user_id = \(filter.consultantID)::uuid)))
              AND (\(filter.holderKind)::text IS NULL OR d.holder_kind = \(filter.holderKind)::text)
              AND (\(filter.form)::text IS NULL OR d.form = \(filter.form)::text)
              AND (\(filter.outWithAuthorityBefore)::timestamptz IS NULL OR (d.holder_kind IN ('talent_center', 'city_verification_center')
                   AND d.holder_since < \(filter.outWithAuthorityBefore)::timestamptz))
              AND (NOT \(filter.stillOutOnFinishedCases) OR (c.status IN ('closed', 'withdrawn') AND d.form = 'original'
                   AND d.holder_kind IN ('agency', 'talent_center', 'city_verification_center')))
              AND (\(filter.locationIDs)::uuid[] IS NULL OR d.location_id = ANY(\(filter.locationIDs)::uuid[]))
            ORDER BY d.created_at, d.document_id
            LIMIT \(limit)
            """, logger: logger)
        var records: [DocumentRecord] = []
        for try await row in rows.decode(Row.self) { records.append(try Self.record(row)) }
        return records
    }

    /// What an applicant's checklist can count: their own documents and their employer's
    /// company-level documents.
    public func held(applicant: UUID, company: UUID) async throws
        -> [HeldDocument]
    {
        var held: [HeldDocument] = []
        for row in try await connection.run(HeldStatement(bindings: .init(agency, applicant, company)), logger: logger) {
            let (type, form, kind, location) = try row.decode((String, String, String?, String?).self)
            if let document = try Self.held(type: type, form: form, holderKind: kind, locationCode: location) { held.append(document) }
        }
        return held
    }

    /// One paper of the checklist as `HeldStatement` reads it; nil for a form this version does not know.
    static func held(type: String, form: String, holderKind: String?, locationCode: String?) throws -> HeldDocument? {
        guard let form = DocumentForm(rawValue: form) else { return nil }
        return HeldDocument(documentType: type, form: form, holder: try holder(kind: holderKind, locationCode: locationCode))
    }

    /// For one case, if closed or withdrawn, how many originals are still out or at the agency
    /// (original documents held by the agency or an authority: an index lookup by case).
    public func originalsOut(case caseID: UUID) async throws -> Int {
        let rows = try await connection.run(OriginalsOutStatement(bindings: .init(agency, caseID)), logger: logger)
        return try rows.first?.decode(Int.self) ?? 0
    }

    /// `originalsOut(case:)` for several cases at once (a page of a list): counts by case,
    /// only for those with any.
    public func originalsOut(cases: [UUID]) async throws -> [UUID: Int] {
        guard !cases.isEmpty else { return [:] }
        var counts: [UUID: Int] = [:]
        for row in try await connection.run(OriginalsOutOfCasesStatement(bindings: .init(agency, cases)), logger: logger) {
            let (id, n) = try row.decode((UUID, Int).self)
            counts[id] = n
        }
        return counts
    }

    struct OriginalsOutOfCasesStatement: PreparedQuery {
        static let sql = """
            SELECT d.case_id, count(*)::int FROM documents d
            JOIN cases c ON c.agency_id = d.agency_id AND c.case_id = d.case_id
            WHERE d.agency_id = $1 AND d.case_id = ANY($2) AND c.status IN ('closed', 'withdrawn') AND d.form = 'original'
              AND d.holder_kind IN ('agency', 'talent_center', 'city_verification_center')
            GROUP BY d.case_id
            """
        static let bindingDataTypes: [PostgresDataType] = [.uuid, .uuidArray]
        var bindings: PostgresBindings
    }

    struct OriginalsOutStatement: PreparedQuery {
        static let sql = """
            SELECT count(*)::int FROM documents d
            JOIN cases c ON c.agency_id = d.agency_id AND c.case_id = d.case_id
            WHERE d.agency_id = $1 AND d.case_id = $2 AND c.status IN ('closed', 'withdrawn') AND d.form = 'original'
              AND d.holder_kind IN ('agency', 'talent_center', 'city_verification_center')
            """
        static let bindingDataTypes: [PostgresDataType] = [.uuid, .uuid]
        var bindings: PostgresBindings
    }

    struct HeldStatement: PreparedQuery {
        static let sql = """
            SELECT d.document_type, d.form, d.holder->>'kind', d.holder->>'location_code' FROM documents d
            WHERE d.agency_id = $1 AND (d.applicant_id = $2 OR (d.applicant_id IS NULL AND d.company_id = $3))
            """
        static let bindingDataTypes: [PostgresDataType] = [.uuid, .uuid, .uuid]
        var bindings: PostgresBindings
    }
}
