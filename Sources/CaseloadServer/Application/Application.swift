import CaseloadCore
import Foundation
import CaseloadStorage
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

/// The whole server, assembled: database pool, method registry, TCP listener, run together
/// as a ServiceGroup. `caseload-server serve` and the tests both build it here.
public final class Application: Sendable {
    public static let version = "0.1.0"

    public let configuration: ServerConfiguration
    public let database: Database
    public let server: RPCServer
    public let registry: MethodRegistry
    private let group: ServiceGroup

    /// Every method the server offers, in the order docs list them.
    public static func makeRegistry() -> MethodRegistry {
        MethodRegistry([
            SystemMethods.all, LabelMethods.all, AuthMethods.all, CompanyMethods.all, UserMethods.all, ApplicantMethods.all, PointsMethods.all,
            CaseMethods.all, DocumentMethods.all, LocationMethods.all, ArchiveMethods.all, DeadlineMethods.all, CalendarMethods.all,
            ReportMethods.all, ImportMethods.all, TokenMethods.all, AuditMethods.all, WatchMethods.all, AgendaMethods.all, BulkMethods.all,
            SearchMethods.all, NoticeMethods.all,
        ])
    }

    /// Builds the server. `gracefulShutdownSignals` are the signals that start a graceful
    /// shutdown (the binary passes SIGTERM and SIGINT; tests pass none and call `shutdown()`).
    public init(configuration: ServerConfiguration, logger: Logger, gracefulShutdownSignals: [UnixSignal] = []) throws {
        guard let urlString = configuration.databaseURL else {
            throw ConfigurationError("no database configured: set CASELOAD_DATABASE_URL or pass --database-url")
        }
        let url: DatabaseURL
        do { url = try DatabaseURL(urlString) } catch { throw ConfigurationError("CASELOAD_DATABASE_URL: \(error)") }
        let database = Database(
            url: url, logger: logger, maximumConnections: configuration.databaseMaximumConnections,
            statementTimeoutSeconds: configuration.limits.requestDeadlineSeconds)
        guard let piiKey = configuration.piiKey, let lookupKey = configuration.piiLookupKey else {
            throw ConfigurationError("no keys for personal data: set CASELOAD_PII_KEY and CASELOAD_PII_LOOKUP_KEY (`caseload-server admin generate-keys` makes them)")
        }
        let cipher: PIICipher
        do { cipher = try PIICipher(activeKey: piiKey, oldKeys: configuration.piiOldKeys, lookupKey: lookupKey) } catch {
            throw ConfigurationError("\(error)")
        }
        let cursors = try CursorSealer(lookupKey: lookupKey)
        // The stage tables are data: a malformed one stops the server before it listens.
        for kind in CaseKinds.all where !kind.problems().isEmpty {
            throw ConfigurationError("case kind \(kind.id) is malformed: \(kind.problems().joined(separator: "; "))")
        }
        let tls = try configuration.makeTLSContext()
        let registry = Self.makeRegistry()
        let events = EventHub(database: database, logger: logger)
        let metrics = Metrics(
            poolSize: configuration.databaseMaximumConnections, methods: registry.all.map(\.name), sharedReads: { database.sharedReadCounts })
        let services = ServerServices(
            database: database, configuration: configuration, version: Self.version, cipher: cipher,
            loginThrottle: LoginThrottle(policy: configuration.loginPolicy), events: events, metrics: metrics, cursors: cursors,
            discovery: Discovery(registry: registry, version: Self.version, perMinuteBeforeLogin: configuration.limits.discoverPerMinuteBeforeLogin))
        let dispatcher = Dispatcher(registry: registry, services: services, logger: logger)
        let handler = ConnectionHandler(dispatcher: dispatcher, limits: configuration.limits, logger: logger)
        let requireSafeRole = configuration.requireSafeDatabaseRole
        let server = RPCServer(
            host: configuration.host, port: configuration.port, tls: tls, proxyProtocol: configuration.proxyProtocol, handler: handler, logger: logger
        ) {
            if requireSafeRole { try await database.checkServerRole() }
        }
        self.configuration = configuration
        self.database = database
        self.server = server
        self.registry = registry
        var optional: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let port = configuration.metricsPort {
            optional.append(.init(service: MetricsServer(host: configuration.metricsHost, port: port, metrics: metrics, logger: logger)))
        }
        self.metrics = metrics
        self.group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: optional + [
                    .init(service: database.client),
                    .init(service: database.monitor()),
                    .init(service: EventListener(
                        url: url, database: database, hub: events, logger: logger, retryDelay: .seconds(1),
                        // A call's transaction ends within its deadline: a Citus poller that looks
                        // back that far (and a little more) hears every commit.
                        pollWindow: TimeInterval(configuration.limits.requestDeadlineSeconds + 5))),
                    .init(service: JobRunner(
                        database: database, interval: .seconds(configuration.jobIntervalSeconds), logger: logger,
                        clock: configuration.clock)),
                    .init(service: server, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup),
                ],
                gracefulShutdownSignals: gracefulShutdownSignals,
                logger: logger
            ))
    }

    /// Counters served on the metrics port.
    public let metrics: Metrics

    /// Runs until shut down; rethrows what stopped it abnormally.
    public func run() async throws {
        try await group.run()
    }

    /// Starts a graceful shutdown: stop accepting, let connections drain, close the pool.
    public func shutdown() async {
        await group.triggerGracefulShutdown()
    }
}

public struct ConfigurationError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
