import CaseloadCore
import Foundation
import PostgresNIO

/// A case as stored, with its applicant's name and masked ID number for lists.
public struct CaseRecord: Sendable, Hashable {
    public var id: UUID
    public var applicantID: UUID
    public var applicantName: String
    public var applicantIDMasked: String
    public var companyID: UUID
    public var state: CaseState
    public var stageEnteredAt: Date
    public var stageDueAt: Date?
    public var version: Int
    public var openedAt: Date
    public var closedAt: Date?
    /// `opened_at` in whole microseconds since 1970, exactly as stored: the list cursor's key.
    public var openedAtMicros: Int64
    /// The employer's registered name.
    public var companyName: String
}

/// A case as the agenda lists it: whose, where it stands and since when, without the data
/// recorded at its stages (`CaseRecord` decodes all of it, which an agenda's 500 late cases
/// do not need).
public struct CaseLine: Sendable, Hashable {
    public var id: UUID
    public var applicantName: String
    public var companyID: UUID
    public var kind: String
    public var stage: String
    public var stageEnteredAt: Date
    public var closedAt: Date?

    /// Whole days since the case entered its stage (until it closed, if it did).
    public func daysInStage(now: Date) -> Int { CaseRecord.days(since: stageEnteredAt, until: closedAt ?? now) }
}

extension CaseRecord {
    /// Whole days since the case entered its stage (until it closed, if it did).
    public func daysInStage(now: Date) -> Int { Self.days(since: stageEnteredAt, until: closedAt ?? now) }

    static func days(since start: Date, until end: Date) -> Int {
        Int(max(0, end.timeIntervalSince(start)) / 86400)
    }

    /// Active and past its stage's due time.
    public func isLate(now: Date) -> Bool {
        state.status == .active && (stageDueAt.map { $0 < now } ?? false)
    }
}

/// One entry of a case's history.
public struct CaseHistoryEntry: Sendable, Hashable {
    public var caseID: UUID
    public var seq: Int
    public var at: Date
    public var userID: UUID
    public var userName: String
    public var action: String
    public var fromStage: String?
    public var toStage: String?
    public var data: String
    public var reason: String?
    public var overrides: [String]
}

/// Which cases `CaseStore.list` returns.
public struct CaseFilter: Sendable, Hashable {
    public var companyID: UUID?
    public var consultantID: UUID?
    public var applicantID: UUID?
    public var kind: String?
    public var stage: String?
    public var status: String?
    /// Only cases late at this instant (active, their stage due before it); nil: all. The
    /// instant is the business clock's, so it is passed in, never PostgreSQL's `now()`.
    public var lateAsOf: Date?
    public init() {}
}

/// A position in a list of cases: the last (opened_at, id) seen. The time is kept in exact
/// microseconds: a rounded one would make pages skip or repeat rows.
public struct CaseCursor: Sendable, Hashable, Codable {
    public var openedAtMicros: Int64
    public var id: UUID
    public init(openedAtMicros: Int64, id: UUID) {
        self.openedAtMicros = openedAtMicros
        self.id = id
    }
}

public struct CaseStore: AgencyStore {
    public let tx: AgencyTransaction
    public init(tx: AgencyTransaction) { self.tx = tx }

    static let columns = """
        c.case_id, c.applicant_id, a.name, a.id_number_masked, c.company_id, c.state::text, c.stage_entered_at, c.stage_due_at,
        c.version, c.opened_at, c.closed_at, (extract(epoch FROM c.opened_at) * 1000000)::int8, co.name
        """
    /// The case with its applicant and its company, for their names.
    static let joins = """
        JOIN applicants a ON a.agency_id = c.agency_id AND a.applicant_id = c.applicant_id
        JOIN companies co ON co.agency_id = c.agency_id AND co.company_id = c.company_id
        """
    static let from = "cases c " + joins
    typealias Row = (UUID, UUID, String, String, UUID, String, Date, Date?, Int, Date, Date?, Int64, String)

    static func record(_ r: Row) throws -> CaseRecord {
        CaseRecord(
            id: r.0, applicantID: r.1, applicantName: r.2, applicantIDMasked: r.3, companyID: r.4,
            state: try CaseState.decodeStored(r.5) ?? JSONDecoder().decode(CaseState.self, from: Data(r.5.utf8)), stageEnteredAt: r.6, stageDueAt: r.7, version: r.8,
            openedAt: r.9, closedAt: r.10, openedAtMicros: r.11, companyName: r.12)
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Opens a case and writes its first history entry, in the caller's transaction. Its first
    /// stage starts at `now` (the business clock's) and is due `dueInDays` after.
    public func open(
        _ state: CaseState, applicantID: UUID, companyID: UUID, dueInDays: Int?, now: Date, user: UUID, data: String
    ) async throws -> CaseRecord {
        var id: UUID?
        let rows = try await connection.query(
            """
            INSERT INTO cases (agency_id, applicant_id, company_id, kind, stage, status, state, stage_entered_at, stage_due_at)
            VALUES (\(agency), \(applicantID), \(companyID), \(state.kind), \(state.stage), \(state.status.rawValue), \(try Self.json(state))::jsonb,
                    \(now), \(now)::timestamptz + make_interval(days => \(dueInDays)::int))
            RETURNING case_id
            """,
            logger: logger)
        for try await caseID in rows.decode(UUID.self) { id = caseID }
        guard let id else { throw StorageError.forbidden }
        try await appendHistory(caseID: id, action: "open", from: nil, to: state.stage, data: data, reason: nil, overrides: [], user: user)
        return try await get(id)
    }

    public func get(_ id: UUID, forUpdate: Bool = false)
        async throws -> CaseRecord
    {
        let rows = forUpdate
            ? try await connection.run(GetForUpdateStatement(bindings: .init(agency, id)), logger: logger)
            : try await connection.run(GetStatement(bindings: .init(agency, id)), logger: logger)
        for row in rows { return try Self.record(row.decode(Row.self)) }
        throw StorageError.notFound(entity: "case")
    }

    struct GetStatement: PreparedQuery {
        static let sql = "SELECT \(columns) FROM \(from) WHERE c.agency_id = $1 AND c.case_id = $2"
        static let bindingDataTypes: [PostgresDataType] = [.uuid, .uuid]
        var bindings: PostgresBindings
    }

    struct GetForUpdateStatement: PreparedQuery {
        static let sql = GetStatement.sql + " FOR UPDATE OF c"
        static let bindingDataTypes = GetStatement.bindingDataTypes
        var bindings: PostgresBindings
    }

    /// Saves a new state if the version is still `expectedVersion`, with its history entry
    /// (`action`, from stage `from` to the new one), in one statement: a stale version writes
    /// neither. `enteredNewStage` restarts the stage clock at `now` (the business clock's), its
    /// due date `dueInDays` after. Callers hold the case locked (`lock`), so the history's next
    /// sequence number cannot race.
    public func save(
        _ id: UUID, state: CaseState, expectedVersion: Int, enteredNewStage: Bool, dueInDays: Int?, now: Date,
        action: String, from: String, data: String, reason: String?, overrides: [String], user: UUID
    ) async throws -> CaseRecord {
        let closed = state.status == .closed || state.status == .withdrawn
        let rows = try await connection.run(
            SaveStatement(
                bindings: .init(
                    state.stage, state.status.rawValue, try Self.json(state), enteredNewStage, dueInDays, closed, agency, id, expectedVersion, now,
                    user, action, from, data, reason, overrides)),
            logger: logger)
        for row in rows { return try Self.record(row.decode(Row.self)) }
        throw StorageError.versionConflict(current: try await get(id).version)
    }

    /// Appends to the case's history (a case just opened; a change's entry comes with `save`).
    public func appendHistory(
        caseID: UUID, action: String, from: String?, to: String?, data: String, reason: String?, overrides: [String], user: UUID
    ) async throws {
        _ = try await connection.run(
            AppendHistoryStatement(bindings: .init(agency, caseID, user, action, from, to, data, reason, overrides)), logger: logger)
    }

    /// The update, its history entry and the saved case as `get` reads it, in one round trip;
    /// no row: the version moved on (and no entry was written).
    ///
    /// Written so that Citus runs each part on the agency's shard group: the history row takes
    /// its keys from the case's row and is written only if the update returned one (`EXISTS`:
    /// an INSERT … SELECT from the CTE alone would be pulled to the coordinator and copied
    /// back, which row-level security refuses), and the read-back's joins name the agency
    /// (`$7`), so they are not asked of every shard. Citus runs the CTEs one after another; the
    /// history's read of the case does not depend on whether it sees the row before or after
    /// the update (a single PostgreSQL: before).
    struct SaveStatement: PreparedQuery {
        static let sql = """
            WITH c AS (
                UPDATE cases SET stage = $1, status = $2, state = $3::jsonb,
                    stage_entered_at = CASE WHEN $4 THEN $10 ELSE stage_entered_at END,
                    stage_due_at = CASE WHEN $4 THEN $10 + make_interval(days => $5::int) ELSE stage_due_at END,
                    closed_at = CASE WHEN $6 THEN coalesce(closed_at, $10) ELSE NULL END,
                    version = version + 1
                WHERE agency_id = $7 AND case_id = $8 AND version = $9
                RETURNING *
            ), h AS (
                INSERT INTO case_history (agency_id, case_id, seq, user_id, action, from_stage, to_stage, data, reason, overrides)
                SELECT x.agency_id, x.case_id, coalesce(max(p.seq), 0) + 1, $11, $12, $13, $1, $14::jsonb, $15, $16
                FROM cases x LEFT JOIN case_history p ON p.agency_id = x.agency_id AND p.case_id = x.case_id
                WHERE x.agency_id = $7 AND x.case_id = $8 AND EXISTS (SELECT FROM c)
                GROUP BY x.agency_id, x.case_id
            )
            SELECT \(columns) FROM c
            JOIN applicants a ON a.agency_id = $7 AND a.applicant_id = c.applicant_id
            JOIN companies co ON co.agency_id = $7 AND co.company_id = c.company_id
            """
        static let bindingDataTypes: [PostgresDataType] = [
            .text, .text, .text, .bool, .int8, .bool, .uuid, .uuid, .int8, .timestamptz, .uuid, .text, .text, .text, .text, .textArray,
        ]
        var bindings: PostgresBindings
    }

    struct AppendHistoryStatement: PreparedQuery {
        static let sql = """
            INSERT INTO case_history (agency_id, case_id, seq, user_id, action, from_stage, to_stage, data, reason, overrides)
            SELECT c.agency_id, c.case_id, coalesce(max(h.seq), 0) + 1, $3, $4, $5, $6, $7::jsonb, $8, $9
            FROM cases c LEFT JOIN case_history h ON h.agency_id = c.agency_id AND h.case_id = c.case_id
            WHERE c.agency_id = $1 AND c.case_id = $2
            GROUP BY c.agency_id, c.case_id
            """
        static let bindingDataTypes: [PostgresDataType] = [.uuid, .uuid, .uuid, .text, .text, .text, .text, .text, .textArray]
        var bindings: PostgresBindings
    }

    static let historyColumns = """
        h.case_id, h.seq, h.at, h.user_id, u.name, h.action, h.from_stage, h.to_stage, h.data::text, h.reason, h.overrides
        """
    typealias HistoryRow = (UUID, Int, Date, UUID, String, String, String?, String?, String, String?, [String])

    static func entry(_ r: HistoryRow) -> CaseHistoryEntry {
        CaseHistoryEntry(
            caseID: r.0, seq: r.1, at: r.2, userID: r.3, userName: r.4, action: r.5, fromStage: r.6, toStage: r.7, data: r.8, reason: r.9,
            overrides: r.10)
    }

    public func history(_ id: UUID) async throws -> [CaseHistoryEntry] {
        let rows = try await connection.query(
            """
            SELECT \(unescaped: Self.historyColumns) FROM case_history h
            JOIN users u ON u.agency_id = h.agency_id AND u.user_id = h.user_id
            WHERE h.agency_id = \(agency) AND h.case_id = \(id) ORDER BY h.seq
            """,
            logger: logger)
        var entries: [CaseHistoryEntry] = []
        for try await row in rows.decode(HistoryRow.self) { entries.append(Self.entry(row)) }
        return entries
    }

    /// Every overridden rule in the agency, newest first.
    public func overrides(limit: Int) async throws -> [CaseHistoryEntry] {
        let rows = try await connection.query(
            """
            SELECT \(unescaped: Self.historyColumns) FROM case_history h
            JOIN users u ON u.agency_id = h.agency_id AND u.user_id = h.user_id
            WHERE h.agency_id = \(agency) AND h.overrides <> '{}' ORDER BY h.at DESC, h.seq DESC LIMIT \(limit)
            """,
            logger: logger)
        var entries: [CaseHistoryEntry] = []
        for try await row in rows.decode(HistoryRow.self) { entries.append(Self.entry(row)) }
        return entries
    }

    /// How many cases the agency has.
    public func count() async throws -> Int {
        var count = 0
        for try await n in try await connection.query("SELECT count(*)::int FROM cases WHERE agency_id = \(agency)", logger: logger).decode(Int.self) {
            count = n
        }
        return count
    }

    /// One page of cases, oldest first, after `cursor`.
    public func list(filter: CaseFilter, after cursor: CaseCursor?, limit: Int) async throws -> [CaseRecord] {
        let rows = try await connection.run(ListStatement(bindings: ListStatement.bindings(agency, filter, after: cursor, limit: limit)), logger: logger)
        return try rows.map { try Self.record($0.decode(Row.self)) }
    }

    /// The cases `list` would give, as agenda lines.
    public func lines(filter: CaseFilter, limit: Int) async throws -> [CaseLine] {
        let rows = try await connection.run(LinesStatement(bindings: ListStatement.bindings(agency, filter, after: nil, limit: limit)), logger: logger)
        return try rows.map {
            let r = try $0.decode((UUID, String, UUID, String, String, Date, Date?).self)
            return CaseLine(id: r.0, applicantName: r.1, companyID: r.2, kind: r.3, stage: r.4, stageEnteredAt: r.5, closedAt: r.6)
        }
    }

    struct LinesStatement: PreparedQuery {
        static let sql = """
            SELECT c.case_id, a.name, c.company_id, c.kind, c.stage, c.stage_entered_at, c.closed_at
            FROM cases c JOIN applicants a ON a.agency_id = c.agency_id AND a.applicant_id = c.applicant_id
            \(ListStatement.conditions)
            LIMIT $11
            """
        static let bindingDataTypes = ListStatement.bindingDataTypes
        var bindings: PostgresBindings
    }

    struct ListStatement: PreparedQuery {
        static let sql = """
            SELECT \(columns) FROM \(from)
            \(conditions)
            LIMIT $11
            """
        /// The filter and order of a list of cases, binds $1–$10, shared with `LinesStatement`.
        static let conditions = """
            WHERE c.agency_id = $1
              AND ($2::int8 IS NULL OR (c.opened_at, c.case_id) > (timestamptz 'epoch' + $2::int8 * interval '1 microsecond', $3::uuid))
              AND ($4::uuid IS NULL OR c.company_id = $4::uuid)
              AND ($5::uuid IS NULL OR c.applicant_id = $5::uuid)
              AND ($6::uuid IS NULL OR c.company_id = ANY(ARRAY(SELECT cc.company_id FROM company_consultants cc WHERE cc.agency_id = $1 AND cc.user_id = $6::uuid)))
              AND ($7::text IS NULL OR c.kind = $7::text)
              AND ($8::text IS NULL OR c.stage = $8::text)
              AND ($9::text IS NULL OR c.status = $9::text)
              AND ($10::timestamptz IS NULL OR (c.status = 'active' AND c.stage_due_at < $10::timestamptz))
            ORDER BY c.opened_at, c.case_id
            """
        static let bindingDataTypes: [PostgresDataType] = [.uuid, .int8, .uuid, .uuid, .uuid, .uuid, .text, .text, .text, .timestamptz, .int8]
        var bindings: PostgresBindings

        /// `conditions`' binds and the limit, for this statement and `LinesStatement` alike.
        static func bindings(_ agency: UUID, _ filter: CaseFilter, after cursor: CaseCursor?, limit: Int) -> PostgresBindings {
            PostgresBindings(
                agency, cursor?.openedAtMicros, cursor?.id, filter.companyID, filter.applicantID, filter.consultantID, filter.kind, filter.stage,
                filter.status, filter.lateAsOf, limit)
        }
    }
}
