import CaseloadCore
import CaseloadClient
import CaseloadProtocol
import Foundation

/// Fills both agencies with data through the RPC API itself, before fuzzing: companies (valid
/// credit codes), users of every role (each with a token), assignments, applicants (valid ID
/// numbers), cases of every kind, documents at locations, deadlines, an archive, an import,
/// and a first page of each list (for cursors). Every reply is judged by the oracle and
/// harvested into the pool.
struct SemanticSetup {
    let catalog: MethodCatalog
    let pool: IDPool
    let recorder: CallRecorder
    var random: FuzzRandom

    /// Returns the sessions the fuzzer can log in as: each agency's owner and the users it made.
    mutating func run(host: String, port: Int, owners: [FuzzAgency: String]) async throws -> [FuzzSession] {
        var sessions: [FuzzSession] = []
        for agency in FuzzAgency.allCases {
            guard let token = owners[agency] else { continue }
            sessions.append(FuzzSession(agency: agency, role: "owner", token: token))
            sessions += try await fill(agency: agency, ownerToken: token, host: host, port: port)
        }
        return sessions
    }

    private mutating func fill(agency: FuzzAgency, ownerToken: String, host: String, port: Int) async throws -> [FuzzSession] {
        let owner = FuzzSession(agency: agency, role: "owner", token: ownerToken)
        var random = self.random
        defer { self.random = random }
        let catalog = self.catalog
        let pool = self.pool
        let recorder = self.recorder
        return try await RPCClient.withConnection(host: host, port: port) { client in
            func call(_ method: String, _ params: JSONValue = [:]) async throws -> JSONValue? {
                guard let spec = catalog[method] else { return nil }
                let response = try await client.send(method, params)
                return recorder.judge(PlannedCall(method: spec, params: params), session: owner, outcome: response.outcome)
            }
            guard let login = try await call("auth.login", ["token": .string(ownerToken)]), login["role"] == "owner" else {
                throw ServerFuzz.FuzzSetupError(description: "agency \(agency.rawValue): the owner token did not log in as an owner")
            }
            var protected: [String] = login["user_id"]?.stringValue.map { [$0] } ?? []
            _ = try await call("auth.whoami")
            _ = try await call("points.rules.list")
            let today = EdgeValues.today

            var companies: [String] = []
            for (i, status) in ["activated", "registered_online", "unregistered"].enumerated() {
                var params: [String: JSONValue] = [
                    "name": .string("上海语义测试\(agency.rawValue)\(i)有限公司 \(random.hex(4))"), "district": .string(random.pick(DomainValues.districts)),
                    "hr_name": .string(DomainValues.personName(&random)), "hr_phone": .string(DomainValues.phone(&random)),
                    "talent_center_status": .string(status),
                ]
                if let codes = DomainValues.creditCode(&random) {
                    params["credit_code"] = .string(codes.credit)
                    if i == 1 { params["org_code"] = .string(codes.org) }
                }
                if let id = try await call("company.create", .object(params))?["id"]?.stringValue { companies.append(id) }
            }
            guard let first = companies.first else {
                throw ServerFuzz.FuzzSetupError(description: "agency \(agency.rawValue): company.create failed")
            }

            var sessions: [FuzzSession] = []
            var users: [String: String] = [:]
            for role in ["manager", "consultant", "viewer", "client"] {
                var params: [String: JSONValue] = ["name": .string(DomainValues.personName(&random)), "role": .string(role)]
                if role == "client" { params["company_id"] = .string(first) }
                guard let created = try await call("user.create", .object(params)), let token = created["token"]?.stringValue,
                    let id = created["user"]?["id"]?.stringValue
                else { continue }
                users[role] = id
                protected.append(id)
                sessions.append(FuzzSession(agency: agency, role: role, token: token))
            }
            for (company, role) in [(first, "consultant"), (companies.last ?? first, "consultant"), (first, "viewer")] {
                if let user = users[role] { _ = try await call("company.assign", ["company_id": .string(company), "user_id": .string(user)]) }
            }

            var applicants: [String] = []
            for company in companies {
                for _ in 0..<2 {
                    let params: JSONValue = [
                        "company_id": .string(company), "name": .string(DomainValues.personName(&random)), "id_number": .string(DomainValues.idNumber(&random)),
                        "phone": .string(DomainValues.phone(&random)), "education_level": "bachelor_degree", "social_insurance_months": 24,
                        "permit_received_date": .string(today.adding(days: -200).iso), "permit_expiry_date": .string(today.adding(days: 165).iso),
                    ]
                    if let id = try await call("applicant.create", params)?["id"]?.stringValue { applicants.append(id) }
                }
            }
            let kinds = ["points_new", "points_renewal", "hukou_transfer", "talent_introduction"]
            var cases: [String] = []
            for (i, applicant) in applicants.enumerated() {
                if let id = try await call("case.open", ["applicant_id": .string(applicant), "kind": .string(kinds[i % kinds.count])])?["id"]?.stringValue {
                    cases.append(id)
                }
            }
            _ = try await call("location.add", ["code": .string("OFF\(agency.rawValue)"), "name": "办公室", "kind": "office"])
            _ = try await call("location.add", ["code": .string("CAB\(agency.rawValue)"), "name": "二号柜", "kind": "cabinet", "parent": .string("OFF\(agency.rawValue)")])
            for c in cases.prefix(3) {
                if let document = try await call("document.receive", ["case_id": .string(c), "document_type": "id_card", "form": "original", "from": "王芳 (HR)"]),
                    let id = document["id"]?.stringValue, let version = document["version"]
                {
                    _ = try await call("document.move", ["id": .string(id), "version": version, "location": .string("CAB\(agency.rawValue)")])
                }
                _ = try await call("deadline.add", ["case_id": .string(c), "title": "补交材料", "due_date": .string(today.adding(days: 10).iso)])
            }
            _ = try await call("document.receive", ["company_id": .string(first), "document_type": "business_licence", "form": "copy", "from": "王芳"])
            if let applicant = applicants.first {
                _ = try await call("archive.set", ["applicant_id": .string(applicant), "version": 0, "holder_type": "district_talent_center", "status": "located"])
                _ = try await call("archive.show", ["applicant_id": .string(applicant)])
                _ = try await call("applicant.estimate", ["id": .string(applicant)])
            }
            _ = try await call("import.begin", ["kind": "applicants"])
            _ = try await call("watch.subscribe")
            // First pages, for their cursors; the lists, for ids and versions.
            for method in ["company.list", "applicant.list", "case.list", "audit.list"] { _ = try await call(method, ["limit": 1]) }
            _ = try await call("report.company", ["company_id": .string(first), "format": "json", "page_size": 1])
            _ = try await call("report.caseload", ["format": "csv", "page_size": 1])
            for method in ["user.list", "deadline.list", "document.list", "location.list", "case.time_allowed", "calendar.list", "settings.get"] {
                _ = try await call(method)
            }
            // The tokens that exist now are the fuzzer's own: never revoked.
            if let tokens = try await call("token.list")?["tokens"]?.arrayValue {
                protected += tokens.compactMap { $0["id"]?.stringValue }
            }
            pool.protect(protected)
            return sessions
        }
    }
}
