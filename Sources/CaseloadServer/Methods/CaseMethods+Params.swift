import CaseloadCore
import CaseloadProtocol
import CaseloadStorage
import Foundation
import PostgresNIO

/// The params of the case methods, as the handlers decode them.
extension CaseMethods {
    struct CaseListParams: Decodable, Sendable {
        var limit: Int?
        var cursor: String?
        var companyID: UUID?
        var consultantID: UUID?
        var applicantID: UUID?
        var kind: String?
        var stage: String?
        var status: String?
        var late: Bool?
        enum CodingKeys: String, CodingKey {
            case limit, cursor, kind, stage, status, late
            case companyID = "company_id", consultantID = "consultant_id", applicantID = "applicant_id"
        }
    }

    struct NoteParams: Decodable, Sendable {
        var id: UUID
        var text: String
    }

    struct KindParams: Decodable, Sendable {
        var kind: String?
    }

    struct TimeAllowedParams: Decodable, Sendable {
        var kind: String
        var stage: String
        var days: Int?
    }

    struct LimitParams: Decodable, Sendable {
        var limit: Int?
    }
}
