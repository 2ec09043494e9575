import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a program to its end without Foundation's `Process`, for programs that leave a
/// daemon behind (`dev-postgres.sh start` leaves PostgreSQL running).
///
/// Foundation learns that a child exited when a socket the child inherits is closed; a
/// daemon the child starts inherits it too, so `waitUntilExit` would wait for the daemon.
/// Here the child gets stdin (/dev/null) and stdout+stderr (a temp file); a shell closes every
/// other descriptor it inherited (another test's `Process` may have left one open for an
/// instant) before running the program, and a thread of its own waits for it with `waitpid`.
enum Subprocess {
    struct Failed: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `executable arguments`; returns its exit status (128 + signal if killed) and
    /// everything it wrote to stdout and stderr.
    static func run(_ executable: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("caseload-subprocess-\(UUID().uuidString.prefix(8)).out").path
        let outputFD = open(outputPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard outputFD >= 0 else { throw Failed(description: "cannot create \(outputPath): errno \(errno)") }
        defer { unlink(outputPath) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outputFD, 1)
        posix_spawn_file_actions_adddup2(&actions, outputFD, 2)
        let closeAndRun = #"for fd in $(ls /proc/$$/fd); do [ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null; done; exec "$0" "$@""#
        let shell = "/bin/bash"
        let argv = ([shell, "-c", closeAndRun, executable] + arguments).map { strdup($0) } + [nil]
        let envp = ProcessInfo.processInfo.environment.map { strdup("\($0)=\($1)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, shell, &actions, nil, argv, envp)
        close(outputFD)
        guard spawned == 0 else { throw Failed(description: "cannot start \(executable): error \(spawned)") }

        let status: Int32 = await withCheckedContinuation { continuation in
            let child = pid
            Thread.detachNewThread {
                var raw: Int32 = 0
                while waitpid(child, &raw, 0) == -1, errno == EINTR {}
                let signal = raw & 0x7F
                continuation.resume(returning: signal == 0 ? (raw >> 8) & 0xFF : 128 + signal)
            }
        }
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        return (status, output)
    }
}
