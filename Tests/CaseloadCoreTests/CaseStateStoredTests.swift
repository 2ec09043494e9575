import CaseloadCore
import Foundation
import Testing

@Suite("CaseState.decodeStored reads stored states as JSONDecoder does")
struct CaseStateStoredTests {
    static let states: [CaseState] = [
        CaseState(kind: "points_new", stage: "information_updated"),
        CaseState(
            kind: "points_renewal", stage: "submitted", status: .onHold,
            recorded: [
                "submitted": [:],
                "information_updated": [
                    "permit_received_date": .date(CalendarDate(year: 2026, month: 2, day: 28)!), "note": .text("引号\"、反斜杠\\ /\n\t\u{1}𝄞"),
                    "checked": .bool(false), "score": .integer(-120), "zero": .integer(0),
                ],
            ]),
        CaseState(kind: "hukou_transfer", stage: "closed", status: .closed, recorded: ["x": ["big": .integer(Int.max), "small": .integer(Int.min)]]),
    ]

    func foundation(_ text: String) -> CaseState? {
        try? JSONDecoder().decode(CaseState.self, from: Data(text.utf8))
    }

    @Test("states written by the server's encoder and as PostgreSQL prints jsonb come back the same")
    func roundTrip() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for state in Self.states {
            let compact = String(decoding: try encoder.encode(state), as: UTF8.self)
            #expect(CaseState.decodeStored(compact) == state)
            // jsonb's text form: a space after every colon and comma.
            let spaced = compact.replacingOccurrences(of: "\":", with: "\": ").replacingOccurrences(of: ",\"", with: ", \"")
            #expect(CaseState.decodeStored(spaced) == state)
            #expect(CaseState.decodeStored(" \n" + spaced + "\t") == state)
        }
        #expect(CaseState.decodeStored(#"{"kind": "k", "stage": "s", "status": "active", "recorded": {"a": {"t": {"type": "text", "value": "\u00e9\ud834\udd1e"}}}}"#)
            == CaseState(kind: "k", stage: "s", recorded: ["a": ["t": .text("é𝄞")]]))
    }

    @Test("anything else is left to JSONDecoder (nil), and never accepted where JSONDecoder refuses")
    func refusals() {
        let bad = [
            "", "{", "[]", "null", #"{"kind": "k", "stage": "s", "status": "active"}"#,
            #"{"kind": "k", "stage": "s", "status": "paused", "recorded": {}}"#,
            #"{"kind": "k", "stage": "s", "status": "active", "recorded": {"a": {"t": {"type": "integer", "value": 1.5}}}}"#,
            #"{"kind": "k", "stage": "s", "status": "active", "recorded": {"a": {"t": {"type": "date", "value": "2026-02-30"}}}}"#,
            #"{"kind": "k", "stage": "s", "status": "active", "recorded": {"a": {"t": {"type": "bool", "value": "yes"}}}}"#,
            #"{"kind": "k", "stage": "s", "status": "active", "recorded": {}} x"#,
            #"{"kind": "k\u0001", "stage": "s", "status": "active", "recorded": {}"#,
            "{\"kind\": \"k\u{1}\", \"stage\": \"s\", \"status\": \"active\", \"recorded\": {}}",
            #"{"kind": "k", "stage": "s", "status": "active", "recorded": {"a": {"t": {"type": "integer", "value": 01}}}}"#,
            #"{"kind": "\ud834", "stage": "s", "status": "active", "recorded": {}}"#,
        ]
        for text in bad {
            let mine = CaseState.decodeStored(text)
            #expect(mine == nil || mine == foundation(text), "\(text)")
            if foundation(text) == nil { #expect(mine == nil, "\(text)") }
        }
    }
}
