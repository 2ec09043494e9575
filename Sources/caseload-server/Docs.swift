import ArgumentParser
import CaseloadCore
import CaseloadServer
import CaseloadStorage
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

struct Docs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the OpenRPC document, or rewrite the generated reference in docs/protocol.md.")

    @Flag(help: "Print the OpenRPC document (what rpc.discover returns) as JSON.") var openrpc = false
    @Option(help: "Rewrite the generated section of this protocol document in place.") var update: String?

    func run() throws {
        let registry = Application.makeRegistry()
        if openrpc {
            printJSON(OpenRPC.document(for: registry, version: Application.version))
        }
        if let update {
            let text = try String(contentsOfFile: update, encoding: .utf8)
            guard let updated = ProtocolDocs.updating(text, registry: registry) else {
                throw ValidationError("\(update) has no generated-section markers")
            }
            try updated.write(toFile: update, atomically: true, encoding: .utf8)
        }
        if !openrpc && update == nil { print(ProtocolDocs.generated(for: registry)) }
    }
}
