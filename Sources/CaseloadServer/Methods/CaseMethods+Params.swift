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

    /// `case.open`: whose case, of which kind, with the first stage's data.
    struct OpenParams: Decodable, Sendable {
        var applicantID: UUID
        var kind: String
        var data: [String: JSONValue]?
        var allowDuplicate: Bool?
        enum CodingKeys: String, CodingKey {
            case kind, data
            case applicantID = "applicant_id", allowDuplicate = "allow_duplicate"
        }
    }

    /// `case.advance`: the target stage, its data, and rules overridden (owners and managers).
    struct AdvanceParams: Decodable, Sendable {
        var id: UUID
        var version: Int
        var to: String
        var data: [String: JSONValue]?
        var override: OverrideParams?
    }

    /// The rules an override names, and why.
    struct OverrideParams: Decodable, Sendable {
        var rules: [String]
        var reason: String
    }

    /// `case.record`: data on the current stage.
    struct RecordParams: Decodable, Sendable {
        var id: UUID
        var version: Int
        var data: [String: JSONValue]
    }
}
