import ArgumentParser
import CaseloadClient
import CaseloadProtocol
import Foundation

/// Where the server is and who we are: flags, then `CASELOAD_ADDR` / `CASELOAD_TOKEN`, then
/// the file `caseload login` saved, then the default address. TLS likewise (`--tls`,
/// `--tls-ca`, `CASELOAD_TLS*`); the saved TLS settings go with the saved address only.
public struct ClientOptions: ParsableArguments {
    @Option(name: .long, help: "Server address host:port. Env: CASELOAD_ADDR. Default 127.0.0.1:7420.")
    var addr: String?

    @Option(name: .long, help: "API token. Env: CASELOAD_TOKEN (preferred: flags show in `ps`).")
    var token: String?

    @Flag(name: .long, help: "Print machine-readable JSON instead of a table.")
    var json = false

    @Flag(name: .long, help: "Connect with TLS, trusting the system's CAs. Env: CASELOAD_TLS=1.")
    var tls = false

    @Option(name: .customLong("tls-ca"), help: ArgumentHelp("Connect with TLS, trusting only the CA certificates in this PEM file. Env: CASELOAD_TLS_CA.", valueName: "file"))
    var tlsCA: String?

    @Option(name: .customLong("tls-server-name"), help: "The DNS name the server's certificate must carry (default: the host of the address). Env: CASELOAD_TLS_SERVER_NAME.")
    var tlsServerName: String?

    // Read before parsing (Language.choose); declared here so that it is documented and an
    // invalid value is refused naming the flag and the accepted values.
    @Option(name: .long, help: "Print in Chinese (zh) or English (en). Env: CASELOAD_LANG, else LC_ALL / LC_MESSAGES / LANG (zh… is Chinese).")
    var lang: Language?

    public init() {}

    var environment: [String: String] { ProcessInfo.processInfo.environment }

    func resolvedAddress() throws -> (host: String, port: Int) {
        let raw = addr ?? environment["CASELOAD_ADDR"] ?? SavedLogin.load()?.addr ?? "127.0.0.1:7420"
        guard let colon = raw.lastIndex(of: ":"), let port = Int(raw[raw.index(after: colon)...]), port > 0, port < 65536 else {
            throw CLIError(L(en: "address must be host:port, not '\(raw)'", zh: "地址须为 主机:端口，而不是 '\(raw)'"))
        }
        let host = String(raw[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return (host.isEmpty ? "127.0.0.1" : host, port)
    }

    func resolvedToken() -> String? {
        token ?? environment["CASELOAD_TOKEN"].flatMap { $0.isEmpty ? nil : $0 } ?? SavedLogin.load()?.token
    }

    /// The TLS settings as given (nil: plain TCP), for connecting and for `caseload login` to save.
    func resolvedTLSSettings() -> SavedLogin.TLS? {
        func env(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        // A saved login's TLS belongs to its address: not applied when the address comes from elsewhere.
        let saved = (addr ?? environment["CASELOAD_ADDR"]) == nil ? SavedLogin.load()?.tls : nil
        let ca = tlsCA ?? env("CASELOAD_TLS_CA") ?? saved?.ca
        let serverName = tlsServerName ?? env("CASELOAD_TLS_SERVER_NAME") ?? saved?.serverName
        let envOn = env("CASELOAD_TLS").map { !["0", "false", "no", "off"].contains($0.lowercased()) } ?? false
        guard tls || envOn || ca != nil || saved != nil else { return nil }
        // Absolute, so a saved login still finds the file from another directory.
        return SavedLogin.TLS(ca: ca.map { URL(fileURLWithPath: $0).standardizedFileURL.path }, serverName: serverName)
    }

    func resolvedTLS() throws -> ClientTLS? {
        guard let settings = resolvedTLSSettings() else { return nil }
        do { return try ClientTLS(caFile: settings.ca, serverName: settings.serverName) } catch { throw CLIError(L(en: "TLS: \(error)", zh: "TLS 设置有误：\(error)")) }
    }

    /// Connects, logs in when a token is known (or `requireLogin`), and runs `body`.
    /// `onNotification` receives what the server sends unasked (`watch.event`).
    func withClient<T: Sendable>(
        requireLogin: Bool = true, onNotification: @escaping @Sendable (RPCRequest) -> Void = { _ in }, _ body: (RPCClient) async throws -> T
    ) async throws -> T {
        let (host, port) = try resolvedAddress()
        let token = resolvedToken()
        if requireLogin, token == nil {
            throw CLIError(L(en: "no token: set CASELOAD_TOKEN, pass --token, or run `caseload login`", zh: "没有令牌：请设置 CASELOAD_TOKEN、使用 --token，或运行 `caseload login`"))
        }
        let tls = try resolvedTLS()
        do {
            return try await RPCClient.withConnection(host: host, port: port, tls: tls, onNotification: onNotification) { client in
                if let token {
                    // The server's errors come in the CLI's language too (it localizes them).
                    _ = try await client.call("auth.login", ["token": .string(token), "language": .string(Language.current.rawValue)])
                }
                await ServerLabels.load(using: client)
                return try await body(client)
            }
        } catch let error as RPCError {
            throw error
        } catch let error as CLIError {
            throw error
        } catch let error as TLSFailure {
            throw CLIError(L(en: "cannot talk to the server at \(host):\(port) over TLS: \(error)", zh: "无法通过 TLS 与 \(host):\(port) 的服务器通信：\(error)"))
        } catch {
            // One plain sentence: what failed and what to check (not NIO's account of its attempts).
            let reason = ConnectionFailure.reason(error).map(Self.localized(reason:)) ?? "\(type(of: error))"
            throw CLIError(
                L(
                    en: "no Caseload server answers at \(host):\(port) (\(reason)). Is caseload-server running there (and if it uses TLS, did you pass --tls-ca)? The address comes from --addr, CASELOAD_ADDR or `caseload login`.",
                    zh: "\(host):\(port) 没有 Caseload 服务器应答（\(reason)）。请确认 caseload-server 在那里运行（如果它使用 TLS，是否给了 --tls-ca）。地址来自 --addr、CASELOAD_ADDR 或 `caseload login`。"),
                unreachable: true)
        }
    }
}

extension ClientOptions {
    /// `ConnectionFailure`'s reasons (English) in the current language.
    static func localized(reason: String) -> String {
        guard Language.current == .zh else { return reason }
        return connectionReasonsZh[reason] ?? reason
    }

    static let connectionReasonsZh = [
        "the host name does not resolve": "主机名无法解析",
        "no connection could be made": "无法建立连接",
        "nothing is listening there": "该端口没有程序监听",
        "the connection was reset": "连接被重置",
        "no answer in time": "超时未应答",
        "the host cannot be reached": "主机不可达",
        "the server closed the connection": "服务器关闭了连接",
    ]
}

/// The address and token `caseload login` saved, in a file only its owner can read.
struct SavedLogin: Codable {
    var addr: String?
    var token: String?
    /// Set when the login was made over TLS.
    var tls: TLS?

    struct TLS: Codable {
        /// The CA file to trust (absolute); nil: the system's CAs.
        var ca: String?
        var serverName: String?
    }

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
    /// The server could not be reached, or the connection to it was lost (worth trying again).
    var unreachable = false
    init(_ description: String, unreachable: Bool = false) {
        self.description = description
        self.unreachable = unreachable
    }
}
