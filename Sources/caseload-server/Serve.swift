import ArgumentParser
import CaseloadCore
import CaseloadServer
import CaseloadStorage
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve JSON-RPC until SIGTERM or SIGINT (graceful: in-flight requests finish).")

    @OptionGroup var options: ConfigOptions

    /// A test hook: debug builds only, never from the environment or the config file.
    @Option(help: .hidden) var today: String?

    func run() async throws {
        let (resolved, level) = try options.resolve()
        var configuration = resolved
        let logger = makeLogger(level)
        if let today {
            #if DEBUG
                guard let day = CalendarDate(accepting: today) else {
                    throw ValidationError("--today: must be \(CalendarDate.acceptedDescription)")
                }
                configuration.clock = BusinessClock(today: day)
                logger.warning("business clock pinned: today is \(day.iso) (a test hook of debug builds)")
            #else
                throw ValidationError("--today is a test hook of debug builds; a release build always uses the system clock")
            #endif
        }
        let app = try Application(configuration: configuration, logger: logger, gracefulShutdownSignals: [.sigterm, .sigint])
        let (host, port) = (configuration.host, configuration.port)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            group.addTask {
                let address = try await app.server.listeningAddress()
                // One line on stdout that scripts can wait for (port 0 picks a free port).
                let line = "caseload-server listening on \(address.ipAddress ?? host):\(address.port ?? port)\n"
                FileHandle.standardOutput.write(Data(line.utf8))
            }
            try await group.waitForAll()
        }
    }
}
