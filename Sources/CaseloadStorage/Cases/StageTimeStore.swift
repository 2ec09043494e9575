import Foundation
import PostgresNIO

/// An agency's own time allowed per stage, over the case kinds' defaults.
public struct StageTimeStore: AgencyStore {
    public let tx: AgencyTransaction
    public init(tx: AgencyTransaction) { self.tx = tx }

    /// The agency's overrides: (kind, stage) → days.
    public func all() async throws -> [String: Int] {
        let rows = try await connection.query(
            "SELECT kind, stage, allowed_days FROM stage_time_limits WHERE agency_id = \(agency)", logger: logger)
        var limits: [String: Int] = [:]
        for try await (kind, stage, days) in rows.decode((String, String, Int).self) { limits["\(kind).\(stage)"] = days }
        return limits
    }

    /// The days allowed in `stage` of `kind` for the agency, if it set any.
    public func days(kind: String, stage: String) async throws -> Int? {
        for row in try await connection.run(DaysStatement(bindings: .init(agency, kind, stage)), logger: logger) { return try row.decode(Int.self) }
        return nil
    }

    struct DaysStatement: PreparedQuery {
        static let sql = "SELECT allowed_days FROM stage_time_limits WHERE agency_id = $1 AND kind = $2 AND stage = $3"
        static let bindingDataTypes: [PostgresDataType] = [.uuid, .text, .text]
        var bindings: PostgresBindings
    }

    /// Sets (or with nil, removes) the agency's time allowed for a stage.
    public func set(kind: String, stage: String, days: Int?) async throws {
        if let days {
            try await connection.query(
                """
                INSERT INTO stage_time_limits (agency_id, kind, stage, allowed_days) VALUES (\(agency), \(kind), \(stage), \(days)::int)
                ON CONFLICT (agency_id, kind, stage) DO UPDATE SET allowed_days = EXCLUDED.allowed_days
                """, logger: logger)
        } else {
            try await connection.query(
                "DELETE FROM stage_time_limits WHERE agency_id = \(agency) AND kind = \(kind) AND stage = \(stage)", logger: logger)
        }
    }
}
