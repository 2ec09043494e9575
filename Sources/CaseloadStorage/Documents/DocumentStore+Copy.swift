import CaseloadCore
import Foundation
import PostgresNIO

extension DocumentStore {
    /// One paper for `copyNew`, its id chosen by the caller, with the movements it has had.
    public struct NewDocument: Sendable {
        public var id: UUID
        public var type: String
        public var form: DocumentForm
        public var companyID: UUID
        public var applicantID: UUID?
        public var caseID: UUID?
        /// Oldest first; the last one's holder is the paper's holder.
        public var movements: [(event: CustodyEvent, holder: Holder)]

        public init(
            id: UUID, type: String, form: DocumentForm, companyID: UUID, applicantID: UUID?, caseID: UUID?, movements: [(event: CustodyEvent, holder: Holder)]
        ) {
            (self.id, self.type, self.form, self.companyID, self.applicantID, self.caseID) = (id, type, form, companyID, applicantID, caseID)
            self.movements = movements
        }
    }

    /// Adds papers and their custody ledgers with `COPY`, as `create` and `append` write them
    /// one movement at a time: for loading many at once (demo and benchmark data). Movements
    /// are recorded by `user`.
    public func copyNew(_ documents: [NewDocument], user: UUID) async throws {
        guard !documents.isEmpty else { return }
        let agency = self.agency
        let holders = try documents.map { try $0.movements.last.map { try Self.json($0.holder) } }
        let received = Date()
        try await connection.copy(
            into: "documents",
            columns: ["agency_id", "document_id", "company_id", "applicant_id", "case_id", "document_type", "form", "holder", "holder_kind", "holder_since"],
            rows: zip(documents, holders), logger: logger
        ) { item, text in
            let (d, holder) = item
            text.field(agency); text.field(d.id); text.field(d.companyID); text.field(d.applicantID); text.field(d.caseID)
            text.field(d.type); text.field(d.form.rawValue); text.field(holder); text.field(d.movements.last?.holder.kind)
            text.field(d.movements.isEmpty ? nil : received)
        }
        var events: [(document: UUID, seq: Int, event: String, holder: String)] = []
        for d in documents {
            for (index, movement) in d.movements.enumerated() {
                events.append((d.id, index + 1, try Self.json(movement.event), try Self.json(movement.holder)))
            }
        }
        try await connection.copy(
            into: "custody_events", columns: ["agency_id", "document_id", "seq", "user_id", "event", "holder"], rows: events, logger: logger
        ) { e, text in
            text.field(agency); text.field(e.document); text.field(e.seq); text.field(user); text.field(e.event); text.field(e.holder)
        }
    }
}
