import CaseloadProtocol
import Foundation

/// What one run of the `caseload` binary printed, and how it ended.
struct CLIRun {
    var status: Int32
    var stdout: String
    var stderr: String

    /// stdout as JSON (for `--json` runs).
    func json() throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(stdout.utf8))
    }
}

/// Runs the `caseload` binary as a user would, against a test server.
enum CLIRunner {
    static var binary: URL {
        let env = ProcessInfo.processInfo.environment["CASELOAD_BIN_PATH"]
        let dir = env.map { URL(fileURLWithPath: $0) }
            ?? TestDatabase.schemaDirectory.deletingLastPathComponent().appendingPathComponent(".build/debug")
        return dir.appendingPathComponent("caseload")
    }

    /// Runs a process to its end without blocking Swift concurrency's few threads: the server
    /// under test runs on them in this same process, and a blocked pool would deadlock both.
    static func run(_ process: Process) async throws -> CLIRun {
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                do {
                    try process.run()
                    // Sequential reads are safe here: the CLI writes little to stderr.
                    let stdout = out.fileHandleForReading.readDataToEndOfFile()
                    let stderr = err.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    continuation.resume(
                        returning: CLIRun(
                            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                            stderr: String(decoding: stderr, as: UTF8.self)))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}

/// Runs `caseload arguments` against `server` with `token` (none: no CASELOAD_TOKEN) and a
/// login file of its own, so no saved login leaks between runs. The locale is `C` (English)
/// unless `extraEnv` says otherwise, whatever this machine's is.
func caseload(_ arguments: [String], server: TestServer, token: String?, extraEnv: [String: String] = [:]) async throws -> CLIRun {
    let process = Process()
    process.executableURL = CLIRunner.binary
    process.arguments = arguments
    var env = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "LANG": "C", "CASELOAD_ADDR": "127.0.0.1:\(server.port)",
               "CASELOAD_CONFIG_FILE": NSTemporaryDirectory() + "caseload-cli-test-\(UUID()).json"]
    if let token { env["CASELOAD_TOKEN"] = token }
    env.merge(extraEnv) { $1 }
    process.environment = env
    return try await CLIRunner.run(process)
}
