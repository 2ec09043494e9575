import CaseloadCore
import Foundation
import Logging

extension ServerConfiguration {
    /// Settings in one layer (flags, environment or file), by their config-file names.
    public typealias Layer = [String: String]

    /// Every setting's name, for config files and `CASELOAD_<NAME>` environment variables.
    public static let settingNames = [
        "listen", "database_url", "database_max_connections", "log_level", "max_line_bytes", "max_batch",
        "max_in_flight", "idle_timeout_seconds", "request_deadline_seconds", "job_interval_seconds", "pii_key", "pii_old_keys", "pii_lookup_key",
        "tls_certificate", "tls_private_key", "metrics_listen", "proxy_protocol", "line_read_seconds", "input_budget_bytes",
        "max_connections", "max_connections_per_address", "discover_per_minute",
    ]

    /// The configuration in its one order: `flags`, then `CASELOAD_*` environment variables,
    /// then the config file (`configFile`, else `CASELOAD_CONFIG`), then the defaults. Every
    /// command that reads the server's settings comes here, so none reads the environment on
    /// the side.
    public static func load(
        flags: Layer = [:], configFile: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> (ServerConfiguration, Logger.Level) {
        let path = configFile ?? environment["CASELOAD_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        let file = try path.map(fileLayer(path:)) ?? [:]
        return try resolve([flags, environmentLayer(environment), file])
    }

    /// The layer of `CASELOAD_*` environment variables.
    public static func environmentLayer(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Layer {
        var layer: Layer = [:]
        for name in settingNames {
            if let value = environment["CASELOAD_" + name.uppercased()], !value.isEmpty { layer[name] = value }
        }
        return layer
    }

    /// Reads a config file: `name = value` lines, `#` comments, blank lines ignored.
    public static func fileLayer(path: String) throws -> Layer {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ConfigurationError("cannot read config file \(path)")
        }
        var layer: Layer = [:]
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let eq = line.firstIndex(of: "=") else {
                throw ConfigurationError("\(path):\(number + 1): expected `name = value`")
            }
            let name = line[..<eq].trimmingCharacters(in: .whitespaces)
            guard settingNames.contains(name) else {
                throw ConfigurationError("\(path):\(number + 1): unknown setting '\(name)' (known: \(settingNames.joined(separator: ", ")))")
            }
            layer[name] = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
        }
        return layer
    }

    /// Builds a configuration from layers, earlier layers winning (flags, environment, file).
    public static func resolve(_ layers: [Layer]) throws -> (ServerConfiguration, Logger.Level) {
        var merged: Layer = [:]
        for layer in layers.reversed() { merged.merge(layer) { _, new in new } }
        var c = ServerConfiguration()
        var level = Logger.Level.info
        func int(_ name: String, _ range: ClosedRange<Int64>) throws -> Int64? {
            guard let raw = merged[name] else { return nil }
            guard let v = Int64(raw), range.contains(v) else {
                throw ConfigurationError("\(name) must be an integer in \(range.lowerBound)...\(range.upperBound), not '\(raw)'")
            }
            return v
        }
        if let listen = merged["listen"] {
            guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
                throw ConfigurationError("listen must be host:port (port 0 = any free port), not '\(listen)'")
            }
            c.host = String(listen[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            c.port = port
        }
        if let listen = merged["metrics_listen"], !listen.isEmpty {
            guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
                throw ConfigurationError("metrics_listen must be host:port, not '\(listen)'")
            }
            c.metricsHost = String(listen[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            c.metricsPort = port
        }
        c.databaseURL = merged["database_url"]
        c.piiKey = merged["pii_key"]
        c.piiOldKeys = (merged["pii_old_keys"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        c.piiLookupKey = merged["pii_lookup_key"]
        c.tlsCertificatePath = merged["tls_certificate"].flatMap { $0.isEmpty ? nil : $0 }
        c.tlsPrivateKeyPath = merged["tls_private_key"].flatMap { $0.isEmpty ? nil : $0 }
        _ = try c.tlsFiles()
        if let v = try int("database_max_connections", 1...1000) { c.databaseMaximumConnections = Int(v) }
        if let v = try int("max_line_bytes", 1024...(64 << 20)) { c.limits.maximumLineLength = Int(v) }
        if let v = try int("max_batch", 1...10000) { c.limits.maximumBatchSize = Int(v) }
        if let v = try int("max_in_flight", 1...10000) { c.limits.maximumInFlightPerConnection = Int(v) }
        if let v = try int("idle_timeout_seconds", 1...86400) { c.limits.idleTimeoutSeconds = v }
        if let v = try int("request_deadline_seconds", 1...3600) { c.limits.requestDeadlineSeconds = v }
        if let v = try int("job_interval_seconds", 1...86400) { c.jobIntervalSeconds = v }
        if let v = try int("line_read_seconds", 1...3600) { c.limits.lineReadSeconds = v }
        if let v = try int("input_budget_bytes", 1 << 20...(16 << 30)) { c.limits.inputBudgetBytes = Int(v) }
        if let v = try int("max_connections", 1...1_000_000) { c.limits.maximumConnections = Int(v) }
        if let v = try int("max_connections_per_address", 1...1_000_000) { c.limits.maximumConnectionsPerAddress = Int(v) }
        if let v = try int("discover_per_minute", 1...100_000) { c.limits.discoverPerMinuteBeforeLogin = Int(v) }
        if let raw = merged["proxy_protocol"] {
            switch raw.lowercased() {
            case "true", "on", "yes", "1": c.proxyProtocol = true
            case "false", "off", "no", "0", "": c.proxyProtocol = false
            default: throw ConfigurationError("proxy_protocol must be true or false, not '\(raw)'")
            }
        }
        if let raw = merged["log_level"] {
            guard let l = Logger.Level(rawValue: raw.lowercased()) else {
                throw ConfigurationError("log_level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            level = l
        }
        return (c, level)
    }
}
