import CaseloadClient
import CaseloadProtocol
import Foundation
import Testing

/// Bulk calls: one transaction each, a result per item, idempotent.
@Suite("Bulk work over TCP")
struct BulkTests {
    @Test("several cases advanced at once: each advanced, already there or refused naming its rule; again changes nothing")
    func advanceMany() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            var cases: [JSONValue] = []
            for n in 0..<3 {
                let f = try await Fixture.make(client, n: 731 + n)
                cases.append(try await client.call("case.open", ["applicant_id": f.applicantID, "kind": "points_new"]))
            }
            // The second is there already; a renewal has no such stage.
            _ = try await client.advance(cases[1], to: "employer_ready")
            let renewal = try await client.call("case.open", ["applicant_id": try await Fixture.make(client, n: 735).applicantID, "kind": "points_renewal"])
            let ids = (cases + [renewal]).map { $0["id"]! }
            let first = try await client.call("case.advance_many", ["ids": .array(ids), "to": "employer_ready"])
            let results = first["results"]?.arrayValue ?? []
            #expect(results.map { $0["result"] } == ["advanced", "already_there", "advanced", "refused"])
            #expect(results.map { $0["id"] } == ids)
            #expect(first["advanced"] == 2)
            #expect(results[3]["errors"]?.arrayValue?.first?["rule"] == "transition")
            #expect(results[3]["stage"] == "information_updated")
            #expect(try await client.call("case.get", ["id": ids[0]])["stage"] == "employer_ready")
            let again = try await client.call("case.advance_many", ["ids": .array(ids), "to": "employer_ready"])
            #expect(again["advanced"] == 0)
            #expect(again["results"]?.arrayValue?.map { $0["result"] } == ["already_there", "already_there", "already_there", "refused"])
            #expect(try await client.call("case.get", ["id": ids[0]])["version"] == results[0]["version"])
        }
    }

    @Test("a list naming a case the caller may not touch, or none at all, refuses the whole call and changes nothing")
    func refusedWhole() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        let (mine, theirs) = try await server.withClient(token: agency.token) { client async throws in
            let a = try await Fixture.make(client, n: 741)
            let b = try await Fixture.make(client, n: 742)
            return (
                (a, try await client.call("case.open", ["applicant_id": a.applicantID, "kind": "points_new"])),
                try await client.call("case.open", ["applicant_id": b.applicantID, "kind": "points_new"]))
        }
        let consultant = try await AdminStoreHelper.consultant(of: mine.0.companyID, agency: agency, server: server)
        try await server.withClient(token: consultant) { client async throws in
            // Another company's case is not there for them, as in case.get.
            let refused = await expectRPCError(.notFound) {
                _ = try await client.call("case.advance_many", ["ids": [mine.1["id"]!, theirs["id"]!], "to": "employer_ready"])
            }
            #expect(refused != nil)
            let unknown = await expectRPCError(.notFound) {
                _ = try await client.call("case.advance_many", ["ids": [mine.1["id"]!, .string(UUID().uuidString)], "to": "employer_ready"])
            }
            #expect(unknown != nil)
            #expect(try await client.call("case.get", ["id": mine.1["id"]!])["version"] == 1)
            let tooMany = await expectRPCError(.invalidParams) {
                _ = try await client.call("case.advance_many", ["ids": .array(Array(repeating: mine.1["id"]!, count: 201)), "to": "employer_ready"])
            }
            #expect(tooMany?.fieldRules.first?.field == "ids")
        }
    }

    @Test("several dates marked done at once, idempotent; a cancelled one is refused; a case's missing papers received at once, once")
    func doneAndReceive() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient(token: agency.token) { client async throws in
            let f = try await Fixture.make(client, n: 751)
            let c = try await client.call("case.open", ["applicant_id": f.applicantID, "kind": "points_new"])
            let applicantDates = try await client.call("deadline.list", ["applicant_id": f.applicantID])["deadlines"]?.arrayValue ?? []
            let open = applicantDates.filter { $0["state"] == "open" }.prefix(2).map { $0["id"]! }
            #expect(open.count == 2)
            let manual = try await client.call("deadline.add", ["case_id": c["id"]!, "title": "补材料", "due_date": "2026-12-31"])
            _ = try await client.call("deadline.waive", ["id": manual["id"]!, "version": manual["version"]!, "reason": "不需要"])
            let first = try await client.call("deadline.done_many", ["ids": .array(Array(open) + [manual["id"]!]), "reason": "批量"])
            #expect(first["results"]?.arrayValue?.map { $0["result"] } == ["done", "done", "refused"])
            #expect(first["done"] == 2)
            let again = try await client.call("deadline.done_many", ["ids": .array(Array(open))])
            #expect(again["results"]?.arrayValue?.map { $0["result"] } == ["already_done", "already_done"])

            let before = try await client.call("case.checklist", ["id": c["id"]!])
            let missing = before["missing"]?.intValue ?? 0
            #expect(missing > 0)
            let received = try await client.call("document.receive_missing", ["case_id": c["id"]!, "from": "王芳 (HR)"])
            #expect(received["received"]?.intValue == missing)
            #expect(received["missing"] == 0)
            #expect(try await client.call("case.checklist", ["id": c["id"]!])["complete"] == true)
            let twice = try await client.call("document.receive_missing", ["case_id": c["id"]!, "from": "王芳 (HR)"])
            #expect(twice["received"] == 0)
            #expect(twice["results"]?.arrayValue?.allSatisfy { $0["result"] == "already_held" } == true)
            let wrong = await expectRPCError(.validationFailed) {
                _ = try await client.call("document.receive_missing", ["case_id": c["id"]!, "from": "x", "types": ["dispatch_agreement"]])
            }
            #expect(wrong?.fieldRules.map(\.rule) == ["not_required"])
        }
    }
}

extension BulkTests {
    @Test("the CLI's bulk commands: doc receive --all-missing, case advance-many, deadline done-many, with ids as lists print them")
    func cli() async throws {
        let s = try await CLICaseTests.Session.make()
        let (a, b) = try await s.server.withClient(token: s.token) { client async throws in
            let fa = try await Fixture.make(client, n: 761)
            let fb = try await Fixture.make(client, n: 762)
            return (
                try await client.call("case.open", ["applicant_id": fa.applicantID, "kind": "points_new"]),
                try await client.call("case.open", ["applicant_id": fb.applicantID, "kind": "points_new"]))
        }
        let short = { (c: JSONValue) in String(c["id"]?.stringValue?.prefix(8) ?? "") }
        let received = try await s.ok(["doc", "receive", "--case", short(a), "--all-missing", "--from", "王芳 (HR)"]).stdout
        #expect(received.contains("received") && received.contains("still missing 0"))
        #expect(try await s.json(["case", "checklist", short(a)])["complete"] == true)
        let refused = try await s.run(["doc", "receive", "--all-missing", "--from", "x"])
        #expect(refused.status == 64 && refused.stderr.contains("--all-missing needs --case"))
        let moved = try await s.ok(["case", "advance-many", short(a), short(b), "--to", "employer_ready"]).stdout
        #expect(moved.contains("advanced 2"))
        let dates = try await s.json(["deadline", "list", "--case", try #require(a["id"]?.stringValue)]).arrayValue ?? []
        let open = dates.filter { $0["state"] == "open" }.compactMap { $0["id"]?.stringValue.map { String($0.prefix(8)) } }
        let done = try await s.ok(["deadline", "done-many"] + open).stdout
        #expect(done.contains("done \(open.count)"))
    }
}

extension BulkTests {
    @Test("a mistaken custody move is reversed by a compensating entry, over TCP and with caseload doc undo; the trail keeps both")
    func correction() async throws {
        let s = try await CLICaseTests.Session.make()
        let (document, id) = try await s.server.withClient(token: s.token) { client async throws in
            let f = try await Fixture.make(client, n: 771)
            let c = try await client.call("case.open", ["applicant_id": f.applicantID, "kind": "points_new"])
            let d = try await client.call("document.receive", ["case_id": c["id"]!, "document_type": "graduation_certificate", "form": "original", "from": "王芳 (HR)"])
            // The receipt itself is not corrected (the paper would be nowhere): refused, nothing written.
            let first = await expectRPCError(.validationFailed) {
                _ = try await client.call("document.correct", ["id": d["id"]!, "version": d["version"]!, "reason": "收错了"])
            }
            #expect(first?.fieldRules.map(\.rule) == ["custody"])
            #expect(try await client.call("document.where", ["id": d["id"]!])["trail"]?.arrayValue?.count == 1)
            let out = try await client.call("document.handover", ["id": d["id"]!, "version": d["version"]!, "authority": "talent_center"])
            #expect(out["holder"]?["kind"] == "talent_center")
            let back = try await client.call("document.correct", ["id": d["id"]!, "version": out["version"]!, "reason": "递交记错了"])
            #expect(back["holder"]?["kind"] == "agency")
            let trail = try await client.call("document.where", ["id": d["id"]!])["trail"]?.arrayValue ?? []
            #expect(trail.map { $0["event"]?["event"] } == ["received", "handed_over", "corrected"])
            #expect(trail.last?["event"]?["reverses"] == 2)
            // Not a correction of a correction.
            let again = await expectRPCError(.validationFailed) {
                _ = try await client.call("document.correct", ["id": d["id"]!, "version": back["version"]!, "reason": "x"])
            }
            #expect(again?.fieldRules.map(\.rule) == ["custody"])
            // Handed over again, then undone through the CLI.
            let out2 = try await client.call("document.handover", ["id": d["id"]!, "version": back["version"]!, "authority": "talent_center"])
            return (out2, try #require(d["id"]?.stringValue))
        }
        #expect(document["holder"]?["kind"] == "talent_center")
        let undone = try await s.json(["doc", "undo", String(id.prefix(8)), "--reason", "又记错了"])
        #expect(undone["holder"]?["kind"] == "agency")
        let trail = try await s.ok(["doc", "where", String(id.prefix(8)), "--lang", "zh"]).stdout
        #expect(trail.contains("更正") && trail.contains("又记错了"))
    }
}
