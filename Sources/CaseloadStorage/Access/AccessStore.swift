import Foundation
import PostgresNIO

/// What the server's own authorisation needs to know: which company an entity belongs to,
/// and which companies a user looks after. (Row-level security checks the same rules again
/// inside PostgreSQL; see schema/008.)
public struct AccessStore: AgencyStore {
    public let tx: AgencyTransaction
    public init(tx: AgencyTransaction) { self.tx = tx }

    /// Entities that belong to one client company.
    public enum Entity: String, Sendable, CaseIterable {
        case company, applicant, `case`, document, deadline
    }

    /// The company `id` belongs to, or nil when there is no such entity (in what the
    /// transaction may see).
    public func company(of entity: Entity, _ id: UUID)
        async throws -> UUID?
    {
        let rows: PostgresRowSequence
        switch entity {
        case .company:
            rows = try await connection.query("SELECT company_id FROM companies WHERE agency_id = \(agency) AND company_id = \(id)", logger: logger)
        case .applicant:
            rows = try await connection.query("SELECT company_id FROM applicants WHERE agency_id = \(agency) AND applicant_id = \(id)", logger: logger)
        case .case:
            rows = try await connection.query("SELECT company_id FROM cases WHERE agency_id = \(agency) AND case_id = \(id)", logger: logger)
        case .document:
            rows = try await connection.query("SELECT company_id FROM documents WHERE agency_id = \(agency) AND document_id = \(id)", logger: logger)
        case .deadline:
            rows = try await connection.query("SELECT company_id FROM deadlines WHERE agency_id = \(agency) AND deadline_id = \(id)", logger: logger)
        }
        for try await company in rows.decode(UUID.self) { return company }
        return nil
    }

    /// The companies assigned to `user`.
    public func assignedCompanies(user: UUID) async throws -> Set<UUID> {
        let rows = try await connection.query(
            "SELECT company_id FROM company_consultants WHERE agency_id = \(agency) AND user_id = \(user)", logger: logger)
        var companies: Set<UUID> = []
        for try await company in rows.decode(UUID.self) { companies.insert(company) }
        return companies
    }
}
