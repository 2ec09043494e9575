import Foundation
import Logging
import NIOCore
import PostgresNIO

/// Rows in PostgreSQL's `COPY … FROM STDIN` text format: tab between fields, newline after a
/// row, `\N` for NULL, and the backslash, tab, newline and carriage return escaped inside a
/// field. Bulk loads (demo and benchmark data) write with it: one statement streams any number
/// of rows, which is what makes seeding a million cases take seconds instead of hours.
public struct CopyText: Sendable {
    private(set) var buffer = ByteBufferAllocator().buffer(capacity: 1 << 16)
    private var fieldsInRow = 0

    public init() {}

    /// Bytes waiting to be sent.
    public var byteCount: Int { buffer.readableBytes }

    /// One text field (NULL when nil).
    public mutating func field(_ value: String?) {
        separate()
        guard let value else { return nullField() }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
            case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
            case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
            case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
            default: buffer.writeInteger(byte)
            }
        }
    }

    public mutating func field(_ value: UUID?) { field(value?.uuidString) }
    public mutating func field(_ value: Int?) { field(value.map(String.init)) }
    public mutating func field(_ value: Bool?) { field(value.map { $0 ? "t" : "f" }) }

    /// A timestamptz, as ISO 8601 in UTC with milliseconds.
    public mutating func field(_ value: Date?) {
        field(value.map { $0.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted)) })
    }

    /// A bytea, in hex (`\x…`; the backslash itself escaped for the text format).
    public mutating func field(bytes: [UInt8]?) {
        separate()
        guard let bytes else { return nullField() }
        buffer.writeStaticString("\\\\x")
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        for byte in bytes {
            buffer.writeInteger(digits[Int(byte >> 4)])
            buffer.writeInteger(digits[Int(byte & 0x0f)])
        }
    }

    /// Ends the current row.
    public mutating func endRow() {
        buffer.writeInteger(UInt8(ascii: "\n"))
        fieldsInRow = 0
    }

    /// Takes the bytes written so far, leaving the encoder empty (at a row boundary).
    public mutating func take() -> ByteBuffer {
        defer { buffer.clear() }
        return buffer
    }

    private mutating func separate() {
        if fieldsInRow > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
        fieldsInRow += 1
    }

    private mutating func nullField() {
        buffer.writeStaticString("\\N")
    }
}

extension PostgresConnection {
    /// `COPY table (columns) FROM STDIN` of `rows`, each written by `encode` (its fields in
    /// `columns`' order; the row is ended for it). The bytes go out each time they pass 256 KiB,
    /// so memory stays flat whatever the row count. Table and column names are the caller's
    /// constants (they are not bound).
    public func copy<Rows: Sequence>(
        into table: StaticString, columns: [StaticString], rows: Rows, logger: Logger, encode: (Rows.Element, inout CopyText) throws -> Void
    ) async throws {
        try await copyFrom(table: "\(table)", columns: columns.map { "\($0)" }, logger: logger) { writer in
            var text = CopyText()
            for row in rows {
                try encode(row, &text)
                text.endRow()
                if text.byteCount >= 1 << 18 { try await writer.write(text.take()) }
            }
            if text.byteCount > 0 { try await writer.write(text.take()) }
        }
    }
}
