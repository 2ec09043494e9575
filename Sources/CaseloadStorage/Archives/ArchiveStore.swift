import CaseloadCore
import Foundation
import PostgresNIO

/// One change of a personnel archive's whereabouts or status.
public struct ArchiveEntry: Sendable, Hashable {
    public var seq: Int
    public var at: Date
    public var userName: String
    public var fromStatus: String?
    public var toStatus: String
    public var holderType: String
    public var holderName: String?
    public var district: String?
    public var note: String?
}

public struct ArchiveStore: AgencyStore {
    public let tx: AgencyTransaction
    public init(tx: AgencyTransaction) { self.tx = tx }

    /// The applicant's archive as last recorded, with its district and version (bumped by every
    /// change, schema/011); `unknown` and version 0 when never set.
    public func get(applicant: UUID, forUpdate: Bool = false)
        async throws -> (archive: PersonnelArchive, district: String?, updatedAt: Date?, version: Int)
    {
        let rows = forUpdate
            ? try await connection.run(GetForUpdateStatement(bindings: .init(agency, applicant)), logger: logger)
            : try await connection.run(GetStatement(bindings: .init(agency, applicant)), logger: logger)
        for row in rows {
            let (type, name, district, status, at, version) = try row.decode((String, String?, String?, String, Date, Int).self)
            return (Self.archive(holderType: type, holderName: name, status: status), district, at, version)
        }
        return (PersonnelArchive(), nil, nil, 0)
    }

    /// The archive a stored row describes; no row (all nil): never set, `unknown`.
    static func archive(holderType: String?, holderName: String?, status: String?) -> PersonnelArchive {
        guard let holderType, let status else { return PersonnelArchive() }
        return PersonnelArchive(
            holderType: ArchiveHolderType(rawValue: holderType) ?? .unknown, holderName: holderName, status: ArchiveStatus(rawValue: status) ?? .unknown)
    }

    struct GetStatement: PreparedQuery {
        static let sql = "SELECT holder_type, holder_name, district, status, updated_at, version FROM archives WHERE agency_id = $1 AND applicant_id = $2"
        static let bindingDataTypes: [PostgresDataType] = [.uuid, .uuid]
        var bindings: PostgresBindings
    }

    struct GetForUpdateStatement: PreparedQuery {
        static let sql = GetStatement.sql + " FOR UPDATE"
        static let bindingDataTypes = GetStatement.bindingDataTypes
        var bindings: PostgresBindings
    }

    /// Records the archive's new state and appends the change to its history.
    public func set(
        _ archive: PersonnelArchive, district: String?, from previous: ArchiveStatus?, note: String?, applicant: UUID, user: UUID
    ) async throws {
        try await connection.query(
            """
            INSERT INTO archives (agency_id, applicant_id, holder_type, holder_name, district, status, updated_at)
            VALUES (\(agency), \(applicant), \(archive.holderType.rawValue), \(archive.holderName), \(district), \(archive.status.rawValue), now())
            ON CONFLICT (agency_id, applicant_id) DO UPDATE SET holder_type = EXCLUDED.holder_type, holder_name = EXCLUDED.holder_name,
                district = EXCLUDED.district, status = EXCLUDED.status, updated_at = EXCLUDED.updated_at
            """, logger: logger)
        try await connection.query(
            """
            INSERT INTO archive_events (agency_id, applicant_id, seq, user_id, from_status, to_status, holder_type, holder_name, district, note)
            SELECT a.agency_id, a.applicant_id, coalesce(max(e.seq), 0) + 1, \(user), \(previous?.rawValue), \(archive.status.rawValue),
                   \(archive.holderType.rawValue), \(archive.holderName), \(district), \(note)
            FROM archives a LEFT JOIN archive_events e ON e.agency_id = a.agency_id AND e.applicant_id = a.applicant_id
            WHERE a.agency_id = \(agency) AND a.applicant_id = \(applicant)
            GROUP BY a.agency_id, a.applicant_id
            """, logger: logger)
    }

    public func history(applicant: UUID) async throws -> [ArchiveEntry] {
        let rows = try await connection.query(
            """
            SELECT e.seq, e.at, u.name, e.from_status, e.to_status, e.holder_type, e.holder_name, e.district, e.note FROM archive_events e
            JOIN users u ON u.agency_id = e.agency_id AND u.user_id = e.user_id
            WHERE e.agency_id = \(agency) AND e.applicant_id = \(applicant) ORDER BY e.seq
            """, logger: logger)
        var entries: [ArchiveEntry] = []
        for try await r in rows.decode((Int, Date, String, String?, String, String, String?, String?, String?).self) {
            entries.append(
                ArchiveEntry(
                    seq: r.0, at: r.1, userName: r.2, fromStatus: r.3, toStatus: r.4, holderType: r.5, holderName: r.6, district: r.7,
                    note: r.8))
        }
        return entries
    }
}
