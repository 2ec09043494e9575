import ArgumentParser
import CaseloadCore
import CaseloadServer
import CaseloadStorage
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

@main
struct CaseloadServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "caseload-server",
        abstract: "The Caseload server: line-delimited JSON-RPC 2.0 over TCP, data in PostgreSQL.",
        version: Application.version,
        subcommands: [Serve.self, Migrate.self, Admin.self, Docs.self],
        defaultSubcommand: Serve.self
    )
}
