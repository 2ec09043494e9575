import CaseloadClient
import CaseloadProtocol
import Foundation
import Testing

/// A valid resident ID number (GB 11643) for a person born on `birth` (YYYYMMDD), numbered `n`.
func residentID(birth: String = "19900101", _ n: Int) -> String {
    let body = "310104" + birth + String(format: "%03d", n % 1000)
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    let sum = zip(body, weights).reduce(0) { $0 + Int(String($1.0))! * $1.1 }
    return body + String(Array("10X98765432")[sum % 11])
}

/// A company (activated unless told otherwise) and an applicant of it who meets the 120
/// standard (age 36 → 30, 本科+学士 → 90, 2 years of insurance → 6: 126).
struct Fixture {
    var companyID: JSONValue
    var applicantID: JSONValue
    var idNumber: String

    static func make(_ client: RPCClient, status: String = "activated", education: String = "bachelor_degree", n: Int = Int.random(in: 0..<1000))
        async throws -> Fixture
    {
        let company = try await client.call(
            "company.create", ["name": .string("测试公司\(n)"), "org_code": .string(orgCode(n)), "talent_center_status": .string(status)])
        let id = residentID(n)
        let applicant = try await client.call(
            "applicant.create",
            [
                "company_id": company["id"]!, "name": "张伟", "id_number": .string(id), "phone": "13900139000",
                "education_level": .string(education), "social_insurance_months": 24, "insurance_months_last_12": 12, "permit_received_date": "2026-01-05",
                "permit_expiry_date": "2030-01-05",
            ])
        return Fixture(companyID: company["id"]!, applicantID: applicant["id"]!, idNumber: id)
    }
}

extension RPCClient {
    /// Advances a case and returns the new case.
    func advance(_ c: JSONValue, to stage: String, data: JSONValue = [:], override: JSONValue? = nil) async throws -> JSONValue {
        var params: [String: JSONValue] = ["id": c["id"]!, "version": c["version"]!, "to": .string(stage), "data": data]
        if let override { params["override"] = override }
        return try await call("case.advance", .object(params))
    }
}

extension RPCClient {
    /// Receives every document the case's checklist is missing, in the required form; returns their ids.
    @discardableResult
    func receiveMissingDocuments(for c: JSONValue) async throws -> [JSONValue] {
        let checklist = try await call("case.checklist", ["id": c["id"]!])
        var ids: [JSONValue] = []
        for item in checklist["items"]?.arrayValue ?? [] where item["present"] == false {
            let doc = try await call(
                "document.receive",
                ["case_id": c["id"]!, "document_type": item["document_type"]!, "form": item["form"]!, "from": "王芳 (HR)"])
            ids.append(doc["id"]!)
        }
        return ids
    }

    /// Marks the applicant's personnel archive verified (it was already at the talent center).
    func verifyArchive(_ applicantID: JSONValue) async throws {
        let located = try await call(
            "archive.set", ["applicant_id": applicantID, "version": 0, "holder_type": "district_talent_center", "status": "at_talent_center"])
        _ = try await call("archive.set", ["applicant_id": applicantID, "version": located["version"]!, "status": "verified"])
    }
}

/// Current versions, for tests whose subject is not concurrency (the change methods take them).
extension RPCClient {
    func documentVersion(_ id: JSONValue) async throws -> JSONValue {
        try await call("document.where", ["id": id])["document"]!["version"]!
    }

    func deadlineVersion(_ id: JSONValue) async throws -> JSONValue {
        try await call("deadline.explain", ["id": id])["deadline"]!["version"]!
    }

    func archiveVersion(_ applicantID: JSONValue) async throws -> JSONValue {
        try await call("archive.show", ["applicant_id": applicantID])["version"]!
    }

    func userVersion(_ id: JSONValue) async throws -> JSONValue {
        try await call("user.list")["users"]!.arrayValue!.first { $0["id"]?.stringValue == id.stringValue?.lowercased() }!["version"]!
    }
}
