import ArgumentParser
import CaseloadCore
import CaseloadServer
import CaseloadStorage
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// Options shared by every subcommand that reads the server configuration.
struct ConfigOptions: ParsableArguments {
    @Option(help: "Listen address host:port (port 0 = any free port). Env: CASELOAD_LISTEN. Default 127.0.0.1:7420.")
    var listen: String?

    @Option(help: "The server's PostgreSQL URL. Env: CASELOAD_DATABASE_URL.")
    var databaseURL: String?

    @Option(help: "trace, debug, info, notice, warning, error, critical. Env: CASELOAD_LOG_LEVEL. Default info.")
    var logLevel: String?

    @Option(help: "A config file of `name = value` lines. Env: CASELOAD_CONFIG.")
    var config: String?

    @Option(help: "Serve TLS with this PEM certificate chain (needs --tls-private-key). Env: CASELOAD_TLS_CERTIFICATE.")
    var tlsCertificate: String?

    @Option(help: "The PEM private key of --tls-certificate. Env: CASELOAD_TLS_PRIVATE_KEY.")
    var tlsPrivateKey: String?

    func resolve() throws -> (ServerConfiguration, Logger.Level) {
        var flags: ServerConfiguration.Layer = [:]
        flags["listen"] = listen
        flags["database_url"] = databaseURL
        flags["log_level"] = logLevel
        flags["tls_certificate"] = tlsCertificate
        flags["tls_private_key"] = tlsPrivateKey
        return try ServerConfiguration.load(flags: flags, configFile: config)
    }
}

func makeLogger(_ level: Logger.Level) -> Logger {
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return handler
    }
    var logger = Logger(label: "caseload")
    logger.logLevel = level
    return logger
}
