import CaseloadProtocol
import CaseloadServer
import CaseloadStorage
import Foundation
import Testing

/// Every method `rpc.discover` lists, called with agency A's ids by a user of agency B and by
/// a consultant of A not assigned to the company: refused or not found, never A's data. The
/// matrix comes from the registry, so a new method is covered without touching this file.
@Suite("Tenant-isolation matrix")
struct TenantMatrixTests {
    /// Agency A's things, and the strings that would betray a leak.
    struct Target {
        var ids: [String: JSONValue]
        /// Text that must never reach agency B.
        var agencyMarkers: [String]
        /// Text that must never reach an unassigned consultant of A.
        var companyMarkers: [String]
    }

    static func makeTarget(_ server: TestServer, agency a: AdminStore.Created) async throws -> Target {
        let tag = String(UUID().uuidString.prefix(6))
        return try await server.withClient(token: a.token) { c in
            let company = try await c.call(
                "company.create", ["name": .string("机密公司\(tag)"), "org_code": .string(orgCode(Int.random(in: 0..<1000))), "talent_center_status": "activated"])
            let applicant = try await c.call(
                "applicant.create",
                ["company_id": company["id"]!, "name": .string("秘密\(tag)"), "id_number": .string(residentID(Int.random(in: 0..<1000))),
                 "permit_expiry_date": "2030-01-05"])
            let kase = try await c.call("case.open", ["applicant_id": applicant["id"]!, "kind": "points_new"])
            let location = "S\(tag.prefix(4))".uppercased()
            _ = try await c.call("location.add", ["code": .string(location), "name": "柜", "kind": "office"])
            let document = try await c.call(
                "document.receive", ["case_id": kase["id"]!, "document_type": "graduation_certificate", "form": "original", "from": "HR", "location": .string(location)])
            let deadline = try await c.call("deadline.add", ["case_id": kase["id"]!, "title": .string("截止\(tag)"), "due_date": "2027-03-01"])
            let imported = try await c.call("import.begin", ["kind": "applicants"])
            let token = try await c.call("token.list")["tokens"]!.arrayValue!.first!["id"]!
            let ids: [String: JSONValue] = [
                "company": company["id"]!, "applicant": applicant["id"]!, "case": kase["id"]!, "document": document["id"]!,
                "deadline": deadline["id"]!, "import": imported["import_id"] ?? imported["id"]!, "user": .string(a.userID.uuidString.lowercased()),
                "token": token, "location": .string(location),
            ]
            let companyIDs = ["company", "applicant", "case", "document", "deadline"].compactMap { ids[$0]?.stringValue }
            return Target(
                ids: ids,
                agencyMarkers: companyIDs + [ids["import"]!.stringValue!, a.agencyID.uuidString.lowercased(), "机密公司\(tag)", "秘密\(tag)", "截止\(tag)"],
                companyMarkers: companyIDs + ["机密公司\(tag)", "秘密\(tag)", "截止\(tag)"])
        }
    }

    /// A value of `schema`'s type, for filling required params.
    static func sample(_ schema: Schema) -> JSONValue {
        switch schema {
        case .string(let rules):
            if let first = rules.enumValues?.first { return .string(first) }
            switch rules.format {
            case .uuid?, .uuidOrPrefix?: return .string(UUID().uuidString)
            case .date?: return "2026-12-01"
            case .dateTime?: return "2026-12-01T00:00:00Z"
            case nil: return .string(String(repeating: "x", count: max(rules.minLength ?? 1, 1)))
            }
        case .integer(let minimum, _): return .int(max(minimum ?? 1, 1))
        case .boolean: return false
        case .object: return [:]
        case .array: return []
        case .nullable(let inner): return sample(inner)
        case .any: return [:]
        }
    }

    /// Params aimed at agency A: every param that names one of A's things gets its id,
    /// other required params a sample of their type.
    static func params(for method: RPCMethod, target: Target) -> JSONValue {
        let prefix = String(method.name.prefix { $0 != "." })
        var params: [String: JSONValue] = [:]
        for p in method.params {
            let entity: String? =
                switch p.name {
                case "id": prefix
                case "code": "location"
                case "consultant_id": "user"
                default: p.name.hasSuffix("_id") ? String(p.name.dropLast(3)) : nil
                }
            if let entity, let id = target.ids[entity] {
                params[p.name] = id
            } else if p.required {
                params[p.name] = sample(p.schema)
            }
        }
        return .object(params)
    }

    /// Methods that change the connection itself rather than touch data.
    static let sessionMethods: Set<String> = ["auth.login", "auth.logout"]

    @Test("agency B's owner and A's unassigned consultant get nothing of A from any method")
    func matrix() async throws {
        let server = try await TestServer.shared()
        let a = try await server.database.createAgency()
        let b = try await server.database.createAgency()
        let outsider = try await server.database.admin { connection in
            try await AdminStore.createUser(agency: a.agencyID, name: "别的顾问", role: .consultant, on: connection, logger: TestDatabase.logger).token
        }
        let target = try await Self.makeTarget(server, agency: a)
        let registry = Application.makeRegistry()
        var covered = 0
        for (token, markers, who) in [(b.token, target.agencyMarkers, "agency B"), (outsider, target.companyMarkers, "A's unassigned consultant")] {
            try await server.withClient(token: token) { c async throws in
                for method in registry.all where method.access == .authenticated && !Self.sessionMethods.contains(method.name) {
                    let params = Self.params(for: method, target: target)
                    let reply: String
                    do {
                        reply = WireJSON.string(try await c.call(method.name, params))
                    } catch let error as RPCError {
                        reply = error.message + WireJSON.string(error.data ?? .null)
                    }
                    for marker in markers {
                        #expect(!reply.contains(marker), "\(who) got A's data from \(method.name) \(WireJSON.string(params))")
                    }
                    covered += 1
                }
            }
        }
        #expect(covered > 2 * 60)
        // A's data is all still there and unchanged for A.
        try await server.withClient(token: a.token) { c async throws in
            #expect(try await c.call("case.get", ["id": target.ids["case"]!])["version"] == 1)
            #expect(try await c.call("company.get", ["id": target.ids["company"]!])["version"] == 1)
        }
    }
}
