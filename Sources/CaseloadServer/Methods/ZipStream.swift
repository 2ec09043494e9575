import CaseloadCore
import Foundation
import ZIPFoundation

#if canImport(CZlib)
// The zlib module ZIPFoundation itself deflates with on Linux (on Apple platforms it uses the
// Compression framework, which cannot flush mid-stream: there the streamed entry is stored).
import CZlib
#endif

/// A ZIP archive (PKWARE APPNOTE 6.3, no ZIP64) written a piece at a time, with everything it
/// must remember between pieces in a small `Codable` value, so the pieces can be made by
/// different calls, even on different server instances (the state travels in the sealed
/// report cursor).
///
/// ZIPFoundation does the CRC-32s and deflates the small fixed parts. Its `Archive` cannot
/// write the container here: it needs the whole archive in memory or in a file, and each
/// entry's size before the entry is written, while a report's sheet arrives a page per call, of
/// unknown length. So a sheet is one *streamed* entry, its CRC-32 and sizes carried forward and
/// written after its data in a data descriptor (general purpose flag bit 3). Its data is
/// deflated a piece per call by a fresh compressor that ends with a sync flush (byte-aligned,
/// not final), so the pieces concatenate into one deflate stream, which the last call ends
/// (as pigz does); without zlib's module it is stored.
struct ZipStream: Codable, Sendable {
    /// An entry already written, for the central directory.
    struct Entry: Codable, Sendable {
        var name: String
        var method: UInt16
        var flags: UInt16
        var crc: UInt32
        var compressedSize: UInt32
        var size: UInt32
        var offset: UInt32
    }

    /// The streamed entry being written.
    struct Open: Codable, Sendable {
        var name: String
        var offset: UInt32
        var method: UInt16
        var crc: UInt32
        var size: UInt32
        var compressedSize: UInt32
    }

    /// The archive grew past what a ZIP without ZIP64 can address (4 GiB).
    struct TooLarge: Error {}

    /// The calls came out of order (an entry begun twice, data with none open, …): a bug, but
    /// one call's, so it fails that call rather than stopping the server.
    struct OutOfOrder: Error {}

    private(set) var offset: UInt32 = 0
    private(set) var entries: [Entry] = []
    private(set) var open: Open?
    /// The entries' modification date, in MS-DOS form (time 00:00).
    var dosDate: UInt16

    /// An archive whose entries are dated `date` (the report's as-of day).
    init(date: CalendarDate) {
        let year = min(max(date.year, 1980), 2107)
        dosDate = UInt16((year - 1980) << 9 | date.month << 5 | date.day)
    }

    private static let stored: UInt16 = 0
    private static let deflated: UInt16 = 8
    private static let dataDescriptor: UInt16 = 1 << 3

    /// A whole entry, deflated.
    mutating func add(_ name: String, _ data: Data) throws -> Data {
        var compressed = Data()
        let crc = try Data.compress(size: Int64(data.count), bufferSize: 64 * 1024, provider: { position, size in
            data.subdata(in: Int(position)..<Int(position) + size)
        }, consumer: { compressed.append($0) })
        let entry = Entry(
            name: name, method: Self.deflated, flags: 0, crc: crc, compressedSize: try Self.size(compressed.count),
            size: try Self.size(data.count), offset: offset)
        var out = Self.localHeader(entry, dosDate: dosDate)
        out.append(compressed)
        try advance(by: out.count)
        entries.append(entry)
        return out
    }

    /// Starts a streamed entry; its data follows with `append`, and `finishEntry` ends it.
    mutating func beginEntry(_ name: String) throws -> Data {
        guard open == nil else { throw OutOfOrder() }
        let entry = Entry(name: name, method: Self.streamedMethod, flags: Self.dataDescriptor, crc: 0, compressedSize: 0, size: 0, offset: offset)
        let out = Self.localHeader(entry, dosDate: dosDate)
        open = Open(name: name, offset: offset, method: Self.streamedMethod, crc: 0, size: 0, compressedSize: 0)
        try advance(by: out.count)
        return out
    }

    /// Data of the streamed entry; returns the bytes that go into the archive for it.
    mutating func append(_ data: Data) throws -> Data {
        guard var current = open else { throw OutOfOrder() }
        current.crc = data.crc32(checksum: current.crc)
        current.size = try Self.size(Int(current.size) + data.count)
        let written = current.method == Self.deflated ? try Self.deflatePiece(data, last: false) : data
        current.compressedSize = try Self.size(Int(current.compressedSize) + written.count)
        open = current
        try advance(by: written.count)
        return written
    }

    /// Ends the streamed entry (its deflate stream, then its data descriptor).
    mutating func finishEntry() throws -> Data {
        guard var current = open else { throw OutOfOrder() }
        var out = current.method == Self.deflated ? try Self.deflatePiece(Data(), last: true) : Data()
        current.compressedSize = try Self.size(Int(current.compressedSize) + out.count)
        out.append(le32: 0x0807_4B50)
        out.append(le32: current.crc)
        out.append(le32: current.compressedSize)
        out.append(le32: current.size)
        entries.append(Entry(
            name: current.name, method: current.method, flags: Self.dataDescriptor, crc: current.crc,
            compressedSize: current.compressedSize, size: current.size, offset: current.offset))
        open = nil
        try advance(by: out.count)
        return out
    }

    /// The central directory and its end record: the archive's last bytes.
    mutating func finish() throws -> Data {
        guard open == nil else { throw OutOfOrder() }
        var directory = Data()
        for entry in entries {
            let name = Data(entry.name.utf8)
            directory.append(le32: 0x0201_4B50)
            directory.append(le16: 20)  // made by: MS-DOS attributes, version 2.0
            Self.appendDescription(entry, dosDate: dosDate, to: &directory)
            directory.append(le16: 0)  // comment
            directory.append(le16: 0)  // disk
            directory.append(le16: 0)  // internal attributes
            directory.append(le32: 0)  // external attributes
            directory.append(le32: entry.offset)
            directory.append(name)
        }
        let start = offset
        try advance(by: directory.count)
        var out = directory
        out.append(le32: 0x0605_4B50)
        out.append(le16: 0)
        out.append(le16: 0)
        out.append(le16: UInt16(truncatingIfNeeded: entries.count))
        out.append(le16: UInt16(truncatingIfNeeded: entries.count))
        out.append(le32: try Self.size(directory.count))
        out.append(le32: start)
        out.append(le16: 0)
        return out
    }

    private static func localHeader(_ entry: Entry, dosDate: UInt16) -> Data {
        let name = Data(entry.name.utf8)
        var out = Data()
        out.append(le32: 0x0403_4B50)
        // With a data descriptor, the CRC and sizes are zero here and written after the data.
        appendDescription(entry, dosDate: dosDate, to: &out)
        out.append(name)
        return out
    }

    /// What a local header and a central directory record both say of an entry, in the same
    /// order: version needed, flags, method, time and date, CRC, sizes, name and extra lengths.
    private static func appendDescription(_ entry: Entry, dosDate: UInt16, to out: inout Data) {
        out.append(le16: 20)  // needed to extract: 2.0 (deflate)
        out.append(le16: entry.flags)
        out.append(le16: entry.method)
        out.append(le16: 0)
        out.append(le16: dosDate)
        out.append(le32: entry.crc)
        out.append(le32: entry.compressedSize)
        out.append(le32: entry.size)
        out.append(le16: UInt16(truncatingIfNeeded: entry.name.utf8.count))
        out.append(le16: 0)  // extra field
    }

    /// Deflate where zlib's module is there, else stored.
    #if canImport(CZlib)
    private static let streamedMethod = deflated
    #else
    private static let streamedMethod = stored
    #endif

    /// zlib refused to deflate (it only does when out of memory or misused).
    struct DeflateFailed: Error {}

    /// Raw deflate of one piece of a streamed entry by a compressor of its own (nothing of it
    /// outlives the call): not the `last` piece, it ends with a sync flush, byte-aligned and not
    /// final, so the next piece's blocks can follow; the last ends the stream.
    static func deflatePiece(_ data: Data, last: Bool) throws -> Data {
        #if canImport(CZlib)
        var stream = z_stream()
        guard deflateInit2_(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK
        else { throw DeflateFailed() }
        defer { deflateEnd(&stream) }
        var input = [UInt8](data)
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var out = Data()
        let flush = last ? Z_FINISH : Z_SYNC_FLUSH
        try input.withUnsafeMutableBufferPointer { source in
            stream.next_in = source.baseAddress
            stream.avail_in = UInt32(source.count)
            while true {
                let status = buffer.withUnsafeMutableBufferPointer { target -> Int32 in
                    stream.next_out = target.baseAddress
                    stream.avail_out = UInt32(target.count)
                    return deflate(&stream, flush)
                }
                guard status == Z_OK || status == Z_STREAM_END else { throw DeflateFailed() }
                out.append(contentsOf: buffer[..<(buffer.count - Int(stream.avail_out))])
                // Done when the stream ended (last) or the flush fit with room to spare.
                if status == Z_STREAM_END || (!last && stream.avail_out > 0) { break }
            }
        }
        return out
        #else
        return data
        #endif
    }

    private mutating func advance(by count: Int) throws {
        offset = try Self.size(Int(offset) + count)
    }

    private static func size(_ value: Int) throws -> UInt32 {
        guard let size = UInt32(exactly: value) else { throw TooLarge() }
        return size
    }
}

extension Data {
    fileprivate mutating func append(le16 value: UInt16) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    fileprivate mutating func append(le32 value: UInt32) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
