import CaseloadCore
/// Everything the server needs to know at start-up. Filled from flags, `CASELOAD_*`
/// environment variables, an optional config file and these defaults, in that order.
public struct ServerConfiguration: Sendable, Hashable {
    /// Where to listen. Port 0 picks any free port (the chosen address is printed).
    public var host = "127.0.0.1"
    public var port = 7420
    /// The server's own database URL: a login role that is a member of `caseload_app`.
    public var databaseURL: String?
    public var databaseMaximumConnections = 20
    public var limits = Limits()
    /// How failed logins are slowed and limited per source address (not in the config file:
    /// the defaults suit a server on the internet; tests that share one address raise them).
    public var loginPolicy = LoginThrottle.Policy()
    /// Seconds between rounds of the scheduled jobs (missed deadlines, due reminders, renewals).
    public var jobIntervalSeconds: Int64 = 60
    /// Where the Prometheus metrics listener binds (`metrics_listen`, plain HTTP); nil = off.
    public var metricsHost = "127.0.0.1"
    public var metricsPort: Int?
    /// Keys for personal data at rest: `id:base64` (active), older `id:base64` keys, and the
    /// lookup-hash key (base64). Required: the server does not start without them.
    public var piiKey: String?
    public var piiOldKeys: [String] = []
    public var piiLookupKey: String?
    /// TLS on the listener: PEM files of the certificate chain (the server's certificate first)
    /// and its private key. Both or neither; neither means plain TCP.
    public var tlsCertificatePath: String?
    public var tlsPrivateKeyPath: String?
    /// Refuse to start when the database role could bypass row-level security.
    public var requireSafeDatabaseRole = true
    /// Every connection starts with a PROXY protocol header (v1 or v2) from a TCP load balancer
    /// (HAProxy `send-proxy-v2`), whose client address the server then uses, e.g. to limit failed
    /// logins per client. Connections without one are closed: turn it on only when every
    /// client comes through the balancer, and firewall the port from everyone else.
    public var proxyProtocol = false
    /// Where the business rules' today comes from: the system clock, unless a test (or the
    /// debug-only `serve --today` hook) pins it to another day. Not in the file or the
    /// environment, so no deployment can set it by accident.
    public var clock = BusinessClock.system
    /// Check every reply against its method's declared result schema; a reply that breaks it is
    /// logged and answered `internal_error`, so a schema cannot drift from what is sent. On in
    /// debug builds (every test runs one), off in release builds.
    #if DEBUG
        public var validateReplies = true
    #else
        public var validateReplies = false
    #endif

    public init() {}

    /// Protocol limits; docs/protocol.md lists them with these defaults.
    public struct Limits: Sendable, Hashable {
        /// Longest line accepted, in bytes. Longer: an error reply, then the connection closes.
        public var maximumLineLength = 1 << 20
        /// Most requests in one batch.
        public var maximumBatchSize = 100
        /// Most requests of one connection being worked on at once; beyond it the server
        /// stops reading that connection until one finishes.
        public var maximumInFlightPerConnection = 32
        /// A connection with no traffic and no request in flight for this long is closed.
        public var idleTimeoutSeconds: Int64 = 300
        /// A request still running after this long is answered with `deadline_exceeded`.
        public var requestDeadlineSeconds: Int64 = 30
        /// A line must be finished (its newline received) within this long of its first byte;
        /// else an error line, and the connection closes (a slow sender holds a buffer).
        public var lineReadSeconds: Int64 = 30
        /// Bytes held in unfinished lines across all connections; the connection that would go
        /// over is refused with `request_too_large` and closed.
        public var inputBudgetBytes = 64 << 20
        /// Open connections in all, and from one client address (the PROXY header's, behind a
        /// balancer that sends one; else the balancer's own, so raise it there). A connection
        /// over either gets a `rate_limited` line and is closed.
        public var maximumConnections = 4096
        public var maximumConnectionsPerAddress = 256
        /// `rpc.discover` before login: calls per minute from one client address (it is the
        /// largest reply, 100 KB for a 60-byte request). Logged-in callers are not limited.
        public var discoverPerMinuteBeforeLogin = 30

        public init() {}
    }
}
