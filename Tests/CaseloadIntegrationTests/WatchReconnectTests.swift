import CaseloadClient
import CaseloadProtocol
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Lines a child process printed, appended by the thread that reads its pipe.
final class Lines: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}

/// `caseload watch` outlives a server restart: it waits, subscribes again, says events may
/// have been missed meanwhile, and goes on printing.
@Suite("caseload watch across a server restart", .serialized)
struct WatchReconnectTests {
    @Test("the server stops and starts again on its port: watch prints a gap, reconnects by itself and prints the next event")
    func reconnects() async throws {
        let database = try await TestDatabase.migrated()
        let agency = try await database.createAgency()
        let first = try await ServerProcess.start(database: database)
        let port = first.port

        let watch = Process()
        watch.executableURL = CLIRunner.binary
        watch.arguments = ["watch", "--json"]
        watch.environment = [
            "PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "CASELOAD_ADDR": "127.0.0.1:\(port)", "CASELOAD_TOKEN": agency.token,
            "CASELOAD_CONFIG_FILE": NSTemporaryDirectory() + "caseload-watch-\(UUID()).json",
        ]
        let out = Pipe()
        let err = Pipe()
        watch.standardOutput = out
        watch.standardError = err
        let lines = Lines()
        let notes = Lines()
        for (pipe, sink) in [(out, lines), (err, notes)] {
            Thread.detachNewThread {
                var pending = ""
                while true {
                    let chunk = pipe.fileHandleForReading.availableData
                    if chunk.isEmpty { break }
                    pending += String(decoding: chunk, as: UTF8.self)
                    while let newline = pending.firstIndex(of: "\n") {
                        let line = String(pending[..<newline])
                        pending = String(pending[pending.index(after: newline)...])
                        sink.append(line)
                    }
                }
            }
        }
        try watch.run()
        defer { if watch.isRunning { watch.terminate() } }

        func wait(_ what: String, timeout: Duration = .seconds(45), _ found: @escaping () -> Bool) async throws {
            let deadline = ContinuousClock.now + timeout
            while !found() {
                guard ContinuousClock.now < deadline else {
                    throw TestServer.SetupFailed(description: "no \(what): stderr \(notes.all), stdout \(lines.all)")
                }
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        try await wait("first subscription") { notes.all.contains { $0.hasSuffix("watching; Ctrl-C to stop") } }

        first.signal(SIGTERM)
        #expect(await first.waitForExit(timeout: .seconds(20)) != nil)
        try await wait("lost connection") { notes.all.contains { $0.contains("connection lost") } }
        let second = try await ServerProcess.start(database: database, arguments: ["--listen", "127.0.0.1:\(port)"])
        defer { Task { await second.killIfRunning() } }
        #expect(second.port == port)
        try await wait("reconnection") { notes.all.contains { $0.hasSuffix("reconnected; watching again") } }

        let opened = try await RPCClient.withConnection(host: "127.0.0.1", port: port) { client in
            _ = try await client.call("auth.login", ["token": .string(agency.token)])
            let f = try await Fixture.make(client, n: 781)
            return try await client.call("case.open", ["applicant_id": f.applicantID, "kind": "points_new"])
        }
        let caseID = try #require(opened["id"]?.stringValue)
        try await wait("the event after the restart") { lines.all.contains { $0.contains(caseID) } }
        let printed = lines.all
        let gap = try #require(printed.firstIndex { $0.contains("\"watch.gap\"") })
        let event = try #require(printed.firstIndex { $0.contains(caseID) })
        #expect(gap < event)
        #expect(printed[gap].contains("the connection to the server was lost"))
        watch.terminate()
        await second.killIfRunning()
    }
}
