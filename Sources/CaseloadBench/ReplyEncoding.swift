import CaseloadCore
import CaseloadProtocol
import Foundation

/// The reply writer measured against Foundation's encoder on the same values, in one process:
/// the server's path (`JSONTreeEncoder` into a tree, `JSONWriter` into bytes) against
/// `WireJSON.encode` (Foundation's `JSONEncoder` with sorted keys), which writes the same bytes.
/// A regression in either step (a container copied per member was one) shows as the ratio.
public enum ReplyEncoding {
    /// One measurement: the best of `repetitions` rounds of each, in seconds per round.
    public struct Result: Codable, Sendable {
        public var scenario: String
        public var repetitions: Int
        public var seconds: Double
        public var foundationSeconds: Double
        public var bytes: Int
    }

    /// A reply as Foundation would write it from the result itself.
    struct Envelope<Value: Encodable>: Encodable {
        var id = 1
        var jsonrpc = "2.0"
        var result: Value
    }

    /// A row of `case.list`, typed as the server's Codable results are.
    struct Row: Encodable {
        struct Applicant: Encodable { var id: String, name: String, id_number: String }
        var id: String, applicant: Applicant, company_id: String, company_short_name: String, kind: String, kind_name: String
        var stage: String, stage_name_zh: String, stage_name_en: String, status: String, recorded: [String: [String: String]]
        var next_stages: [String], days_in_stage: Int, stage_due_at: String?, late: Bool, version: Int, opened_at: String
    }

    static func id(_ n: Int) -> String { UUID(uuid: (0, 0, 0, 0, 0, 0, 0x40, 0, 0x80, 0, 0, 0, 0, UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF))).lowercasedString }

    /// An agenda's lines (the agenda builds them as trees): `count` objects of 14 members.
    static func agendaLines(_ count: Int) -> JSONValue {
        .array((0..<count).map { n -> JSONValue in
            [
                "kind": "overdue", "title": "补正材料 Supplement the papers", "title_zh": "补正材料", "title_en": "Supplement the papers",
                "date": "2026-12-01", "days": .int(Int64(-(n % 9))), "applicant_name": .string("张\(n)"), "case_id": .string(id(n)),
                "case_kind": "points_first", "case_stage_name_zh": "受理", "deadline_id": .string(id(n + 1_000_000)), "document_id": .null,
                "reminded_today": .bool(n % 2 == 0),
                "action": ["method": "deadline.done", "params": ["id": .string(id(n + 1_000_000)), "version": .int(Int64(n % 5 + 1))]],
            ]
        })
    }

    static func rows(_ count: Int) -> [Row] {
        (0..<count).map { n in
            Row(
                id: id(n), applicant: .init(id: id(n + 2_000_000), name: "王\(n)", id_number: "3101**********\(n % 10)2X"),
                company_id: id(7), company_short_name: "某某科技", kind: "points_first", kind_name: "居住证积分首次申请", stage: "accepted",
                stage_name_zh: "受理", stage_name_en: "Accepted", status: "active", recorded: ["accepted": ["accepted_on": "2026-01-02"]],
                next_stages: ["approved", "rejected"], days_in_stage: n % 40, stage_due_at: n % 3 == 0 ? nil : "2026-12-20T16:00:00Z",
                late: n % 7 == 0, version: n % 9 + 1, opened_at: "2026-01-01T02:00:00Z")
        }
    }

    /// Both fixtures: 2,000 agenda lines written from a tree, 1,000 list rows encoded and written.
    public static func run(repetitions: Int) throws -> [Result] {
        let lines = agendaLines(2_000)
        let list = rows(1_000)
        return [
            try measure("reply JSON, 2000 agenda lines (a tree)", repetitions: repetitions) {
                JSONWriter.result(lines, id: .number(1)) ?? []
            } foundation: {
                Array(try WireJSON.encode(Envelope(result: lines)))
            },
            try measure("reply JSON, 1000 case.list rows (Codable)", repetitions: repetitions) {
                JSONWriter.result(try JSONTreeEncoder().encode(["items": list]), id: .number(1)) ?? []
            } foundation: {
                Array(try WireJSON.encode(Envelope(result: ["items": list])))
            },
        ]
    }

    static func measure(
        _ scenario: String, repetitions: Int, ours: () throws -> [UInt8], foundation: () throws -> [UInt8]
    ) throws -> Result {
        // The same bytes, or the comparison means nothing.
        let bytes = try ours()
        guard !bytes.isEmpty, try bytes == foundation() else { throw BenchError("\(scenario): the writer's bytes differ from Foundation's") }
        var best = (ours: Double.infinity, foundation: Double.infinity)
        // Alternating, so a slow moment of the machine falls on both.
        for _ in 0..<max(1, repetitions) {
            best = (min(best.ours, try timed(ours)), min(best.foundation, try timed(foundation)))
        }
        return Result(scenario: scenario, repetitions: repetitions, seconds: best.ours, foundationSeconds: best.foundation, bytes: bytes.count)
    }

    static func timed(_ body: () throws -> [UInt8]) throws -> Double {
        let start = ContinuousClock.now
        _ = try body()
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
