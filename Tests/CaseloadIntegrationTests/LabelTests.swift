import CaseloadClient
import CaseloadCore
import CaseloadProtocol
import CaseloadServer
import Testing

/// `system.labels`: the one place clients get the names of protocol values.
@Suite("Labels published by the server")
struct LabelTests {
    @Test("system.labels answers without login with every group and each kind's stages, as Core defines them")
    func catalogue() async throws {
        let server = try await TestServer.shared()
        let labels = try await server.withClient { try await $0.call("system.labels") }
        let groups = labels["groups"]?.arrayValue ?? []
        func group(_ name: String) -> [String: JSONValue] {
            var out: [String: JSONValue] = [:]
            for label in groups.first(where: { $0["name"]?.stringValue == name })?["labels"]?.arrayValue ?? [] {
                if let value = label["value"]?.stringValue { out[value] = label }
            }
            return out
        }
        #expect(groups.map { $0["name"]?.stringValue ?? "" } == LabelCatalogue.groups.map(\.name))
        #expect(group("education")["bachelor_degree"]?["zh"] == "本科+学士")
        #expect(group("case_kind")["points_new"]?["en"] == "Points — first application")
        #expect(group("case_status")["closed"]?["zh"] == .string(CaseStatus.closed.chineseName))
        // Every value a schema enumerates has its name: no client falls back to a bare value.
        #expect(Set(group("case_kind").keys) == Set(CaseKinds.all.map(\.id)))
        #expect(Set(group("deadline_state").keys) == Set(DeadlineState.allCases.map(\.rawValue)))
        #expect(Set(group("document_type").keys) == Set(DocumentCatalogue.all.map(\.id)))
        #expect(Set(group("role").keys) == Set(Role.allCases.map(\.rawValue)))
        let stages = labels["stages"]?.arrayValue ?? []
        for kind in CaseKinds.all {
            let listed = stages.first { $0["kind"]?.stringValue == kind.id }?["labels"]?.arrayValue ?? []
            #expect(listed.map { $0["value"]?.stringValue ?? "" } == kind.stages.map(\.id), "\(kind.id)")
            #expect(listed.first?["zh"] == .string(kind.stages[0].chineseName))
        }
    }
}
