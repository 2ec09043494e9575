import PostgresNIO
import Synchronization

/// A statement that every call of a hot method runs: postgres-nio prepares it (a named
/// statement) the first time it runs on a connection and keeps it, so PostgreSQL parses
/// and plans it once per connection instead of on every call (as `pgbench -M prepared` does).
///
/// The first use on a connection fixes the parameters' types, so every statement states
/// them (`bindingDataTypes`) and its binds must be of exactly those types (NULL allowed).
/// Values are still binds, never spliced into the text.
protocol PreparedQuery: PostgresPreparedStatement where Row == PostgresRow {
    var bindings: PostgresBindings { get }
}

extension PreparedQuery {
    /// The statement's name on each connection: its type's qualified name without the module
    /// ("CaseStore.GetStatement"), so two stores' `GetStatement`s never share one (postgres-nio
    /// keys its prepared statements by name), and short of PostgreSQL's 63-byte limit.
    static var name: String {
        let qualified = String(reflecting: Self.self)
        return qualified.hasPrefix("CaseloadStorage.") ? String(qualified.dropFirst("CaseloadStorage.".count)) : qualified
    }
    func makeBindings() -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) -> PostgresRow { row }
}

extension PostgresConnection {
    /// Runs a prepared statement; its rows, as `query` returns them.
    func run<Statement: PreparedQuery>(_ statement: Statement, logger: Logger) async throws -> [PostgresRow] {
        assert(PreparedNames.register(Statement.name, sql: Statement.sql), "two prepared statements are both named \(Statement.name)")
        var rows: [PostgresRow] = []
        for try await row in try await execute(statement, logger: logger) { rows.append(row) }
        return rows
    }
}

/// `Database.withAgency`'s first statement: who the transaction acts for, its timeouts, and
/// whether it may write (`transaction_read_only` is what SET TRANSACTION READ ONLY sets).
struct AgencyContextStatement: PreparedQuery {
    static let sql = """
        SELECT set_config('caseload.agency_id', $1, true), set_config('caseload.user_id', $2, true),
               set_config('caseload.system', $3, true), set_config('caseload.method', $4, true),
               set_config('statement_timeout', $5, true), set_config('lock_timeout', $5, true),
               set_config('transaction_read_only', $6, true)
        """
    static let bindingDataTypes: [PostgresDataType] = [.text, .text, .text, .text, .text, .text]
    var bindings: PostgresBindings
}

/// `AgencyContextStatement` on a Citus cluster (schema/021): the same settings as SET LOCAL
/// statements, which Citus sends along to the workers (`set_config(..., true)` stays on the
/// coordinator, where no row lives), plus the user's role and companies, looked up there.
/// Same binds, in the same order.
struct CitusAgencyContextStatement: PreparedQuery {
    static let sql = "SELECT caseload_citus_context($1, $2, $3, $4, $5, $6)"
    static let bindingDataTypes: [PostgresDataType] = [.text, .text, .text, .text, .text, .text]
    var bindings: PostgresBindings
}

extension PostgresBindings {
    /// Binds in order; nil is NULL.
    init(_ values: (any PostgresDynamicTypeEncodable)?...) {
        self.init(capacity: values.count)
        for value in values {
            if let value { append(value) } else { appendNull() }
        }
    }
}

/// Debug builds check that no two statements share a name: postgres-nio would run the one
/// prepared first with the other's binds.
enum PreparedNames {
    static let seen = Mutex<[String: String]>([:])

    static func register(_ name: String, sql: String) -> Bool {
        seen.withLock { seen in
            if let known = seen[name] { return known == sql }
            seen[name] = sql
            return true
        }
    }
}
