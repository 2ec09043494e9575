import CaseloadClient
import CaseloadProtocol
import Foundation
import Testing

@Suite("Documents held, custody, locations and archives")
struct DocumentTests {
    func holder(_ client: RPCClient, _ id: JSONValue) async throws -> JSONValue? {
        try await client.call("document.where", ["id": id])["document"]?["holder"]
    }

    @Test("custody round trip: received → stored → handed to the talent center → collected → returned, the ledger checked at each step")
    func custodyRoundTrip() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            let f = try await Fixture.make(client, n: 1001)
            _ = try await client.call("location.add", ["code": "SH-1", "name": "上海办公室", "kind": "office"])
            _ = try await client.call("location.add", ["code": "cab-2", "name": "二号柜", "kind": "cabinet", "parent": "SH-1"])
            var d = try await client.call(
                "document.receive",
                ["applicant_id": f.applicantID, "document_type": "graduation_certificate", "form": "original", "from": "张伟", "description": "本科毕业证书"])
            #expect(d["holder"]?["kind"] == "agency")
            #expect(d["holder"]?["location_code"] == .null)
            #expect(d["company_id"] == f.companyID)
            let id = d["id"]!

            let received = d
            d = try await client.call("document.move", ["id": id, "version": d["version"]!, "location": "CAB-2"])
            #expect(d["holder"]?["location_code"] == "CAB-2")
            #expect(d["version"]?.intValue == (received["version"]?.intValue ?? 0) + 1)
            // A move based on what the client saw before it: refused with the current version, nothing changed.
            let stale = await expectRPCError(.conflict) {
                _ = try await client.call("document.handover", ["id": id, "version": received["version"]!, "authority": "talent_center"])
            }
            #expect(stale?.data?["current_version"] == d["version"])
            #expect(try await client.call("document.where", ["id": id])["trail"]?.arrayValue?.count == 2)
            d = try await client.call("document.handover", ["id": id, "version": d["version"]!, "authority": "talent_center", "receipt_number": "SJ-001"])
            #expect(d["holder"]?["kind"] == "talent_center")
            #expect(try await client.call("location.show", ["code": "SH-1"])["documents"] == [])
            d = try await client.call("document.forward", ["id": id, "version": d["version"]!, "to": "city_verification_center"])
            d = try await client.call("document.forward", ["id": id, "version": d["version"]!, "to": "talent_center"])
            d = try await client.call("document.collect", ["id": id, "version": d["version"]!, "authority": "talent_center"])
            #expect(d["holder"]?["kind"] == "agency")
            d = try await client.call("document.return", ["id": id, "version": d["version"]!, "to": "张伟", "signed_by": "张伟"])
            #expect(d["holder"]?["kind"] == "returned")

            let trail = try await client.call("document.where", ["id": id])["trail"]?.arrayValue ?? []
            #expect(trail.compactMap { $0["event"]?["event"]?.stringValue } == ["received", "stored", "handed_over", "forwarded", "forwarded", "collected", "returned"])
            #expect(trail.map { $0["seq"] } == (1...7).map { .int(Int64($0)) })
            #expect(trail[2]["event"]?["receipt_number"] == "SJ-001")
            #expect(trail.allSatisfy { $0["user_name"] == "owner" })
            // The ledger is append-only for the server's role.
            let canEdit = try await server.database.admin { connection in
                try await connection.query(
                    "SELECT has_table_privilege('caseload_app', 'custody_events', 'UPDATE') OR has_table_privilege('caseload_app', 'custody_events', 'DELETE') OR has_column_privilege('caseload_app', 'documents', 'document_type', 'UPDATE')",
                    logger: TestDatabase.logger
                ).collect().first!.decode(Bool.self)
            }
            #expect(canEdit == false)
        }
    }

    @Test("movements that contradict where a paper is are refused and change nothing")
    func contradictions() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            let f = try await Fixture.make(client, n: 1002)
            _ = try await client.call("location.add", ["code": "B1", "name": "盒子", "kind": "box"])
            let id = try await client.call(
                "document.receive", ["applicant_id": f.applicantID, "document_type": "degree_certificate", "form": "original", "from": "张伟"])["id"]!
            _ = try await client.call("document.handover", ["id": id, "version": try await client.documentVersion(id), "authority": "talent_center"])
            let version = try await client.documentVersion(id)
            for (method, params) in [
                ("document.return", ["id": id, "version": version, "to": "张伟", "signed_by": "张伟"]),
                ("document.move", ["id": id, "version": version, "location": "B1"]),
                ("document.handover", ["id": id, "version": version, "authority": "city_verification_center"]),
                ("document.collect", ["id": id, "version": version, "authority": "city_verification_center"]),
            ] as [(String, JSONValue)] {
                let e = await expectRPCError(.validationFailed) { _ = try await client.call(method, params) }
                #expect(e?.fieldRules.first?.rule == "custody", "\(method)")
            }
            #expect(try await holder(client, id)?["kind"] == "talent_center")
            #expect(try await client.call("document.where", ["id": id])["trail"]?.arrayValue?.count == 2)

            let e = await expectRPCError(.validationFailed) {
                _ = try await client.call("document.receive", ["company_id": f.companyID, "document_type": "id_card", "form": "original", "from": "x"])
            }
            #expect(e?.fieldRules.first?.field == "applicant_id")
            let collected = try await client.call("document.collect", ["id": id, "version": try await client.documentVersion(id), "authority": "talent_center"])
            let bad = await expectRPCError(.validationFailed) { _ = try await client.call("document.move", ["id": collected["id"]!, "version": collected["version"]!, "location": "NOPE"]) }
            #expect(bad?.fieldRules.first?.field == "location")
        }
    }

    @Test("checklist conditions: 专升本 adds the associate diploma, dispatch adds the dispatch agreement")
    func checklistConditions() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            let f = try await Fixture.make(client, n: 1003)
            let c = try await client.call("case.open", ["applicant_id": f.applicantID, "kind": "points_new"])
            func required() async throws -> Set<String> {
                Set((try await client.call("case.checklist", ["id": c["id"]!])["items"]?.arrayValue ?? []).compactMap { $0["document_type"]?.stringValue })
            }
            let base = try await required()
            #expect(!base.contains("associate_diploma") && !base.contains("dispatch_agreement"))
            _ = try await client.call("applicant.update", ["id": f.applicantID, "version": 1, "upgraded_from_associate": true, "dispatched": true])
            let more = try await required()
            #expect(more.subtracting(base) == ["associate_diploma", "dispatch_agreement"])

            // A copy does not satisfy an original; the original does.
            let checklist = try await client.call("case.checklist", ["id": c["id"]!])
            let missingBefore = checklist["missing"]?.intValue ?? 0
            _ = try await client.call("document.receive", ["applicant_id": f.applicantID, "document_type": "associate_diploma", "form": "copy", "from": "张伟"])
            let afterCopy = try await client.call("case.checklist", ["id": c["id"]!])["missing"]?.intValue ?? 0
            _ = try await client.call("document.receive", ["applicant_id": f.applicantID, "document_type": "associate_diploma", "form": "original", "from": "张伟"])
            let afterOriginal = try await client.call("case.checklist", ["id": c["id"]!])["missing"]?.intValue ?? 0
            #expect(afterCopy == missingBefore - 1)  // the copy line is satisfied
            #expect(afterOriginal == afterCopy - 1)  // and now the original line
        }
    }

    @Test("originals still out on a closed or withdrawn case are found exactly, and flagged on the case")
    func originalsOutOnFinishedCases() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            let f = try await Fixture.make(client, n: 1004)
            let c = try await client.call("case.open", ["applicant_id": f.applicantID, "kind": "points_new"])
            let open = try await client.call("case.open", ["applicant_id": f.applicantID, "kind": "points_renewal"])
            func receive(_ type: String, _ form: String, case c: JSONValue) async throws -> JSONValue {
                try await client.call("document.receive", ["case_id": c["id"]!, "document_type": .string(type), "form": .string(form), "from": "张伟"])["id"]!
            }
            let atCenter = try await receive("graduation_certificate", "original", case: c)
            _ = try await client.call("document.handover", ["id": atCenter, "version": try await client.documentVersion(atCenter), "authority": "talent_center"])
            let atAgency = try await receive("degree_certificate", "original", case: c)
            let returned = try await receive("id_card", "original", case: c)
            _ = try await client.call("document.return", ["id": returned, "version": try await client.documentVersion(returned), "to": "张伟", "signed_by": "张伟"])
            _ = try await receive("id_card", "copy", case: c)
            _ = try await receive("graduation_certificate", "original", case: open)  // its case is still open

            let withdrawn = try await client.call("case.withdraw", ["id": c["id"]!, "version": c["version"]!, "reason": "离职"])
            #expect(withdrawn["originals_still_out"] == 2)
            let found = try await client.call("document.list", ["finished_cases": true])["documents"]?.arrayValue ?? []
            #expect(Set(found.compactMap { $0["id"] }) == [atCenter, atAgency])
            let companyView = try await client.call("document.list", ["company_id": f.companyID, "finished_cases": true])["documents"]?.arrayValue
            #expect(companyView?.count == 2)
            #expect(try await client.call("case.get", ["id": open["id"]!])["originals_still_out"] == 0)
            let listed = try await client.call("case.list", ["status": "withdrawn"])["cases"]?.arrayValue ?? []
            #expect(listed.first?["originals_still_out"] == 2)

            // Out with an authority for more than N days.
            #expect(try await client.call("document.list", ["out_longer_than_days": 0])["documents"]?.arrayValue?.count == 1)
            #expect(try await client.call("document.list", ["out_longer_than_days": 30])["documents"] == [])
            #expect(try await client.call("document.list", ["holder": "agency", "form": "original"])["documents"]?.arrayValue?.count == 2)
        }
    }

    @Test("the location tree lists contents recursively, and a location holding documents cannot be deleted")
    func locations() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            let f = try await Fixture.make(client, n: 1005)
            _ = try await client.call("location.add", ["code": "OF", "name": "办公室", "kind": "office"])
            _ = try await client.call("location.add", ["code": "CAB", "name": "柜", "kind": "cabinet", "parent": "OF"])
            _ = try await client.call("location.add", ["code": "DR", "name": "抽屉", "kind": "drawer", "parent": "CAB"])
            var e = await expectRPCError(.validationFailed) {
                _ = try await client.call("location.add", ["code": "OF2", "name": "x", "kind": "office", "parent": "DR"])
            }
            #expect(e?.fieldRules.first?.rule == "containment")
            await expectRPCError(.conflict) { _ = try await client.call("location.add", ["code": "of", "name": "dup", "kind": "office"]) }
            e = await expectRPCError(.validationFailed) { _ = try await client.call("location.add", ["code": "柜子", "name": "x", "kind": "box"]) }
            #expect(e?.fieldRules.first?.field == "code")

            let doc = try await client.call(
                "document.receive",
                ["applicant_id": f.applicantID, "document_type": "labour_contract", "form": "original", "from": "张伟", "location": "DR"])
            #expect(doc["holder"]?["location_code"] == "DR")
            let office = try await client.call("location.show", ["code": "OF"])
            #expect(office["documents"]?.arrayValue?.map { $0["id"] } == [doc["id"]])
            let list = try await client.call("location.list")["locations"]?.arrayValue ?? []
            #expect(list.first { $0["code"] == "DR" }?["document_count"] == 1)
            #expect(list.first { $0["code"] == "DR" }?["parent_code"] == "CAB")

            e = await expectRPCError(.conflict) { _ = try await client.call("location.delete", ["code": "DR"]) }
            #expect(e?.fieldRules.first?.rule == "not_empty")
            await expectRPCError(.conflict) { _ = try await client.call("location.delete", ["code": "CAB"]) }
            _ = try await client.call("location.add", ["code": "EMPTY", "name": "空盒", "kind": "box", "parent": "CAB"])
            #expect(try await client.call("location.delete", ["code": "EMPTY"]) == true)
            await expectRPCError(.notFound) { _ = try await client.call("location.show", ["code": "EMPTY"]) }
        }
    }

    @Test("a personnel archive moves forward only, and every change is kept")
    func archives() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            let f = try await Fixture.make(client, n: 1006)
            var a = try await client.call("archive.show", ["applicant_id": f.applicantID])
            #expect(a["status"] == "unknown" && a["version"] == 0)
            a = try await client.call(
                "archive.set",
                ["applicant_id": f.applicantID, "version": 0, "holder_type": "district_employment_agency", "holder_name": "徐汇区职介所", "district": "徐汇", "status": "located"])
            #expect(a["version"] == 1)
            a = try await client.call("archive.set", ["applicant_id": f.applicantID, "version": a["version"]!, "status": "retrieval_requested", "note": "已发调档函"])
            let e = await expectRPCError(.validationFailed) { _ = try await client.call("archive.set", ["applicant_id": f.applicantID, "version": a["version"]!, "status": "located"]) }
            #expect(e?.fieldRules.first?.rule == "transition")
            // Someone else's change in between: a stale version is refused, naming the current one.
            let stale = await expectRPCError(.conflict) {
                _ = try await client.call("archive.set", ["applicant_id": f.applicantID, "version": 1, "status": "at_talent_center"])
            }
            #expect(stale?.data?["current_version"] == a["version"])
            #expect(try await client.call("archive.show", ["applicant_id": f.applicantID])["status"] == "retrieval_requested")
            a = try await client.call("archive.set", ["applicant_id": f.applicantID, "version": a["version"]!, "status": "at_talent_center"])
            a = try await client.call("archive.set", ["applicant_id": f.applicantID, "version": a["version"]!, "status": "verified"])
            #expect(a["status"] == "verified")
            #expect(a["holder_name"] == "徐汇区职介所")
            let history = a["history"]?.arrayValue ?? []
            #expect(history.compactMap { $0["to_status"]?.stringValue } == ["located", "retrieval_requested", "at_talent_center", "verified"])
            #expect(history[1]["note"] == "已发调档函")
            #expect(history[1]["from_status"] == "located")
        }
    }
}
