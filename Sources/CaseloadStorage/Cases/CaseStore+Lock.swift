import CaseloadCore
import Foundation
import PostgresNIO

/// A case locked for a change, with everything the change reads beside it: its applicant, what
/// its rules check (the employer's standing, the points rules in force, the archive, the papers
/// held), the agency's time allowed in its kind's stages and the fingerprint of the agency's
/// calendar. One statement reads it all, so a change costs one round trip before it writes,
/// not eight.
public struct LockedCase: Sendable {
    public var record: CaseRecord
    /// The applicant as stored now (their current employer, profile and permit).
    public var applicant: ApplicantRecord
    /// The employer's standing with its district talent center (`TalentCenterStatus`'s raw value).
    public var companyTalentCenterStatus: String
    /// The agency's points rules in force on the day asked for, else the built-in ones.
    public var pointsRules: PointsRules
    /// The applicant's personnel archive as last recorded (`unknown` when never set).
    public var archive: PersonnelArchive
    /// The papers the checklist counts: the applicant's and the company's own.
    public var held: [HeldDocument]
    /// The agency's own days allowed per stage of the case's kind (stage id → days).
    public var stageDays: [String: Int]
    /// What `CalendarStore.calendar(fingerprint:)` takes: no statement while it is unchanged.
    public var calendarFingerprint: String
}

extension CaseStore {
    /// Locks the case (`FOR UPDATE`, so the next history sequence number and the version check
    /// cannot race) and reads what a change needs, as of `today` (the business clock's).
    ///
    /// Every change reads all of it, a few index lookups in the one statement: cheaper than a
    /// second round trip for the changes (advance) that need the facts.
    public func lock(_ id: UUID, today: CalendarDate) async throws -> LockedCase {
        for row in try await connection.run(LockStatement(bindings: .init(agency, id, today)), logger: logger) {
            var columns = ColumnReader(row)
            let record = try Self.record(columns.read(Row.self))
            let applicant = try ApplicantStore.record(columns.read(ApplicantStore.Row.self))
            let (status, rules, archiveType, archiveHolder, archiveStatus, held, stageDays, fingerprint) = try columns.read(
                (String, String?, String?, String?, String?, String, String, String).self)
            return LockedCase(
                record: record, applicant: applicant, companyTalentCenterStatus: status,
                pointsRules: try rules.map { try JSONDecoder().decode(PointsRules.self, from: Data($0.utf8)) } ?? .default2025,
                archive: ArchiveStore.archive(holderType: archiveType, holderName: archiveHolder, status: archiveStatus),
                held: try JSONDecoder().decode([[String?]].self, from: Data(held.utf8)).compactMap(Self.heldDocument),
                stageDays: try JSONDecoder().decode([String: Int].self, from: Data(stageDays.utf8)),
                calendarFingerprint: fingerprint)
        }
        throw StorageError.notFound(entity: "case")
    }

    /// One element of the lock's papers, `[type, form, holder kind, location code]`.
    private static func heldDocument(_ fields: [String?]) throws -> HeldDocument? {
        guard fields.count == 4, let type = fields[0], let form = fields[1] else { return nil }
        return try DocumentStore.held(type: type, form: form, holderKind: fields[2], locationCode: fields[3])
    }

    /// The case as `GetForUpdateStatement` reads it, then the applicant (`ApplicantStore.Row`),
    /// then the facts: the same reads as `CompanyStore.get`, `PointsRulesStore.current`,
    /// `ArchiveStore.get`, `DocumentStore.held`, `StageTimeStore.days` and the calendar's
    /// fingerprint, each an index lookup by the agency.
    struct LockStatement: PreparedQuery {
        static let sql = """
            SELECT \(columns), \(ApplicantStore.columns(qualifiedBy: "a")), co.talent_center_status,
                (SELECT r.rules::text FROM points_rule_versions r WHERE r.agency_id = $1 AND r.effective_from <= $3::date
                  ORDER BY r.effective_from DESC, r.created_at DESC LIMIT 1),
                ar.holder_type, ar.holder_name, ar.status,
                (SELECT coalesce(json_agg(json_build_array(d.document_type, d.form, d.holder->>'kind', d.holder->>'location_code')), '[]')::text
                   FROM documents d
                  WHERE d.agency_id = $1 AND (d.applicant_id = c.applicant_id OR (d.applicant_id IS NULL AND d.company_id = c.company_id))),
                (SELECT coalesce(json_object_agg(s.stage, s.allowed_days), '{}')::text FROM stage_time_limits s WHERE s.agency_id = $1 AND s.kind = c.kind),
                \(CalendarStore.fingerprint(agencyAt: "$1"))
            FROM \(from)
            LEFT JOIN archives ar ON ar.agency_id = c.agency_id AND ar.applicant_id = c.applicant_id
            WHERE c.agency_id = $1 AND c.case_id = $2
            FOR UPDATE OF c
            """
        static let bindingDataTypes: [PostgresDataType] = [.uuid, .uuid, .date]
        var bindings: PostgresBindings
    }
}
