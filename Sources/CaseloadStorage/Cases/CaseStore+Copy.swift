import CaseloadCore
import Foundation
import PostgresNIO

extension CaseStore {
    /// One case for `copyNew`, its id chosen by the caller.
    public struct NewCase: Sendable {
        public var id: UUID
        public var applicantID: UUID
        public var companyID: UUID
        public var state: CaseState
        public var stageEnteredAt: Date
        public var stageDueAt: Date?

        public init(id: UUID, applicantID: UUID, companyID: UUID, state: CaseState, stageEnteredAt: Date, stageDueAt: Date?) {
            (self.id, self.applicantID, self.companyID, self.state) = (id, applicantID, companyID, state)
            (self.stageEnteredAt, self.stageDueAt) = (stageEnteredAt, stageDueAt)
        }
    }

    /// Adds cases and each one's first history entry (`open`, by `user`, with `data`) with
    /// `COPY`, as `open` writes them one at a time: for loading many at once (demo and
    /// benchmark data).
    public func copyNew(_ cases: [NewCase], user: UUID, data: String) async throws {
        guard !cases.isEmpty else { return }
        let agency = self.agency
        let states = try cases.map { try Self.json($0.state) }
        try await connection.copy(
            into: "cases",
            columns: ["agency_id", "case_id", "applicant_id", "company_id", "kind", "stage", "status", "state", "stage_entered_at", "stage_due_at", "closed_at"],
            rows: zip(cases, states), logger: logger
        ) { item, text in
            let (c, state) = item
            text.field(agency); text.field(c.id); text.field(c.applicantID); text.field(c.companyID)
            text.field(c.state.kind); text.field(c.state.stage); text.field(c.state.status.rawValue); text.field(state)
            text.field(c.stageEnteredAt); text.field(c.stageDueAt)
            text.field(c.state.status == .closed || c.state.status == .withdrawn ? c.stageEnteredAt : nil)
        }
        try await connection.copy(
            into: "case_history", columns: ["agency_id", "case_id", "seq", "user_id", "action", "to_stage", "data", "overrides"], rows: cases,
            logger: logger
        ) { c, text in
            text.field(agency); text.field(c.id); text.field(1); text.field(user); text.field("open"); text.field(c.state.stage)
            text.field(data); text.field("{}")
        }
    }
}
