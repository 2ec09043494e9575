import ArgumentParser
import CaseloadProtocol
import Foundation

/// Where the server is and who we are: flags, then `CASELOAD_ADDR` / `CASELOAD_TOKEN`, then
/// the file `caseload login` saved, then the default address.
public struct ClientOptions: ParsableArguments {
    @Option(name: .long, help: "Server address host:port. Env: CASELOAD_ADDR. Default 127.0.0.1:7420.")
    var addr: String?

    @Option(name: .long, help: "API token. Env: CASELOAD_TOKEN (preferred: flags show in `ps`).")
    var token: String?

    @Flag(name: .long, help: "Print machine-readable JSON instead of a table.")
    var json = false

    public init() {}

    var environment: [String: String] { ProcessInfo.processInfo.environment }

    func resolvedAddress() throws -> (host: String, port: Int) {
        let raw = addr ?? environment["CASELOAD_ADDR"] ?? SavedLogin.load()?.addr ?? "127.0.0.1:7420"
        guard let colon = raw.lastIndex(of: ":"), let port = Int(raw[raw.index(after: colon)...]), port > 0, port < 65536 else {
            throw CLIError("address must be host:port, not '\(raw)'")
        }
        let host = String(raw[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return (host.isEmpty ? "127.0.0.1" : host, port)
    }

    func resolvedToken() -> String? {
        token ?? environment["CASELOAD_TOKEN"].flatMap { $0.isEmpty ? nil : $0 } ?? SavedLogin.load()?.token
    }

    /// Connects, logs in when a token is known (or `requireLogin`), and runs `body`.
    func withClient<T: Sendable>(requireLogin: Bool = true, _ body: (RPCClient) async throws -> T) async throws -> T {
        let (host, port) = try resolvedAddress()
        let token = resolvedToken()
        if requireLogin, token == nil {
            throw CLIError("no token: set CASELOAD_TOKEN, pass --token, or run `caseload login`")
        }
        do {
            return try await RPCClient.withConnection(host: host, port: port) { client in
                if let token {
                    _ = try await client.call("auth.login", ["token": .string(token)])
                }
                return try await body(client)
            }
        } catch let error as RPCError {
            throw error
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError("cannot talk to the server at \(host):\(port) (\(error)); is caseload-server running?")
        }
    }
}

/// The address and token `caseload login` saved, in a file only its owner can read.
struct SavedLogin: Codable {
    var addr: String?
    var token: String?

    static var path: String {
        let env = ProcessInfo.processInfo.environment
        if let explicit = env["CASELOAD_CONFIG_FILE"], !explicit.isEmpty { return explicit }
        let base = env["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.config")
        return base + "/caseload/login.json"
    }

    static func load() -> SavedLogin? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(SavedLogin.self, from: data)
    }

    func save() throws {
        let url = URL(fileURLWithPath: Self.path)
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let data = try JSONEncoder().encode(self)
        // Create with 0600 before writing, so the token is never readable by others, even briefly.
        _ = FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600])
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
        let handle = try FileHandle(forWritingTo: url)
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: data)
        try handle.close()
    }
}

/// A problem the CLI explains itself (not the server's error).
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
