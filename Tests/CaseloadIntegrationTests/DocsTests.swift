import CaseloadProtocol
import CaseloadServer
import CaseloadStorage
import Foundation
import NIOCore
import NIOFoundationCompat
import Testing

@Suite("Docs that are true")
struct DocsTests {
    static let protocolDocURL = TestDatabase.schemaDirectory.deletingLastPathComponent().appendingPathComponent("docs/protocol.md")

    @Test("docs/protocol.md's reference is what the registry generates (run `make docs` after changing methods)")
    func generatedReferenceIsCurrent() throws {
        let text = try String(contentsOf: Self.protocolDocURL, encoding: .utf8)
        let regenerated = try #require(ProtocolDocs.updating(text, registry: Application.makeRegistry()))
        #expect(regenerated == text)
    }

    @Test("rpc.discover describes exactly the methods the server dispatches")
    func discoverMatchesRegistry() async throws {
        let server = try await TestServer.shared()
        let document = try await server.withClient { try await $0.call("rpc.discover") }
        #expect(document["openrpc"]?.stringValue?.hasPrefix("1.") == true)
        let names = (document["methods"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        #expect(names == Application.makeRegistry().order)
        #expect(names.contains("company.create") && names.contains("auth.login") && names.contains("rpc.discover"))
        // Every method the document names is callable: none answers method_not_found.
        try await server.withClient { client async throws in
            for name in names {
                let response = try await client.send(name, [:])
                #expect(response.error?.code != RPCErrorCode.methodNotFound.rawValue, "\(name)")
            }
        }
        let create = try #require(document["methods"]?.arrayValue?.first { $0["name"] == "company.create" })
        let params = (create["params"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        #expect(params.first == "name")
        #expect(params.contains("credit_code_override"))
        let errors = (create["errors"]?.arrayValue ?? []).compactMap { $0["$ref"]?.stringValue }
        #expect(errors.contains("#/components/errors/validation_failed"))
        #expect(document["components"]?["errors"]?["validation_failed"]?["code"] == -32005)
    }

    /// Replays the transcript in docs/protocol.md against a real server, line for line.
    @Test("the docs/protocol.md transcript replays against a real server")
    func transcriptReplays() async throws {
        let text = try String(contentsOf: Self.protocolDocURL, encoding: .utf8)
        let block = try #require(text.components(separatedBy: "```transcript\n").dropFirst().first?.components(separatedBy: "```").first)
        let lines = block.split(separator: "\n").map(String.init)
        #expect(lines.count >= 20)
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        var bindings: [String: JSONValue] = ["TOKEN": .string(agency.token)]

        try await server.withLines { replies, out async throws in
            for (number, line) in lines.enumerated() {
                if line.hasPrefix("--> ") {
                    let sent = try JSONDecoder().decode(JSONValue.self, from: Data(line.dropFirst(4).utf8))
                    try await out.write(ByteBuffer(data: try WireJSON.encode(substitute(sent, bindings))))
                    try await out.send("\n")
                } else if line.hasPrefix("<-- ") {
                    let expected = try JSONDecoder().decode(JSONValue.self, from: Data(line.dropFirst(4).utf8))
                    let actual = try #require(try await replies.nextJSON(), "no reply for transcript line \(number + 1)")
                    var mismatches: [String] = []
                    match(expected, actual, path: "$", bindings: &bindings, mismatches: &mismatches)
                    #expect(mismatches.isEmpty, "transcript line \(number + 1): \(mismatches.joined(separator: "; "))")
                } else {
                    Issue.record("transcript line \(number + 1) starts with neither --> nor <--")
                }
            }
        }
    }

    func substitute(_ value: JSONValue, _ bindings: [String: JSONValue]) -> JSONValue {
        switch value {
        case .string(let s) where s.hasPrefix("$"): return bindings[String(s.dropFirst())] ?? value
        case .array(let a): return .array(a.map { substitute($0, bindings) })
        case .object(let o): return .object(o.mapValues { substitute($0, bindings) })
        default: return value
        }
    }

    func match(_ expected: JSONValue, _ actual: JSONValue, path: String, bindings: inout [String: JSONValue], mismatches: inout [String]) {
        switch expected {
        case .string("*"):
            return
        case .string(let s) where s.hasPrefix("$"):
            let name = String(s.dropFirst())
            if let bound = bindings[name] {
                if bound != actual { mismatches.append("\(path): expected \(s)=\(WireJSON.string(bound)), got \(WireJSON.string(actual))") }
            } else {
                bindings[name] = actual
            }
        case .object(let e):
            guard case .object(let a) = actual else { return mismatches.append("\(path): expected an object, got \(WireJSON.string(actual))") }
            if Set(e.keys) != Set(a.keys) { mismatches.append("\(path): keys \(a.keys.sorted()) instead of \(e.keys.sorted())") }
            for (key, value) in e { if let av = a[key] { match(value, av, path: "\(path).\(key)", bindings: &bindings, mismatches: &mismatches) } }
        case .array(let e):
            guard case .array(let a) = actual, a.count == e.count else {
                return mismatches.append("\(path): expected \(e.count) items, got \(WireJSON.string(actual))")
            }
            for (i, (ev, av)) in zip(e, a).enumerated() { match(ev, av, path: "\(path)[\(i)]", bindings: &bindings, mismatches: &mismatches) }
        default:
            if expected != actual { mismatches.append("\(path): expected \(WireJSON.string(expected)), got \(WireJSON.string(actual))") }
        }
    }
}

@Suite("Every change of an existing record takes its version")
struct VersionedChangesTests {
    /// Changes of an existing record that need no version, and why.
    static let unversioned: [String: String] = [
        "token.revoke": "final and idempotent: revoking twice, or after a change, loses nothing",
        "case.note": "appends to the case's history and changes none of its fields: notes never conflict",
    ]

    @Test("a mutating method that names a record by id requires `version` and can answer conflict")
    func changesTakeVersions() {
        let registry = Application.makeRegistry()
        for method in registry.order.compactMap({ registry[$0] }) where method.mutates {
            guard method.params.contains(where: { $0.name == "id" && $0.required }), Self.unversioned[method.name] == nil else { continue }
            #expect(method.params.contains { $0.name == "version" && $0.required }, "\(method.name) takes no version")
            #expect(method.allErrors.contains(.conflict), "\(method.name) does not list conflict")
        }
        #expect(registry["archive.set"]?.params.contains { $0.name == "version" && $0.required } == true)
    }

    @Test("read-only methods are the logged-in ones that change nothing, but for the three that write all the same; discover says which")
    func readOnlyMethods() async throws {
        let registry = Application.makeRegistry()
        let methods = registry.order.compactMap { registry[$0] }
        let writeAllTheSame: Set = ["applicant.reveal", "deadline.list", "agenda.get"]
        for method in methods {
            let expected = method.access == .authenticated && !method.mutates && !writeAllTheSame.contains(method.name)
            #expect(method.readOnly == expected, "\(method.name)")
        }
        #expect(registry["case.get"]?.readOnly == true)
        #expect(registry["auth.login"]?.readOnly == false)
        let server = try await TestServer.shared()
        let document = try await server.withClient { try await $0.call("rpc.discover") }
        let flagged = (document["methods"]?.arrayValue ?? []).filter { $0["x-read-only"] == true }.compactMap { $0["name"]?.stringValue }
        #expect(flagged == methods.filter(\.readOnly).map(\.name))
        // The reports, and only they, take turns with each other (ServerServices.heavyCalls).
        let heavy = (document["methods"]?.arrayValue ?? []).filter { $0["x-heavy"] == true }.compactMap { $0["name"]?.stringValue }
        #expect(Set(heavy) == ["report.company", "report.caseload", "report.agency"])
        #expect(Set(heavy) == Set(methods.filter(\.heavy).map(\.name)))
    }
}

@Suite("Which entity a param names is declared on the param")
struct DeclaredEntityTests {
    /// Company-scoped methods whose `id` names no company entity: the scope checks their other params.
    static let idWithoutEntity: Set<String> = ["watch.subscribe"]

    @Test("every company-scoped method's id names its entity, as the method's family says; every *_id of an entity names it")
    func entitiesDeclared() {
        let registry = Application.makeRegistry()
        let family: [String: AccessStore.Entity] = [
            "company": .company, "applicant": .applicant, "case": .case, "document": .document, "deadline": .deadline,
        ]
        var checked = 0
        for method in registry.all where method.scope == .companies && method.access == .authenticated {
            let declared = Dictionary(uniqueKeysWithValues: method.entityParams.map { ($0.name, $0.entity) })
            if method.params.contains(where: { $0.name == "id" }), !Self.idWithoutEntity.contains(method.name) {
                let prefix = String(method.name.prefix { $0 != "." })
                #expect(declared["id"] != nil, "\(method.name): its id names no entity, so the scope check would skip it")
                if let expected = family[prefix] { #expect(declared["id"] == expected, "\(method.name)") }
                checked += 1
            }
            for name in ["company_id", "applicant_id", "case_id", "document_id", "deadline_id"] where method.params.contains(where: { $0.name == name }) {
                #expect(declared[name] != nil, "\(method.name).\(name)")
            }
        }
        #expect(checked >= 15)
    }
}
