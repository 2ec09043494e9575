import CaseloadCore
import Foundation
import PostgresNIO

/// A paper as a report row shows it: whose, what, and who has it since when.
public struct ReportDocument: Sendable {
    public var applicantID: UUID?
    public var companyID: UUID
    public var type: String
    public var form: DocumentForm
    public var holder: Holder?
    public var holderSince: Date?
}

/// The aggregate and batch queries reports need: counts per stage, per company and per
/// consultant, and the per-case details of one page of cases at a time.
public struct ReportStore: AgencyStore {
    public let tx: AgencyTransaction
    public init(tx: AgencyTransaction) { self.tx = tx }

    /// Cases matching `filter`, per (kind, stage), with how many of them are late at `now`.
    public func stageCounts(filter: CaseFilter, now: Date) async throws
        -> [(kind: String, stage: String, count: Int, late: Int)]
    {
        let rows = try await connection.query(
            """
            SELECT c.kind, c.stage, count(*)::int, count(*) FILTER (WHERE c.status = 'active' AND c.stage_due_at < \(now))::int
            FROM cases c
            WHERE c.agency_id = \(agency)
              AND (\(filter.companyID)::uuid IS NULL OR c.company_id = \(filter.companyID)::uuid)
              AND (\(filter.consultantID)::uuid IS NULL OR c.company_id = ANY(ARRAY(SELECT cc.company_id FROM company_consultants cc WHERE cc.agency_id = \(agency) AND cc.user_id = \(filter.consultantID)::uuid)))
              AND (\(filter.kind)::text IS NULL OR c.kind = \(filter.kind)::text)
              AND (\(filter.stage)::text IS NULL OR c.stage = \(filter.stage)::text)
              AND (\(filter.status)::text IS NULL OR c.status = \(filter.status)::text)
              AND (\(filter.lateAsOf)::timestamptz IS NULL OR (c.status = 'active' AND c.stage_due_at < \(filter.lateAsOf)::timestamptz))
            GROUP BY c.kind, c.stage ORDER BY c.kind, c.stage
            """, logger: logger)
        var out: [(String, String, Int, Int)] = []
        for try await row in rows.decode((String, String, Int, Int).self) { out.append(row) }
        return out.map { (kind: $0.0, stage: $0.1, count: $0.2, late: $0.3) }
    }

    /// Overdue deadlines and originals held or out, for a company, a consultant's companies, or the agency.
    public func totals(companyID: UUID?, consultantID: UUID?, today: CalendarDate)
        async throws -> (overdueDeadlines: Int, originalsAtAgency: Int, originalsOut: Int)
    {
        let rows = try await connection.query(
            """
            WITH overdue AS (
                SELECT count(*)::int AS n FROM deadlines x
                WHERE x.agency_id = \(agency) AND caseload_overdue(x.kind, x.state, x.due_date, \(today))
                  AND (\(companyID)::uuid IS NULL OR x.company_id = \(companyID)::uuid)
                  AND (\(consultantID)::uuid IS NULL OR x.company_id = ANY(ARRAY(SELECT cc.company_id FROM company_consultants cc WHERE cc.agency_id = \(agency) AND cc.user_id = \(consultantID)::uuid)))
            ), originals AS (
                SELECT count(*) FILTER (WHERE x.holder_kind = 'agency')::int AS held,
                       count(*) FILTER (WHERE x.holder_kind IN ('talent_center', 'city_verification_center'))::int AS out
                FROM documents x
                WHERE x.agency_id = \(agency) AND x.form = 'original'
                  AND (\(companyID)::uuid IS NULL OR x.company_id = \(companyID)::uuid)
                  AND (\(consultantID)::uuid IS NULL OR x.company_id = ANY(ARRAY(SELECT cc.company_id FROM company_consultants cc WHERE cc.agency_id = \(agency) AND cc.user_id = \(consultantID)::uuid)))
            )
            SELECT overdue.n, originals.held, originals.out FROM overdue, originals
            """, logger: logger)
        for try await row in rows.decode((Int, Int, Int).self) { return row }
        return (0, 0, 0)
    }

    /// What is next for each case: its earliest pending (waiting, open or missed) date; on a
    /// tie, the rule that comes first in `ruleOrder`, then the lower id, so every page size
    /// gives the same answer.
    public func nextDeadlines(cases: [UUID], ruleOrder: [String])
        async throws -> [UUID: (due: String, title: String, explanation: String, kind: DeadlineKind, state: DeadlineState)]
    {
        guard !cases.isEmpty else { return [:] }
        let rows = try await connection.query(
            """
            SELECT DISTINCT ON (case_id) case_id, due_date::text, title, explanation, kind, state FROM deadlines
            WHERE agency_id = \(agency) AND case_id = ANY(\(cases)::uuid[]) AND state IN ('waiting', 'open', 'missed')
            ORDER BY case_id, due_date, coalesce(array_position(\(ruleOrder)::text[], rule_id), 2147483647), deadline_id
            """, logger: logger)
        var out: [UUID: (due: String, title: String, explanation: String, kind: DeadlineKind, state: DeadlineState)] = [:]
        for try await (id, due, title, explanation, kind, state) in rows.decode((UUID, String, String, String, String, String).self) {
            out[id] = (due, title, explanation, DeadlineKind(rawValue: kind) ?? .due, DeadlineState(rawValue: state) ?? .open)
        }
        return out
    }

    /// Applicants' profiles by id.
    public func profiles(applicants: [UUID]) async throws
        -> [UUID: ApplicantProfile]
    {
        guard !applicants.isEmpty else { return [:] }
        let rows = try await connection.query(
            "SELECT applicant_id, profile::text FROM applicants WHERE agency_id = \(agency) AND applicant_id = ANY(\(applicants)::uuid[])",
            logger: logger)
        var out: [UUID: ApplicantProfile] = [:]
        let decoder = JSONDecoder()
        for try await (id, text) in rows.decode((UUID, String).self) { out[id] = try decoder.decode(ApplicantProfile.self, from: Data(text.utf8)) }
        return out
    }

    /// Documents of these applicants and the company-level documents of these companies.
    public func documents(applicants: [UUID], companies: [UUID])
        async throws -> [ReportDocument]
    {
        guard !applicants.isEmpty || !companies.isEmpty else { return [] }
        let rows = try await connection.query(
            """
            SELECT applicant_id, company_id, document_type, form, holder->>'kind', holder->>'location_code', holder_since FROM documents
            WHERE agency_id = \(agency) AND (applicant_id = ANY(\(applicants)::uuid[]) OR (applicant_id IS NULL AND company_id = ANY(\(companies)::uuid[])))
            """, logger: logger)
        var out: [ReportDocument] = []
        for try await (applicant, company, type, form, kind, location, since) in rows.decode((UUID?, UUID, String, String, String?, String?, Date?).self) {
            out.append(
                ReportDocument(
                    applicantID: applicant, companyID: company, type: type, form: DocumentForm(rawValue: form) ?? .copy,
                    holder: try DocumentStore.holder(kind: kind, locationCode: location), holderSince: since))
        }
        return out
    }

    /// The overview's rows from the per-company groups `c`, `d` and `x` (and the agency `me`):
    /// summed over each user's companies, or one per company.
    static let overviewByConsultant = """
        SELECT u.name, coalesce(sum(c.open), 0)::int, coalesce(sum(c.late), 0)::int, coalesce(sum(d.overdue), 0)::int,
               coalesce(sum(x.held), 0)::int, coalesce(sum(x.out), 0)::int
        FROM users u
        LEFT JOIN company_consultants cc ON cc.agency_id = u.agency_id AND cc.user_id = u.user_id
        LEFT JOIN c ON c.company_id = cc.company_id
        LEFT JOIN d ON d.company_id = cc.company_id
        LEFT JOIN x ON x.company_id = cc.company_id
        WHERE u.agency_id = (SELECT agency_id FROM me) AND u.role IN ('owner', 'manager', 'consultant')
        GROUP BY u.user_id, u.name
        ORDER BY u.name, u.user_id
        """
    static let overviewByCompany = """
        SELECT co.name, coalesce(c.open, 0), coalesce(c.late, 0), coalesce(d.overdue, 0), coalesce(x.held, 0), coalesce(x.out, 0)
        FROM companies co
        LEFT JOIN c ON c.company_id = co.company_id
        LEFT JOIN d ON d.company_id = co.company_id
        LEFT JOIN x ON x.company_id = co.company_id
        WHERE co.agency_id = (SELECT agency_id FROM me)
        ORDER BY co.name, co.company_id
        """

    /// Per company (or per consultant): open cases, late at `now`, overdue deadlines on its day
    /// in Shanghai, originals held and out.
    public func overview(byConsultant: Bool, now: Date) async throws
        -> [(name: String, openCases: Int, late: Int, overdue: Int, originalsAtAgency: Int, originalsOut: Int)]
    {
        let today = CalendarDate(shanghai: now)
        // Each table is read once, grouped by company, and the groups are joined to the
        // companies (or summed over a consultant's companies): one pass, not five correlated
        // subqueries per company (which read the agency's deadlines once per company: 11 s for
        // 500 companies and 50,000 cases).
        let rows = try await connection.query(
            """
            WITH me AS (SELECT \(agency)::uuid AS agency_id), c AS (
                SELECT company_id, count(*) FILTER (WHERE status IN ('active', 'on_hold'))::int AS open,
                       count(*) FILTER (WHERE status = 'active' AND stage_due_at < \(now))::int AS late
                FROM cases WHERE agency_id = \(agency) GROUP BY company_id
            ), d AS (
                SELECT company_id, count(*)::int AS overdue FROM deadlines
                WHERE agency_id = \(agency) AND caseload_overdue(kind, state, due_date, \(today)) GROUP BY company_id
            ), x AS (
                SELECT company_id, count(*) FILTER (WHERE holder_kind = 'agency')::int AS held,
                       count(*) FILTER (WHERE holder_kind IN ('talent_center', 'city_verification_center'))::int AS out
                FROM documents WHERE agency_id = \(agency) AND form = 'original' GROUP BY company_id
            )
            \(unescaped: byConsultant ? Self.overviewByConsultant : Self.overviewByCompany)
            """, logger: logger)
        var out: [(String, Int, Int, Int, Int, Int)] = []
        for try await row in rows.decode((String, Int, Int, Int, Int, Int).self) { out.append(row) }
        return out.map { (name: $0.0, openCases: $0.1, late: $0.2, overdue: $0.3, originalsAtAgency: $0.4, originalsOut: $0.5) }
    }

    public func agencyName() async throws -> String {
        for try await name in try await connection.query("SELECT name FROM agencies WHERE agency_id = \(agency)", logger: logger).decode(String.self) {
            return name
        }
        return ""
    }
}
