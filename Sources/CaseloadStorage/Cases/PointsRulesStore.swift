import CaseloadCore
import Foundation
import PostgresNIO

/// The points rules an agency estimates with: the built-in version from the domain brief,
/// plus any versions the agency added, each effective from a date.
public struct PointsRulesStore: AgencyStore {
    public let tx: AgencyTransaction
    public init(tx: AgencyTransaction) { self.tx = tx }

    /// The version in force on `date`: the agency's latest with `effective_from <= date`,
    /// else the built-in one.
    public func current(asOf date: CalendarDate) async throws
        -> PointsRules
    {
        for row in try await connection.run(CurrentStatement(bindings: .init(agency, date.iso)), logger: logger) {
            return try JSONDecoder().decode(PointsRules.self, from: Data(try row.decode(String.self).utf8))
        }
        return .default2025
    }

    /// Every version: the built-in one first, then the agency's by effective date.
    public func all() async throws -> [PointsRules] {
        let rows = try await connection.query(
            "SELECT rules::text FROM points_rule_versions WHERE agency_id = \(agency) ORDER BY effective_from, created_at", logger: logger)
        var versions: [PointsRules] = [.default2025]
        for try await text in rows.decode(String.self) { versions.append(try JSONDecoder().decode(PointsRules.self, from: Data(text.utf8))) }
        return versions
    }

    /// Adds a version; its name must be new in the agency.
    public func add(_ rules: PointsRules) async throws {
        let json = String(decoding: try JSONEncoder().encode(rules), as: UTF8.self)
        try await connection.query(
            """
            INSERT INTO points_rule_versions (agency_id, version, effective_from, rules)
            VALUES (\(agency), \(rules.version), \(rules.effectiveFrom), \(json)::jsonb)
            """,
            logger: logger)
    }

    struct CurrentStatement: PreparedQuery {
        static let sql = """
            SELECT rules::text FROM points_rule_versions
            WHERE agency_id = $1 AND effective_from <= $2::date
            ORDER BY effective_from DESC, created_at DESC LIMIT 1
            """
        static let bindingDataTypes: [PostgresDataType] = [.uuid, .text]
        var bindings: PostgresBindings
    }
}
