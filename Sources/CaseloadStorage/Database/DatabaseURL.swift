import Foundation
import PostgresNIO

/// A PostgreSQL connection URL: `postgres://user[:password]@host[:port]/database[?sslmode=...]`.
///
/// `host` may also be a query parameter naming a Unix socket folder (`?host=/run/postgresql`),
/// as libpq allows. The password is never part of `description`.
public struct DatabaseURL: Sendable, Hashable, CustomStringConvertible {
    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String
    public var socketPath: String?
    public var requireTLS: Bool

    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    public init(_ string: String) throws {
        guard let components = URLComponents(string: string),
            components.scheme == "postgres" || components.scheme == "postgresql"
        else {
            throw Invalid(description: "database URL must look like postgres://user@host:port/database")
        }
        guard let user = components.user, !user.isEmpty else {
            throw Invalid(description: "database URL has no user name")
        }
        self.user = user.removingPercentEncoding ?? user
        self.password = components.password?.removingPercentEncoding
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        self.socketPath = query["host"].flatMap { $0.hasPrefix("/") ? $0 : nil }
        self.host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1"
        self.port = components.port ?? 5432
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !path.isEmpty else { throw Invalid(description: "database URL names no database") }
        self.database = path
        self.requireTLS = ["require", "verify-ca", "verify-full"].contains(query["sslmode"] ?? "")
    }

    /// The same server and credentials, another database.
    public func with(database: String) -> DatabaseURL {
        var copy = self
        copy.database = database
        return copy
    }

    /// The same server and database, another user (no password).
    public func with(user: String) -> DatabaseURL {
        var copy = self
        copy.user = user
        copy.password = nil
        return copy
    }

    public var description: String {
        let location = socketPath.map { "\(host)?host=\($0)" } ?? "\(host):\(port)"
        return "postgres://\(user)@\(location)/\(database)"
    }

    public func clientConfiguration() -> PostgresClient.Configuration {
        if let socketPath {
            return .init(unixSocketPath: "\(socketPath)/.s.PGSQL.\(port)", username: user, password: password, database: database)
        }
        let tls: PostgresClient.Configuration.TLS = requireTLS ? .require(.makeClientConfiguration()) : .disable
        return .init(host: host, port: port, username: user, password: password, database: database, tls: tls)
    }

    /// For single connections (admin commands, migrations) that need no pool.
    public func connectionConfiguration() throws -> PostgresConnection.Configuration {
        if let socketPath {
            return .init(unixSocketPath: "\(socketPath)/.s.PGSQL.\(port)", username: user, password: password, database: database)
        }
        let tls: PostgresConnection.Configuration.TLS = requireTLS ? .require(try .init(configuration: .makeClientConfiguration())) : .disable
        return .init(host: host, port: port, username: user, password: password, database: database, tls: tls)
    }
}
