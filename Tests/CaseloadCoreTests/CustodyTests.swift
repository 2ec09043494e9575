import CaseloadCore
import Foundation
import Testing

@Suite struct CustodyTests {
    /// The custody issue `event` raises on `holder`; fails the test when it is accepted.
    func refusal(_ event: CustodyEvent, on holder: Holder?) -> FieldIssue? {
        let found = issue { try CustodyMachine.apply(event, to: holder) }
        #expect(found != nil, "\(event) on \(String(describing: holder)) should be refused")
        return found
    }

    @Test func diplomaRoundTrip() throws {
        var holder: Holder? = nil
        holder = try CustodyMachine.apply(.received(from: "张三"), to: holder)
        #expect(holder == .agency(locationCode: nil))
        holder = try CustodyMachine.apply(.stored(location: "cab-2"), to: holder)
        #expect(holder == .agency(locationCode: "CAB-2"), "the code is normalised")
        holder = try CustodyMachine.apply(.handedOver(authority: .talentCenter, receiptNumber: "SJ-2026-0001"), to: holder)
        #expect(holder == .talentCenter)
        #expect(holder?.isOutWithAuthority == true)
        #expect(holder?.isAvailable == false)
        holder = try CustodyMachine.apply(.collected(authority: .talentCenter), to: holder)
        #expect(holder == .agency(locationCode: nil))
        holder = try CustodyMachine.apply(.returned(to: "张三", signedBy: "张三"), to: holder)
        #expect(holder == .returned)
        #expect(holder?.isOutWithAuthority == false)
        // The client may bring it back (a resubmission): received again.
        holder = try CustodyMachine.apply(.received(from: "张三"), to: holder)
        #expect(holder == .agency(locationCode: nil))
    }

    @Test func ledgerFolds() throws {
        let ledger: [CustodyEvent] = [
            .received(from: "李四"), .stored(location: "A1"), .moved(location: "B2"),
            .handedOver(authority: .talentCenter, receiptNumber: nil), .forwarded(to: .cityVerificationCenter),
            .forwarded(to: .talentCenter), .collected(authority: .talentCenter), .stored(location: "A1"),
        ]
        #expect(try CustodyMachine.current(ledger) == .agency(locationCode: "A1"))
        #expect(try CustodyMachine.current([]) == nil)
        let bad = issue { try CustodyMachine.current([.received(from: "李四"), .received(from: "李四")]) }
        #expect(bad?.field == "event")
        #expect(bad?.message.hasPrefix("event 2:") == true)
    }

    @Test func contradictionsAreRefused() {
        let atCenter = refusal(.returned(to: "张三", signedBy: "张三"), on: .talentCenter)
        #expect(atCenter?.field == "event")
        #expect(atCenter?.rule == "custody")
        #expect(atCenter?.message.contains("区人才服务中心") == true)
        #expect(atCenter?.message.contains("district talent service center") == true)

        _ = refusal(.moved(location: "A1"), on: .talentCenter)
        _ = refusal(.stored(location: "A1"), on: .talentCenter)
        _ = refusal(.handedOver(authority: .talentCenter, receiptNumber: nil), on: .client)
        _ = refusal(.handedOver(authority: .talentCenter, receiptNumber: nil), on: nil)
        _ = refusal(.handedOver(authority: .cityVerificationCenter, receiptNumber: nil), on: .talentCenter)
        _ = refusal(.collected(authority: .cityVerificationCenter), on: .talentCenter)
        _ = refusal(.collected(authority: .talentCenter), on: .agency(locationCode: "A1"))
        _ = refusal(.collected(authority: .talentCenter), on: nil)
        _ = refusal(.received(from: "张三"), on: .agency(locationCode: nil))
        _ = refusal(.received(from: "张三"), on: .agency(locationCode: "A1"))
        _ = refusal(.received(from: "张三"), on: .talentCenter)
        _ = refusal(.returned(to: "张三", signedBy: "张三"), on: nil)
        _ = refusal(.returned(to: "张三", signedBy: "张三"), on: .returned)
        _ = refusal(.returned(to: "张三", signedBy: "张三"), on: .client)
        _ = refusal(.returned(to: "张三", signedBy: "张三"), on: .cityVerificationCenter)
        _ = refusal(.forwarded(to: .talentCenter), on: .talentCenter)
        _ = refusal(.forwarded(to: .talentCenter), on: .agency(locationCode: nil))
        // stored is the first placement, moved the later ones.
        _ = refusal(.stored(location: "B2"), on: .agency(locationCode: "A1"))
        _ = refusal(.moved(location: "B2"), on: .agency(locationCode: nil))
        _ = refusal(.moved(location: "a1"), on: .agency(locationCode: "A1"))

        let notReceived = refusal(.handedOver(authority: .talentCenter, receiptNumber: nil), on: nil)
        #expect(notReceived?.message.contains("not yet received") == true)
    }

    @Test func inputsAreChecked() {
        #expect(issue { try CustodyMachine.apply(.received(from: "  "), to: nil) }?.field == "from")
        #expect(issue { try CustodyMachine.apply(.returned(to: "张三", signedBy: ""), to: .agency(locationCode: nil)) }?.field == "signed_by")
        #expect(issue { try CustodyMachine.apply(.stored(location: "柜子"), to: .agency(locationCode: nil)) }?.field == "location")
    }

    @Test func holderNamesAndFlags() {
        #expect(Holder.cityVerificationCenter.isOutWithAuthority)
        #expect(!Holder.agency(locationCode: "A1").isOutWithAuthority)
        #expect(Holder.client.isAvailable && Holder.agency(locationCode: nil).isAvailable)
        #expect(!Holder.returned.isAvailable)
        for holder: Holder in [.client, .agency(locationCode: nil), .agency(locationCode: "A1"), .talentCenter, .cityVerificationCenter, .returned] {
            #expect(!holder.chineseName.isEmpty && !holder.englishName.isEmpty)
        }
        #expect(Holder.agency(locationCode: "A1").englishName.contains("A1"))
    }

    @Test func jsonShapes() throws {
        let holder = Holder.agency(locationCode: "A1")
        let text = String(decoding: try JSONEncoder().encode(holder), as: UTF8.self)
        #expect(text.contains("\"kind\":\"agency\""))
        #expect(text.contains("\"location_code\":\"A1\""))
        for h: Holder in [.client, .agency(locationCode: nil), holder, .talentCenter, .cityVerificationCenter, .returned] {
            #expect(try JSONDecoder().decode(Holder.self, from: JSONEncoder().encode(h)) == h)
        }
        let events: [CustodyEvent] = [
            .received(from: "张三"), .stored(location: "A1"), .moved(location: "B2"),
            .handedOver(authority: .talentCenter, receiptNumber: "R1"), .handedOver(authority: .cityVerificationCenter, receiptNumber: nil),
            .forwarded(to: .cityVerificationCenter), .collected(authority: .talentCenter), .returned(to: "张三", signedBy: "王五"),
        ]
        for event in events {
            #expect(try JSONDecoder().decode(CustodyEvent.self, from: JSONEncoder().encode(event)) == event)
        }
        let handed = String(decoding: try JSONEncoder().encode(events[3]), as: UTF8.self)
        #expect(handed.contains("\"event\":\"handed_over\""))
        #expect(handed.contains("\"authority\":\"talent_center\""))
        #expect(handed.contains("\"receipt_number\":\"R1\""))
        let returned = String(decoding: try JSONEncoder().encode(events[7]), as: UTF8.self)
        #expect(returned.contains("\"signed_by\""))
    }

    @Test("a holder read from its stored kind and location code is the one its JSON decodes to; an unknown kind is refused")
    func holderFromColumns() throws {
        let all: [Holder] = [.client, .agency(locationCode: "A-01"), .agency(locationCode: nil), .talentCenter, .cityVerificationCenter, .returned]
        for holder in all {
            let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(holder)) as! [String: Any]
            let kind = try #require(json["kind"] as? String)
            #expect(Holder(kind: kind, locationCode: json["location_code"] as? String) == holder)
        }
        // The code counts only for the agency, as in the JSON form.
        #expect(Holder(kind: "talent_center", locationCode: "A-01") == .talentCenter)
        #expect(Holder(kind: "storage_room", locationCode: nil) == nil)
        #expect(Holder(kind: "", locationCode: nil) == nil)
    }
}

@Suite struct CustodyCorrectionTests {
    @Test("a mistaken move is reversed by a compensating entry: the paper is where it was, the ledger keeps both; only the latest move, never a correction")
    func correction() throws {
        var ledger: [CustodyEvent] = [.received(from: "王芳"), .handedOver(authority: .talentCenter, receiptNumber: "R-1")]
        let (event, before) = try CustodyMachine.correcting(ledger, reason: "递交记错了")
        #expect(event == .corrected(reverses: 2, reason: "递交记错了"))
        #expect(before == .agency(locationCode: nil))
        ledger.append(event)
        #expect(try CustodyMachine.current(ledger) == .agency(locationCode: nil))
        // A correction is not corrected; the move is recorded again instead.
        #expect(throws: ValidationError.self) { try CustodyMachine.correcting(ledger, reason: "again") }
        ledger.append(.handedOver(authority: .talentCenter, receiptNumber: "R-2"))
        #expect(try CustodyMachine.current(ledger) == .talentCenter)
        #expect(throws: ValidationError.self) { try CustodyMachine.correcting(ledger, reason: " ") }
        #expect(throws: ValidationError.self) { try CustodyMachine.correcting([], reason: "x") }
        // A correction that does not follow the entry it names is a broken ledger.
        #expect(throws: ValidationError.self) { try CustodyMachine.current([.received(from: "a"), .stored(location: "CAB-1"), .corrected(reverses: 1, reason: "x")]) }
        // The event round-trips through its JSON form.
        let data = try JSONEncoder().encode(event)
        #expect(try JSONDecoder().decode(CustodyEvent.self, from: data) == event)
    }
}
