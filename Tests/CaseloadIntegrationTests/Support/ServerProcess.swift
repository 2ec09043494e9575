import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The real `caseload-server serve` binary as a child process, on a free port, for tests
/// that signal or kill it. Its stderr (the log) goes to a file the test can read.
final class ServerProcess: Sendable {
    let port: Int
    let logFile: URL
    private let process: Process
    private let exit: Task<Process.TerminationReason, Never>

    struct Exit: Equatable, CustomStringConvertible {
        var reason: Process.TerminationReason
        var status: Int32
        var description: String { reason == .exit ? "exit \(status)" : "signal \(status)" }
    }

    private init(port: Int, logFile: URL, process: Process, exit: Task<Process.TerminationReason, Never>) {
        self.port = port
        self.logFile = logFile
        self.process = process
        self.exit = exit
    }

    deinit {
        try? FileManager.default.removeItem(at: logFile)
    }

    static var binary: URL {
        CLIRunner.binary.deletingLastPathComponent().appendingPathComponent("caseload-server")
    }

    /// Starts `caseload-server serve` on `database` and waits for its "listening on" line.
    static func start(database: TestDatabase, environment extra: [String: String] = [:], arguments: [String] = []) async throws -> ServerProcess {
        let process = Process()
        process.executableURL = binary
        process.arguments = ["serve", "--listen", "127.0.0.1:0", "--database-url", "\(database.serverURL)"] + arguments
        var environment = [
            "PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "CASELOAD_PII_KEY": testKeys.piiKey,
            "CASELOAD_PII_LOOKUP_KEY": testKeys.lookupKey, "CASELOAD_LOG_LEVEL": "info",
        ]
        environment.merge(extra) { $1 }
        process.environment = environment
        let logFile = FileManager.default.temporaryDirectory.appendingPathComponent("caseload-server-\(UUID().uuidString.prefix(8)).log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: logFile)
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardInput = FileHandle.nullDevice
        // Foundation calls the handler when the process ends; nothing blocks a thread meanwhile.
        let (ended, endedContinuation) = AsyncStream.makeStream(of: Process.TerminationReason.self)
        process.terminationHandler = { endedContinuation.yield($0.terminationReason) }
        try process.run()
        let exit = Task {
            for await reason in ended { return reason }
            return Process.TerminationReason.exit
        }
        let port: Int? = await withCheckedContinuation { continuation in
            // A thread of its own reads stdout: it blocks, and it keeps draining the pipe after
            // the listening line so the server never stalls on a full pipe.
            Thread.detachNewThread {
                let prefix = "caseload-server listening on "
                var pending = Data()
                var answered = false
                let handle = stdout.fileHandleForReading
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    guard !answered else { continue }
                    pending.append(chunk)
                    for line in String(decoding: pending, as: UTF8.self).split(separator: "\n") where line.hasPrefix(prefix) {
                        answered = true
                        continuation.resume(returning: line.split(separator: ":").last.flatMap { Int($0) })
                        break
                    }
                }
                if !answered { continuation.resume(returning: nil) }
            }
        }
        guard let port else {
            _ = await exit.value
            let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
            throw TestServer.SetupFailed(description: "caseload-server did not start (status \(process.terminationStatus)): \(log.suffix(2000))")
        }
        return ServerProcess(port: port, logFile: logFile, process: process, exit: exit)
    }

    func signal(_ number: Int32) {
        _ = Glibc.kill(process.processIdentifier, number)
    }

    /// Waits for the process to end, at most `timeout`; nil if it is still running then
    /// (it is killed, so no test leaves a server behind).
    func waitForExit(timeout: Duration) async -> Exit? {
        let exit = self.exit
        let ended = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                _ = await exit.value
                return true
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next()!
            group.cancelAll()
            return first
        }
        guard ended else {
            signal(SIGKILL)
            _ = await exit.value
            return nil
        }
        return Exit(reason: process.terminationReason, status: process.terminationStatus)
    }

    /// Kills the process if it still runs (for cleanup after a failed expectation).
    func killIfRunning() async {
        if process.isRunning { signal(SIGKILL) }
        _ = await exit.value
    }

    var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// The process's resident memory now, in bytes (Linux: /proc/PID/status VmRSS).
    var residentBytes: Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return nil }
        return kilobytes * 1024
    }

    /// How the process ended ("signal 4", "exit 1"), nil while it runs.
    var ended: Exit? {
        process.isRunning ? nil : Exit(reason: process.terminationReason, status: process.terminationStatus)
    }
}
