import ArgumentParser
import CaseloadProtocol
import Foundation

/// `caseload`: the thin command-line client. It speaks only the protocol.
public struct CaseloadCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "caseload",
        abstract: "Talk to a Caseload server: client companies, applicants, cases, documents held, archives.",
        discussion: """
            Set CASELOAD_ADDR (default 127.0.0.1:7420) and CASELOAD_TOKEN, or run `caseload login`.
            Add --json to any command for machine-readable output.
            """,
        subcommands: [
            Ping.self, Login.self, TodayCommand.self, AgendaCommand.self, CompanyCommand.self, ApplicantCommand.self, CaseCommand.self, DocumentCommand.self, LocationCommand.self,
            ArchiveCommand.self, DeadlineCommand.self, ExpiringCommand.self, CalendarCommand.self, SettingsCommand.self, UserCommand.self,
            ImportCommand.self, ReportCommand.self, CompanyCommand.Assign.self, TokenCommand.self, AuditCommand.self, WatchCommand.self,
            FindCommand.self, NoticeCommand.self, NoticeTemplateCommand.self,
        ]
    )

    public init() {}
}

/// A command that talks to the server: errors are printed as the server said them and
/// the process exits with status 1.
protocol ClientCommand: AsyncParsableCommand {
    func execute() async throws
}

extension ClientCommand {
    public func run() async throws {
        do {
            try await execute()
        } catch let error as RPCError {
            Output.error(error)
            throw ExitCode(1)
        } catch let error as CLIError {
            Output.error(error.description)
            throw ExitCode(1)
        }
    }
}

struct Ping: ClientCommand {
    static let configuration = CommandConfiguration(abstract: "Check that the server answers (no login needed).")

    @OptionGroup var options: ClientOptions

    func execute() async throws {
        let (host, port) = try options.resolvedAddress()
        let version = try await options.withClient(requireLogin: false) { client in
            _ = try await client.call("system.ping")
            return try await client.call("system.version")
        }
        if options.json {
            Output.json(version)
        } else {
            let server = Output.text(version["server"]), proto = Output.text(version["protocol"])
            print(L(en: "pong from \(host):\(port) (server \(server), protocol \(proto))", zh: "\(host):\(port) 有应答（服务器 \(server)，协议 \(proto)）"))
        }
    }
}

struct Login: ClientCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a token and save it with the address (and TLS settings) in a file only you can read.",
        discussion: "The file is $XDG_CONFIG_HOME/caseload/login.json (default ~/.config/caseload/login.json), mode 0600."
    )

    @OptionGroup var options: ClientOptions

    func execute() async throws {
        guard let token = options.resolvedToken() else {
            throw CLIError(L(en: "give the token with --token or CASELOAD_TOKEN", zh: "请用 --token 或 CASELOAD_TOKEN 给出令牌"))
        }
        let (host, port) = try options.resolvedAddress()
        let me = try await options.withClient { client in try await client.call("auth.whoami") }
        try SavedLogin(addr: "\(host):\(port)", token: token, tls: options.resolvedTLSSettings()).save()
        if options.json {
            Output.json(me)
        } else {
            let agency = Output.text(me["agency_name"]), user = Output.text(me["user_name"]), role = Labels.named(me["role"], ServerLabels.names("role"))
            print(L(en: "Logged in to \(agency) as \(user) (\(role)); saved to \(SavedLogin.path)", zh: "已登录 \(agency)，身份 \(user)（\(role)）；已保存到 \(SavedLogin.path)"))
        }
    }
}
