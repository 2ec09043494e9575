import CaseloadCore
import NIOCore
import PostgresNIO

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

/// A `date` column read as itself (binary days since 2000-01-01), not through `::text`: Citus
/// refuses a function that is not IMMUTABLE in RETURNING, and `date_out` depends on DateStyle.
/// A date outside what `CalendarDate` holds (or PostgreSQL's ±infinity) fails to decode, as
/// an unreadable stored value does.
extension CalendarDate: PostgresDecodable {
    public init<JSONDecoder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat, context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        guard type == .date, format == .binary else { throw PostgresDecodingError.Code.typeMismatch }
        guard buffer.readableBytes == 4, let days = buffer.readInteger(as: Int32.self) else { throw PostgresDecodingError.Code.failure }
        let sinceEpoch = Int(days) + Self.postgresEpochOffset
        guard (Self.minimum.daysSinceEpoch...Self.maximum.daysSinceEpoch).contains(sinceEpoch) else { throw PostgresDecodingError.Code.failure }
        self.init(daysSinceEpoch: sinceEpoch)
    }
}
