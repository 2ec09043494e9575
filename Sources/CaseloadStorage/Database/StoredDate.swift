import CaseloadCore
import NIOCore
import PostgresNIO

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

/// A calendar date binds as a PostgreSQL `date` (binary: days since 2000-01-01), not as text
/// cast with `::date`: text-to-date depends on DateStyle, so PostgreSQL cannot fold the cast
/// while planning, and a filter such as `due_date <= $1::date` then could not use an index
/// and `$1::date IS NULL` could not drop out of a custom plan (the agenda's deadline read
/// scanned every pending deadline of the agency).
extension CalendarDate: PostgresNonThrowingEncodable {
    /// 1970-01-01 to 2000-01-01, PostgreSQL's date epoch.
    static let postgresEpochOffset = 10_957

    public static var psqlType: PostgresDataType { .date }
    public static var psqlFormat: PostgresFormat { .binary }

    public func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        // Dates are clamped to 1900...2100 (CalendarDate.minimum...maximum): far inside Int32.
        byteBuffer.writeInteger(Int32(clamping: daysSinceEpoch - Self.postgresEpochOffset))
    }
}
