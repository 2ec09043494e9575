import CaseloadCore
import Foundation
import PostgresNIO

/// The names a list line shows for the ids a record holds (its applicant, company, case and
/// the user who acted), for many records in one round trip: the records stay what their
/// stores read, and a presenter asks for the names of a whole page at once.
public struct NameStore: AgencyStore {
    public let tx: AgencyTransaction
    public init(tx: AgencyTransaction) { self.tx = tx }

    /// A case as a line names it.
    public struct CaseName: Sendable, Hashable {
        public var kind: String
        public var stage: String
        public var applicantName: String

        /// The stage as its kind's table names it (nil for a kind or stage no longer known).
        public var stageEntry: Stage? { CaseKinds.kind(kind)?.stage(stage) }
    }

    public struct Names: Sendable {
        public var applicants: [UUID: String] = [:]
        public var companies: [UUID: String] = [:]
        public var cases: [UUID: CaseName] = [:]
        public var users: [UUID: String] = [:]
        public init() {}
    }

    /// The names of those of the ids the transaction may see (an id it may not see has none).
    public func of(applicants: Set<UUID> = [], companies: Set<UUID> = [], cases: Set<UUID> = [], users: Set<UUID> = []) async throws -> Names {
        var names = Names()
        guard !(applicants.isEmpty && companies.isEmpty && cases.isEmpty && users.isEmpty) else { return names }
        let rows = try await connection.query(
            """
            SELECT 'a', applicant_id, name, NULL, NULL FROM applicants WHERE agency_id = \(agency) AND applicant_id = ANY(\(Array(applicants)))
            UNION ALL
            SELECT 'o', company_id, name, NULL, NULL FROM companies WHERE agency_id = \(agency) AND company_id = ANY(\(Array(companies)))
            UNION ALL
            SELECT 'c', c.case_id, c.kind, c.stage, a.name FROM cases c
                JOIN applicants a ON a.agency_id = c.agency_id AND a.applicant_id = c.applicant_id
                WHERE c.agency_id = \(agency) AND c.case_id = ANY(\(Array(cases)))
            UNION ALL
            SELECT 'u', user_id, name, NULL, NULL FROM users WHERE agency_id = \(agency) AND user_id = ANY(\(Array(users)))
            """, logger: logger)
        for try await (what, id, name, stage, applicant) in rows.decode((String, UUID, String, String?, String?).self) {
            switch what {
            case "a": names.applicants[id] = name
            case "o": names.companies[id] = name
            case "c": names.cases[id] = CaseName(kind: name, stage: stage ?? "", applicantName: applicant ?? "")
            default: names.users[id] = name
            }
        }
        return names
    }
}
