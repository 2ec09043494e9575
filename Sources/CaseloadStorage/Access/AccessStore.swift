import CaseloadCore
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

    /// What a param may name by an id prefix: the company-owned entities, and users.
    public enum Named: String, Sendable, CaseIterable {
        case company, applicant, `case`, document, deadline, user

        public init(_ entity: Entity) {
            switch entity {
            case .company: self = .company
            case .applicant: self = .applicant
            case .case: self = .case
            case .document: self = .document
            case .deadline: self = .deadline
            }
        }
    }

    /// The ids of `named` records starting with `prefix`, of those the transaction may see:
    /// at most two (one is the answer; a second says the prefix names more than one). A range
    /// scan of the primary key.
    public func ids(of named: Named, startingWith prefix: IDPrefix) async throws -> [UUID] {
        let (low, high) = (prefix.lowerBound, prefix.upperBound)
        let rows: PostgresRowSequence
        switch named {
        case .company:
            rows = try await connection.query(
                "SELECT company_id FROM companies WHERE agency_id = \(agency) AND company_id BETWEEN \(low) AND \(high) ORDER BY 1 LIMIT 2",
                logger: logger)
        case .applicant:
            rows = try await connection.query(
                "SELECT applicant_id FROM applicants WHERE agency_id = \(agency) AND applicant_id BETWEEN \(low) AND \(high) ORDER BY 1 LIMIT 2",
                logger: logger)
        case .case:
            rows = try await connection.query(
                "SELECT case_id FROM cases WHERE agency_id = \(agency) AND case_id BETWEEN \(low) AND \(high) ORDER BY 1 LIMIT 2", logger: logger)
        case .document:
            rows = try await connection.query(
                "SELECT document_id FROM documents WHERE agency_id = \(agency) AND document_id BETWEEN \(low) AND \(high) ORDER BY 1 LIMIT 2",
                logger: logger)
        case .deadline:
            rows = try await connection.query(
                "SELECT deadline_id FROM deadlines WHERE agency_id = \(agency) AND deadline_id BETWEEN \(low) AND \(high) ORDER BY 1 LIMIT 2",
                logger: logger)
        case .user:
            rows = try await connection.query(
                "SELECT user_id FROM users WHERE agency_id = \(agency) AND user_id BETWEEN \(low) AND \(high) ORDER BY 1 LIMIT 2", logger: logger)
        }
        var ids: [UUID] = []
        for try await id in rows.decode(UUID.self) { ids.append(id) }
        return ids
    }
}
