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

    /// A deadline as a line names it: what is due, and whose (a permit deadline has no case
    /// to name the applicant by).
    public struct DeadlineName: Sendable, Hashable {
        public var title: String
        /// The rule it was derived from (nil: set by hand), which names it in each language.
        public var ruleID: String?
        public var applicantName: String
    }

    public struct Names: Sendable {
        public var applicants: [UUID: String] = [:]
        public var companies: [UUID: String] = [:]
        public var cases: [UUID: CaseName] = [:]
        public var users: [UUID: String] = [:]
        public var deadlines: [UUID: DeadlineName] = [:]
        /// The applicant a document belongs to, by the document's id (none for a company's own).
        public var documentApplicants: [UUID: String] = [:]
        public init() {}
    }

    /// The names of those of the ids the transaction may see (an id it may not see has none).
    public func of(
        applicants: Set<UUID> = [], companies: Set<UUID> = [], cases: Set<UUID> = [], users: Set<UUID> = [],
        deadlines: Set<UUID> = [], documents: Set<UUID> = []
    ) async throws -> Names {
        var names = Names()
        guard [applicants, companies, cases, users, deadlines, documents].contains(where: { !$0.isEmpty }) else { return names }
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
            UNION ALL
            SELECT 'd', d.deadline_id, d.title, d.rule_id, a.name FROM deadlines d
                JOIN applicants a ON a.agency_id = d.agency_id AND a.applicant_id = d.applicant_id
                WHERE d.agency_id = \(agency) AND d.deadline_id = ANY(\(Array(deadlines)))
            UNION ALL
            SELECT 'm', m.document_id, a.name, NULL, NULL FROM documents m
                JOIN applicants a ON a.agency_id = m.agency_id AND a.applicant_id = m.applicant_id
                WHERE m.agency_id = \(agency) AND m.document_id = ANY(\(Array(documents)))
            """, logger: logger)
        for try await (what, id, name, stage, applicant) in rows.decode((String, UUID, String, String?, String?).self) {
            switch what {
            case "a": names.applicants[id] = name
            case "o": names.companies[id] = name
            case "c": names.cases[id] = CaseName(kind: name, stage: stage ?? "", applicantName: applicant ?? "")
            case "d": names.deadlines[id] = DeadlineName(title: name, ruleID: stage, applicantName: applicant ?? "")
            case "m": names.documentApplicants[id] = name
            default: names.users[id] = name
            }
        }
        return names
    }
}
