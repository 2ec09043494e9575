import CaseloadCore
import CaseloadProtocol
import Foundation

/// Methods about the server itself: liveness, version, and the OpenRPC description.
enum SystemMethods {
    struct PingParams: Decodable, Sendable {
        var delayMs: Int?
        enum CodingKeys: String, CodingKey { case delayMs = "delay_ms" }
    }

    static var all: [RPCMethod] {
        [
            .define(
                "system.ping",
                summary: "Liveness check: answers `pong`. No login needed. `delay_ms` holds the reply back, for testing pipelining and timeouts.",
                params: [.optional("delay_ms", .integer(minimum: 0, maximum: 10_000), "Wait this long before answering (default 0)")],
                result: .string(enum: ["pong"]), access: .anyone
            ) { (params: PingParams, _) in
                if let delay = params.delayMs, delay > 0 { try await Task.sleep(for: .milliseconds(delay)) }
                return "pong"
            },
            .define(
                "system.health",
                summary: "Readiness for load balancers and monitors: whether this instance reaches PostgreSQL, its connections and watch subscriptions. No login needed; `status` is `ok` or `degraded`.",
                result: .object([
                    .required("status", .string(enum: ["ok", "degraded"]), "ok when the database answers"),
                    .required("database", .string(enum: ["ok", "unavailable"]), "Whether a query just ran"),
                    .required("subscriptions", .integer(minimum: 0), "Watch subscriptions on this instance"),
                    .required("version", .string, "Server version"),
                ]),
                access: .anyone
            ) { (_: NoParams, context) -> JSONValue in
                // Answer within a second either way: a balancer's check must not time out
                // just because PostgreSQL is away (connecting alone may take 5 s).
                let (answers, answer) = AsyncStream.makeStream(of: Bool.self)
                let database = context.database
                Task { answer.yield(await database.ping()) }
                Task {
                    try? await Task.sleep(for: .seconds(1))
                    answer.yield(false)
                }
                var first = answers.makeAsyncIterator()
                let reachable = await first.next() ?? false
                answer.finish()
                return [
                    "status": .string(reachable ? "ok" : "degraded"), "database": .string(reachable ? "ok" : "unavailable"),
                    "subscriptions": .int(Int64(context.services.events.count)), "version": .string(context.services.version),
                ]
            },
            .define(
                "system.version",
                summary: "The server's version and protocol version. No login needed.",
                result: .object([
                    .required("server", .string, "Caseload server version"),
                    .required("protocol", .string, "Protocol version: JSON-RPC 2.0, line-delimited; Caseload protocol 1"),
                ]),
                access: .anyone
            ) { (_: NoParams, context) -> JSONValue in
                ["server": .string(context.services.version), "protocol": "1"]
            },
            .define(
                "rpc.discover",
                summary: "The OpenRPC 1.x document describing every method, generated from the registry that dispatches. Once per batch; before login, limited per client address (`discover_per_minute`).",
                result: .any, errors: [.rateLimited], access: .anyone
            ) { (_: NoParams, context) in
                try context.services.discovery.admit(context.session)
                return context.services.discovery.document
            },
        ]
    }
}
