@testable import CaseloadBench
import CaseloadCore
import NIOCore
import Testing

/// The load generator's own arithmetic and parsing: if these were wrong, every benchmark
/// number would be too.
@Suite struct LoadGeneratorLogicTests {
    @Test func percentilesUseNearestRank() {
        let sorted: [UInt32] = (1...100).map { UInt32($0 * 1000) }  // 1 ms ... 100 ms
        #expect(LatencyRecorder.percentile(50, of: sorted) == 50)
        #expect(LatencyRecorder.percentile(99, of: sorted) == 99)
        #expect(LatencyRecorder.percentile(100, of: sorted) == 100)
        #expect(LatencyRecorder.percentile(0, of: sorted) == 1)
        #expect(LatencyRecorder.percentile(99, of: []) == 0)
        #expect(LatencyRecorder.percentile(50, of: [7000]) == 7)
    }

    @Test func runResultCountsThroughputAndErrors() {
        var recorder = LatencyRecorder()
        for i in 1...10 { recorder.record(nanoseconds: UInt64(i) * 1_000_000, ok: i != 3) }
        let result = RunResult(scenario: "get", connections: 1, depth: 8, seconds: 2, recorder: recorder)
        #expect(result.completed == 10)
        #expect(result.errors == 1)
        #expect(result.throughput == 5)
        #expect(result.p50Milliseconds == 5)
        #expect(result.p99Milliseconds == 10)
    }

    @Test func replyScannerFindsTheTopLevelIdAndErrors() {
        func scan(_ s: String) -> (id: Int, ok: Bool)? {
            let buffer = ByteBuffer(string: s)
            return ReplyScanner.scan(buffer.readableBytesView)
        }
        let ok = scan(#"{"id":12,"jsonrpc":"2.0","result":{"applicant":{"id":"edc0df58-4dbb-4622-9589-6b99874643b6"}}}"#)
        #expect(ok?.id == 12 && ok?.ok == true)
        // Errors sort before the id; ids inside results are strings and are skipped.
        let failed = scan(#"{"error":{"code":-32010,"data":{"id":"x"},"message":"Conflict"},"id":7,"jsonrpc":"2.0"}"#)
        #expect(failed?.id == 7 && failed?.ok == false)
        #expect(scan(#"{"jsonrpc":"2.0","result":{}}"#) == nil)
    }

    @Test func importIdentifiersAreValidAndDistinct() throws {
        var seen = Set<String>()
        for n in [0, 1, 999, 1000, 1001, 9999, 25_000] {
            let id = BenchIdentifiers.idNumber(n)
            _ = try ResidentIDNumber.parse(id)
            #expect(seen.insert(id).inserted)
        }
        #expect(BenchIdentifiers.idNumber(1000).dropFirst(6).prefix(8) == "19800102")
    }

    @Test func advanceWorkloadWalksTheRenewalChainAndDropsRefusedCases() {
        let cases = [
            BenchCase(id: "a", companyID: "c", kind: "points_renewal", stage: "approved", status: "active", version: 3),
            BenchCase(id: "b", companyID: "c", kind: "points_new", stage: "account", status: "active", version: 1),
            BenchCase(id: "d", companyID: "c", kind: "points_renewal", stage: "submitted", status: "active", version: 1),
        ]
        let workload = AdvanceWorkload.makeShared(cases: cases)()
        #expect(workload.next(slot: 0)?.params == #"{"id":"a","version":3,"to":"notice_printed"}"#)
        workload.completed(slot: 0, ok: true)
        // notice_printed only closes: the slot takes the next eligible case (b is not a renewal).
        #expect(workload.next(slot: 0)?.params == #"{"id":"d","version":1,"to":"online_review"}"#)
        workload.completed(slot: 0, ok: false)
        #expect(workload.next(slot: 0) == nil)
    }

    @Test func renewalChainIsReadFromTheKindsTable() {
        // Every rule-free step into a stage that needs no data, closing excluded; the paper
        // path's entry (online_review → paper_materials) needs every document, so it is not one.
        #expect(AdvanceWorkload.renewalChain == [
            "information_updated": "submitted", "submitted": "online_review", "online_review": "approved",
            "approved": "notice_printed", "paper_materials": "accepted", "accepted": "approved",
        ])
    }
}
