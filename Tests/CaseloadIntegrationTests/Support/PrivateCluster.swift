import CaseloadStorage
import Foundation
import Testing

/// A PostgreSQL cluster of a test's own, under `.caseload/`, run by `deploy/dev-postgres.sh`:
/// for tests that stop and start PostgreSQL, which must never happen to the cluster every
/// other suite shares.
struct PrivateCluster: Sendable {
    let directory: URL
    let port: Int

    /// The cluster superuser's URL (trust auth), for `TestDatabase.migrated(cluster:)`.
    var adminURL: DatabaseURL {
        get throws { try DatabaseURL("postgres://caseload_admin@127.0.0.1:\(port)/postgres") }
    }

    static var script: URL {
        TestDatabase.schemaDirectory.deletingLastPathComponent().appendingPathComponent("deploy/dev-postgres.sh")
    }

    /// Creates and starts a new cluster on a free port (retrying when another process takes
    /// the port between `free-port` and the start).
    static func start(name: String) async throws -> PrivateCluster {
        let directory = TestDatabase.schemaDirectory.deletingLastPathComponent()
            .appendingPathComponent(".caseload/\(name)-\(getpid())-\(UUID().uuidString.prefix(6).lowercased())")
        var failure = ""
        for _ in 0..<3 {
            let port = try await run(["free-port"]).output.trimmingCharacters(in: .whitespacesAndNewlines)
            let cluster = PrivateCluster(directory: directory, port: try #require(Int(port)))
            let started = try await run(["start", directory.path, port])
            if started.status == 0 { return cluster }
            failure = started.output
            _ = try? await run(["destroy", directory.path])
        }
        throw TestServer.SetupFailed(description: "private PostgreSQL cluster did not start: \(failure)")
    }

    /// Fast shutdown (`pg_ctl stop -m fast`): sessions are ended, open transactions roll back.
    func stop() async throws {
        let result = try await Self.run(["stop", directory.path])
        try #require(result.status == 0, "dev-postgres.sh stop failed: \(result.output)")
    }

    /// Starts the (stopped) cluster again on the same port.
    func restart() async throws {
        let result = try await Self.run(["start", directory.path, "\(port)"])
        try #require(result.status == 0, "dev-postgres.sh start failed: \(result.output)")
    }

    func destroy() async {
        _ = try? await Self.run(["destroy", directory.path])
    }

    /// Not through Foundation's `Process`: the PostgreSQL the script starts would hold its
    /// exit notification hostage (see `Subprocess`).
    private static func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await Subprocess.run(script.path, arguments)
    }
}
