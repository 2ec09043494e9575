import CaseloadCore
import Foundation
import Logging
import PostgresNIO

extension Migrator {
    /// Fills the pinyin columns (schema/016) of names stored before them: SQL cannot compute
    /// pinyin, so `migrate` does it here, `batch` rows per statement and transaction (a big
    /// agency is never one long lock). Rows the stores write already have them. Runs as the
    /// schema owner across agencies; returns how many applicants and companies it filled.
    @discardableResult
    public func fillNamePinyin(batch: Int = 1000) async throws -> (applicants: Int, companies: Int) {
        try await withAdminConnection(url: url, logger: logger) { connection in
            try await connection.query("SELECT set_config('caseload.method', 'migrate: name pinyin', false)", logger: logger)
            var applicants = 0
            while true {
                let filled = try await Self.fillBatch(table: .applicants, limit: batch, on: connection, logger: logger)
                applicants += filled
                if filled < batch { break }
            }
            var companies = 0
            while true {
                let filled = try await Self.fillBatch(table: .companies, limit: batch, on: connection, logger: logger)
                companies += filled
                if filled < batch { break }
            }
            return (applicants, companies)
        }
    }

    enum NamedTable { case applicants, companies }

    /// One batch: reads up to `limit` rows without pinyin, writes theirs back in one UPDATE.
    static func fillBatch(table: NamedTable, limit: Int, on connection: PostgresConnection, logger: Logger) async throws -> Int {
        var agencies: [UUID] = [], ids: [UUID] = [], pinyin: [String] = [], initials: [String] = []
        let query: PostgresQuery = table == .applicants
            ? "SELECT agency_id, applicant_id, name FROM applicants WHERE name_pinyin IS NULL LIMIT \(limit)"
            : "SELECT agency_id, company_id, name FROM companies WHERE name_pinyin IS NULL LIMIT \(limit)"
        let rows = try await connection.query(query, logger: logger)
        for try await (agency, id, name) in rows.decode((UUID, UUID, String).self) {
            agencies.append(agency)
            ids.append(id)
            // A company is found by its short name (CompanyStore.pinyin).
            let searched = table == .companies ? CompanyName.short(name) : name
            pinyin.append(Pinyin.full(searched))
            initials.append(Pinyin.initials(searched))
        }
        guard !ids.isEmpty else { return 0 }
        switch table {
        case .applicants:
            try await connection.query(
                """
                UPDATE applicants a SET name_pinyin = t.p, name_initials = t.i
                FROM unnest(\(agencies)::uuid[], \(ids)::uuid[], \(pinyin)::text[], \(initials)::text[]) AS t(agency, id, p, i)
                WHERE a.agency_id = t.agency AND a.applicant_id = t.id
                """, logger: logger)
        case .companies:
            try await connection.query(
                """
                UPDATE companies c SET name_pinyin = t.p, name_initials = t.i
                FROM unnest(\(agencies)::uuid[], \(ids)::uuid[], \(pinyin)::text[], \(initials)::text[]) AS t(agency, id, p, i)
                WHERE c.agency_id = t.agency AND c.company_id = t.id
                """, logger: logger)
        }
        return ids.count
    }
}
