@testable import CaseloadCLI
import CaseloadProtocol
import Foundation
import Testing

@Suite struct WatchLineTests {
    /// A permit deadline's event as the server sends it: no case, so the applicant and the
    /// deadline's title name it.
    static let permitDeadline: JSONValue = [
        "subscription_id": "00000000-0000-0000-0000-000000000001", "kind": "deadline_due", "company_id": "5b1e90aa-0000-0000-0000-000000000000",
        "case_id": .null, "deadline_id": "3f2a91bc-0000-0000-0000-000000000000", "document_id": .null, "user_id": .null,
        "applicant_name": "张伟", "company_short_name": "明远软件科技",
        "deadline_title_zh": "续办提醒（30天）", "deadline_title_en": "Renewal reminder, 30 days before expiry",
        "case_kind": .null, "case_stage": .null, "case_stage_name_zh": .null, "case_stage_name_en": .null, "by": .null,
    ]

    @Test("a watch line for a deadline without a case names the applicant, the company and the deadline in the CLI's language")
    func permitDeadlineLine() {
        let note = RPCRequest(id: nil, method: "watch.event", params: Self.permitDeadline)
        let at = Date(timeIntervalSince1970: 1_790_000_000)
        let en = WatchCommand.line(note, json: false, at: at)
        #expect(en.hasSuffix("deadline_due  张伟 · 明远软件科技  Renewal reminder, 30 days before expiry  deadline 3f2a91bc"))
        #expect(!en.contains("续办"))
        Language.$override.withValue(.zh) {
            let zh = WatchCommand.line(note, json: false, at: at)
            #expect(zh.hasSuffix("期限到期  张伟 · 明远软件科技  续办提醒（30天）  期限 3f2a91bc"))
        }
    }

    @Test("an older server's event (no titles, no names) still prints its kind and ids")
    func olderServer() {
        let note = RPCRequest(id: nil, method: "watch.event", params: [
            "kind": "deadline_changed", "case_id": .null, "deadline_id": "3f2a91bc-0000-0000-0000-000000000000", "document_id": .null,
        ])
        #expect(WatchCommand.line(note, json: false, at: Date(timeIntervalSince1970: 0)).hasSuffix("deadline_changed  deadline 3f2a91bc"))
    }
}
