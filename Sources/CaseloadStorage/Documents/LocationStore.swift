import CaseloadCore
import Foundation
import PostgresNIO

/// A place in the agency's own archive: office › cabinet › drawer › box.
public struct LocationRecord: Sendable, Hashable {
    public var id: UUID
    public var parentID: UUID?
    public var kind: LocationKind
    public var code: String
    public var name: String
    /// Documents stored directly here.
    public var documentCount: Int
}

public struct LocationStore: AgencyStore {
    public let tx: AgencyTransaction
    public init(tx: AgencyTransaction) { self.tx = tx }

    static let select = """
        SELECT l.location_id, l.parent_id, l.kind, l.code, l.name,
               (SELECT count(*)::int FROM documents d WHERE d.agency_id = l.agency_id AND d.location_id = l.location_id)
        FROM storage_locations l
        """
    typealias Row = (UUID, UUID?, String, String, String, Int)

    static func record(_ r: Row) -> LocationRecord {
        LocationRecord(id: r.0, parentID: r.1, kind: LocationKind(rawValue: r.2) ?? .box, code: r.3, name: r.4, documentCount: r.5)
    }

    public func add(code: String, name: String, kind: LocationKind, parentID: UUID?) async throws -> LocationRecord {
        try await connection.query(
            """
            INSERT INTO storage_locations (agency_id, parent_id, kind, code, name)
            VALUES (\(agency), \(parentID), \(kind.rawValue), \(code), \(name))
            """, logger: logger)
        return try await get(code: code)
    }

    public func get(code: String) async throws -> LocationRecord {
        let rows = try await connection.query("\(unescaped: Self.select) WHERE l.agency_id = \(agency) AND l.code = \(code)", logger: logger)
        for try await row in rows.decode(Row.self) { return Self.record(row) }
        throw StorageError.notFound(entity: "location")
    }

    /// Every location of the agency, by code.
    public func all() async throws -> [LocationRecord] {
        let rows = try await connection.query("\(unescaped: Self.select) WHERE l.agency_id = \(agency) ORDER BY l.code", logger: logger)
        var records: [LocationRecord] = []
        for try await row in rows.decode(Row.self) { records.append(Self.record(row)) }
        return records
    }

    /// The location and everything below it.
    public func subtree(_ id: UUID) async throws -> [UUID] {
        let rows = try await connection.query(
            """
            WITH RECURSIVE tree AS (
                SELECT location_id FROM storage_locations WHERE agency_id = \(agency) AND location_id = \(id)
                UNION ALL
                SELECT l.location_id FROM storage_locations l JOIN tree t ON l.parent_id = t.location_id
                WHERE l.agency_id = \(agency)
            )
            SELECT location_id FROM tree
            """, logger: logger)
        var ids: [UUID] = []
        for try await id in rows.decode(UUID.self) { ids.append(id) }
        return ids
    }

    /// Deletes an empty location. One that holds documents or sub-locations is
    /// `.stillReferenced` (the foreign keys refuse it).
    public func delete(_ id: UUID) async throws {
        try await connection.query("DELETE FROM storage_locations WHERE agency_id = \(agency) AND location_id = \(id)", logger: logger)
    }
}
