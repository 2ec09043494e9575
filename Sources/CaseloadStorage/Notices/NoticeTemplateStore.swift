import CaseloadCore
import Foundation
import PostgresNIO

/// One of an agency's own notice texts (schema/017).
public struct StoredNoticeTemplate: Sendable, Hashable {
    public var caseKind: String
    public var step: String
    public var audience: NoticeAudience
    public var body: String
    public var updatedAt: Date
}

/// The agency's notice templates. Bodies are checked by the caller (NoticeTemplate.validate).
public struct NoticeTemplateStore: AgencyStore {
    public let tx: AgencyTransaction
    public init(tx: AgencyTransaction) { self.tx = tx }

    /// The agency's text for a kind, step and audience, if it stored one.
    public func get(kind: String, step: String, audience: NoticeAudience) async throws -> StoredNoticeTemplate? {
        try await list(kind: kind).first { $0.step == step && $0.audience == audience }
    }

    /// Every stored text, of one kind when given, by kind, step and audience.
    public func list(kind: String? = nil) async throws -> [StoredNoticeTemplate] {
        let rows = try await connection.query(
            """
            SELECT case_kind, step, audience, body, updated_at FROM notice_templates
            WHERE agency_id = \(agency) AND (\(kind)::text IS NULL OR case_kind = \(kind)::text)
            ORDER BY case_kind, step, audience
            """, logger: logger)
        var found: [StoredNoticeTemplate] = []
        for try await (kind, step, audience, body, at) in rows.decode((String, String, String, String, Date).self) {
            guard let audience = NoticeAudience(rawValue: audience) else { continue }
            found.append(StoredNoticeTemplate(caseKind: kind, step: step, audience: audience, body: body, updatedAt: at))
        }
        return found
    }

    /// Stores (or replaces) the agency's text.
    public func set(kind: String, step: String, audience: NoticeAudience, body: String, user: UUID?) async throws {
        let rows = try await connection.query(
            """
            INSERT INTO notice_templates (agency_id, case_kind, step, audience, body, updated_by, updated_at)
            VALUES (\(agency), \(kind), \(step), \(audience.rawValue), \(body), \(user), now())
            ON CONFLICT (agency_id, case_kind, step, audience)
            DO UPDATE SET body = EXCLUDED.body, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
            RETURNING 1
            """, logger: logger)
        guard try await rows.collect().count == 1 else { throw StorageError.forbidden }
    }

    /// Removes the agency's text (the built-in one applies again); whether there was one.
    @discardableResult
    public func reset(kind: String, step: String, audience: NoticeAudience) async throws -> Bool {
        let rows = try await connection.query(
            """
            DELETE FROM notice_templates
            WHERE agency_id = \(agency) AND case_kind = \(kind) AND step = \(step) AND audience = \(audience.rawValue)
            RETURNING 1
            """, logger: logger)
        return try await rows.collect().count > 0
    }
}
