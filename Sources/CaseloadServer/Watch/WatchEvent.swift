import CaseloadCore
import CaseloadProtocol
import CaseloadStorage
import Foundation

/// One change as PostgreSQL announced it (schema/009): kinds and ids only.
struct WatchEvent: Sendable, Decodable {
    /// The kinds a subscriber may ask for.
    static let kinds = ["case_changed", "deadline_due", "deadline_missed", "deadline_changed", "document_moved"]

    var agencyID: UUID
    var kind: String
    var companyID: UUID?
    var caseID: UUID?
    var deadlineID: UUID?
    var documentID: UUID?
    /// Who made the change (nil: the server's own jobs, or a server older than schema/015).
    var userID: UUID?

    enum CodingKeys: String, CodingKey {
        case kind
        case agencyID = "agency_id", companyID = "company_id", caseID = "case_id", deadlineID = "deadline_id", documentID = "document_id"
        case userID = "user_id"
    }

    /// The notification params a subscriber receives: the ids, and the names a line shows,
    /// read with the subscriber's permissions before it is sent (`names`).
    func params(subscription: UUID, names: [String: JSONValue]) -> [String: JSONValue] {
        func id(_ u: UUID?) -> JSONValue { u.map { .string($0.lowercasedString) } ?? .null }
        let ids: [String: JSONValue] = [
            "subscription_id": id(subscription), "kind": .string(kind), "company_id": id(companyID), "case_id": id(caseID),
            "deadline_id": id(deadlineID), "document_id": id(documentID), "user_id": id(userID),
        ]
        return ids.merging(names) { id, _ in id }
    }

    /// The names of what the event is about, as `names` found them: the applicant (the
    /// case's, else the deadline's or the document's: a permit deadline has no case), the
    /// company (short), the case's kind and stage, the deadline's title in each language, and
    /// who acted. Null where there is none.
    func names(from names: NameStore.Names) -> [String: JSONValue] {
        func text(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
        let caseName = caseID.flatMap { names.cases[$0] }
        let deadline = deadlineID.flatMap { names.deadlines[$0] }
        let title = deadline.map { DeadlineTitle(rule: $0.ruleID, stored: $0.title) }
        let applicant = caseName?.applicantName ?? deadline?.applicantName ?? documentID.flatMap { names.documentApplicants[$0] }
        let stage = caseName?.stageEntry
        return [
            "applicant_name": text(applicant), "company_short_name": text(companyID.flatMap { names.companies[$0] }.map(CompanyName.short)),
            "deadline_title_zh": text(title?.chinese), "deadline_title_en": text(title?.english),
            "case_kind": text(caseName?.kind), "case_stage": text(caseName?.stage),
            "case_stage_name_zh": text(stage?.chineseName), "case_stage_name_en": text(stage?.englishName),
            "by": text(userID.flatMap { names.users[$0] }),
        ]
    }
}

/// What a subscription follows.
enum WatchScope: Sendable, Equatable {
    /// Everything the subscriber may see (a consultant: their companies).
    case caseload
    case company(UUID)
    case `case`(UUID)

    func matches(_ event: WatchEvent) -> Bool {
        switch self {
        case .caseload: true
        case .company(let id): event.companyID == id
        case .case(let id): event.caseID == id
        }
    }
}
