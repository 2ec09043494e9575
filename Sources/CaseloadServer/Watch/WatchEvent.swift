import CaseloadCore
import CaseloadProtocol
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

    enum CodingKeys: String, CodingKey {
        case kind
        case agencyID = "agency_id", companyID = "company_id", caseID = "case_id", deadlineID = "deadline_id", documentID = "document_id"
    }

    /// The notification params a subscriber receives (ids only; details are fetched with the
    /// subscriber's permissions before it is sent).
    func params(subscription: UUID) -> [String: JSONValue] {
        func id(_ u: UUID?) -> JSONValue { u.map { .string($0.uuidString.lowercased()) } ?? .null }
        return [
            "subscription_id": id(subscription), "kind": .string(kind), "company_id": id(companyID), "case_id": id(caseID),
            "deadline_id": id(deadlineID), "document_id": id(documentID),
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
