import CaseloadCore
import Foundation
import PostgresNIO

/// What settling a change's dates reads, locked for the change, from one statement.
public struct DeadlinesToSettle: Sendable {
    /// The case's derived deadlines by rule id (none when no case was named).
    public var ofCase: [String: DeadlineRecord] = [:]
    /// The applicant's permit dates by rule id (only when a renewal was asked about).
    public var ofApplicant: [String: DeadlineRecord] = [:]
    /// Whether the applicant's originals that went out with an authority (handed over at
    /// delivery, diplomas sent for checking) are all back: some went out, none is out now.
    /// False unless asked for.
    public var originalsCollected = false
    /// Whether a renewal was approved for the current permit (`RenewalApproval`). False unless asked for.
    public var renewalApproved = false
}

/// Which cases count as a renewal approved for the applicant's current permit: of `kind`,
/// opened on or after `since`, in one of `stages` and not withdrawn.
public struct RenewalApproval: Sendable, Hashable {
    public var kind: String
    public var stages: [String]
    public var since: CalendarDate
    public init(kind: String, stages: [String], since: CalendarDate) {
        self.kind = kind
        self.stages = stages
        self.since = since
    }
}

extension DeadlineStore {
    /// The derived deadlines a change settles, locked (`FOR UPDATE`), with the facts that end
    /// them: the case's (`caseID`; nil: none), the applicant's permit dates and whether a renewal
    /// was approved (when `renewal` is given), whether the originals came back (when
    /// `originals`). One round trip where it took up to four.
    public func toSettle(caseID: UUID?, applicantID: UUID, originals: Bool, renewal: RenewalApproval?) async throws -> DeadlinesToSettle {
        var settle = DeadlinesToSettle()
        let bindings = PostgresBindings(agency, applicantID, caseID, renewal?.since, originals, renewal?.kind, renewal?.stages)
        for row in try await connection.run(ToSettleStatement(bindings: bindings), logger: logger) {
            var columns = ColumnReader(row)
            let (found, originalsCollected, renewalApproved) = try columns.read((Bool, Bool, Bool).self)
            settle.originalsCollected = originalsCollected
            settle.renewalApproved = renewalApproved
            guard found else { continue }
            let deadline = try Self.record(columns.read(Row.self))
            guard let rule = deadline.ruleID else { continue }
            if deadline.caseID == nil { settle.ofApplicant[rule] = deadline } else { settle.ofCase[rule] = deadline }
        }
        return settle
    }

    /// One row per deadline locked (or one row of NULLs when none is), each led by whether it
    /// is one and the two facts. $4, the renewal's date, asks for the permit dates and the
    /// renewal; $5 for the originals.
    struct ToSettleStatement: PreparedQuery {
        static let sql = """
            WITH d AS (
                SELECT \(columns) FROM deadlines
                WHERE agency_id = $1 AND rule_id IS NOT NULL AND applicant_id = $2
                  AND (case_id = $3::uuid OR ($4::date IS NOT NULL AND case_id IS NULL))
                FOR UPDATE
            )
            SELECT d.deadline_id IS NOT NULL, f.originals, f.renewal, d.*
            FROM (SELECT
                    $5::bool AND coalesce((
                        SELECT count(*) FILTER (WHERE EXISTS (
                                   SELECT 1 FROM custody_events e WHERE e.agency_id = o.agency_id AND e.document_id = o.document_id
                                      AND e.event->>'event' = 'handed_over')) > 0
                           AND count(*) FILTER (WHERE o.holder_kind IN ('talent_center', 'city_verification_center')) = 0
                        FROM documents o WHERE o.agency_id = $1 AND o.applicant_id = $2 AND o.form = 'original'), false),
                    $4::date IS NOT NULL AND EXISTS (
                        SELECT 1 FROM cases c WHERE c.agency_id = $1 AND c.applicant_id = $2 AND c.kind = $6::text
                           AND c.status <> 'withdrawn' AND c.stage = ANY($7::text[]) AND c.opened_at >= $4::date)
                 ) f(originals, renewal)
            LEFT JOIN d ON true
            """
        static let bindingDataTypes: [PostgresDataType] = [.uuid, .uuid, .uuid, .date, .bool, .text, .textArray]
        var bindings: PostgresBindings
    }
}
