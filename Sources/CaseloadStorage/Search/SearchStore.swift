import CaseloadCore
import Foundation
import PostgresNIO

/// An applicant a search found, with their employer's name.
public struct FoundApplicant: Sendable, Hashable {
    public var id: UUID
    public var name: String
    /// The ID number as lists show it (never the number itself).
    public var idNumberMasked: String
    public var companyID: UUID
    public var companyName: String
}

/// A company a search found.
public struct FoundCompany: Sendable, Hashable {
    public var id: UUID
    public var name: String
}

/// An active case of an applicant a search found.
public struct FoundCase: Sendable, Hashable {
    public var id: UUID
    public var applicantID: UUID
    public var kind: String
    public var stage: String
}

/// Which companies a search looks in: one company, a consultant's, or (both nil) all the
/// caller may see.
public struct SearchScope: Sendable, Hashable {
    public var companyID: UUID?
    public var consultantID: UUID?
    public init(companyID: UUID? = nil, consultantID: UUID? = nil) {
        self.companyID = companyID
        self.consultantID = consultantID
    }
}

/// Finding people and companies by what a consultant types: part of the Chinese name, or
/// the start of its pinyin or of its initials (schema/016's columns). Row-level security
/// keeps it to the caller's caseload (a consultant's companies, a client's own).
public struct SearchStore: AgencyStore {
    public let tx: AgencyTransaction
    public init(tx: AgencyTransaction) { self.tx = tx }

    /// How `query` is matched: a pinyin query (Latin letters only) is a prefix of the stored
    /// pinyin or initials, through their indexes; anything else is a substring of the name.
    /// One of the two patterns is set; the other stays NULL, which the planner folds away
    /// (each call is planned with its values), leaving an index range or a scan.
    struct Match {
        var pinyinPrefix: String?
        var nameContains: String?

        init(_ query: String) {
            if Pinyin.isPinyinQuery(query) {
                pinyinPrefix = CompanyStore.escapeLike(Pinyin.typed(query)) + "%"
            } else {
                nameContains = "%" + CompanyStore.escapeLike(query) + "%"
            }
        }
    }

    /// Applicants whose name matches, exact names first, then by name.
    public func applicants(matching query: String, in scope: SearchScope, limit: Int) async throws -> [FoundApplicant] {
        let m = Match(query)
        let rows = try await connection.query(
            """
            SELECT a.applicant_id, a.name, a.id_number_masked, a.company_id, c.name FROM applicants a
            JOIN companies c ON c.agency_id = a.agency_id AND c.company_id = a.company_id
            WHERE a.agency_id = \(agency)
              AND (\(scope.companyID)::uuid IS NULL OR a.company_id = \(scope.companyID)::uuid)
              AND (\(scope.consultantID)::uuid IS NULL OR a.company_id = ANY(ARRAY(SELECT cc.company_id FROM company_consultants cc WHERE cc.agency_id = \(agency) AND cc.user_id = \(scope.consultantID)::uuid)))
              AND ((\(m.pinyinPrefix)::text IS NOT NULL AND (a.name_pinyin LIKE \(m.pinyinPrefix)::text OR a.name_initials LIKE \(m.pinyinPrefix)::text))
                   OR (\(m.nameContains)::text IS NOT NULL AND a.name LIKE \(m.nameContains)::text))
            ORDER BY a.name = \(query) DESC, a.name, a.applicant_id
            LIMIT \(limit)
            """, logger: logger)
        var found: [FoundApplicant] = []
        for try await (id, name, masked, company, companyName) in rows.decode((UUID, String, String, UUID, String).self) {
            found.append(FoundApplicant(id: id, name: name, idNumberMasked: masked, companyID: company, companyName: companyName))
        }
        return found
    }

    /// Companies whose registered name contains the query, or whose short name's pinyin or
    /// initials start with it.
    public func companies(matching query: String, in scope: SearchScope, limit: Int) async throws -> [FoundCompany] {
        let m = Match(query)
        let rows = try await connection.query(
            """
            SELECT c.company_id, c.name FROM companies c
            WHERE c.agency_id = \(agency)
              AND (\(scope.companyID)::uuid IS NULL OR c.company_id = \(scope.companyID)::uuid)
              AND (\(scope.consultantID)::uuid IS NULL OR c.company_id = ANY(ARRAY(SELECT cc.company_id FROM company_consultants cc WHERE cc.agency_id = \(agency) AND cc.user_id = \(scope.consultantID)::uuid)))
              AND ((\(m.pinyinPrefix)::text IS NOT NULL AND (c.name_pinyin LIKE \(m.pinyinPrefix)::text OR c.name_initials LIKE \(m.pinyinPrefix)::text))
                   OR (\(m.nameContains)::text IS NOT NULL AND c.name LIKE \(m.nameContains)::text))
            ORDER BY c.name = \(query) DESC, c.name, c.company_id
            LIMIT \(limit)
            """, logger: logger)
        var found: [FoundCompany] = []
        for try await (id, name) in rows.decode((UUID, String).self) { found.append(FoundCompany(id: id, name: name)) }
        return found
    }

    /// The active cases of `applicants`, oldest first.
    public func activeCases(of applicants: [UUID]) async throws -> [FoundCase] {
        guard !applicants.isEmpty else { return [] }
        let rows = try await connection.query(
            """
            SELECT case_id, applicant_id, kind, stage FROM cases
            WHERE agency_id = \(agency) AND applicant_id = ANY(\(applicants)) AND status = 'active'
            ORDER BY opened_at, case_id
            """, logger: logger)
        var found: [FoundCase] = []
        for try await (id, applicant, kind, stage) in rows.decode((UUID, UUID, String, String).self) {
            found.append(FoundCase(id: id, applicantID: applicant, kind: kind, stage: stage))
        }
        return found
    }
}
