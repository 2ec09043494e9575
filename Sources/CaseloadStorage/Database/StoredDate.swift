import CaseloadCore

/// A stored value the server cannot read back (never its content): an `internal_error` for
/// the call, logged, rather than a trap for every agency.
public struct StoredValueError: Error, Sendable {
    public var column: String
}

extension CalendarDate {
    /// A `date` column selected as text (`d::text`, which is `YYYY-MM-DD` under PostgreSQL's
    /// ISO DateStyle, its default).
    static func stored(_ text: String, column: String) throws -> CalendarDate {
        guard let date = CalendarDate(iso: text) else { throw StoredValueError(column: column) }
        return date
    }
}
