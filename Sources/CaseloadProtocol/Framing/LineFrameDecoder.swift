import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One frame read off the wire.
public enum LineFrame: Sendable, Equatable {
    /// A line without its `\n` or `\r\n` terminator. Blank lines are skipped, never delivered.
    case line(ByteBuffer)
    /// The peer sent more than the maximum line length without a newline. Nothing more is
    /// delivered after this: the reader should answer with an error and close.
    case tooLong(limit: Int)
}

/// Splits a byte stream into lines (`\n`, also `\r\n`), refusing any line longer than
/// `maximumLineLength` bytes so a peer cannot make us buffer without bound.
public struct LineFrameDecoder: ByteToMessageDecoder, Sendable {
    public typealias InboundOut = LineFrame

    public let maximumLineLength: Int
    private var scanned = 0
    private var overflowed = false

    public init(maximumLineLength: Int) {
        precondition(maximumLineLength > 0)
        self.maximumLineLength = maximumLineLength
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if overflowed {
            // Discard everything after an oversize line; the connection is about to close.
            buffer.moveReaderIndex(to: buffer.writerIndex)
            return .needMoreData
        }
        let view = buffer.readableBytesView
        // Only look at bytes we have not scanned before, so a slow trickle stays linear.
        guard let offset = buffer.firstNewline(after: scanned) else {
            scanned = view.count
            // A trailing \r may be the first half of a CRLF whose \n has not arrived yet.
            let pending = view.count - (view.last == UInt8(ascii: "\r") ? 1 : 0)
            if pending > maximumLineLength {
                overflowed = true
                buffer.moveReaderIndex(to: buffer.writerIndex)
                context.fireChannelRead(wrapInboundOut(.tooLong(limit: maximumLineLength)))
            }
            return .needMoreData
        }
        let length = offset
        scanned = 0
        var line = buffer.readSlice(length: length)!
        buffer.moveReaderIndex(forwardBy: 1)  // the '\n'
        if line.readableBytesView.last == UInt8(ascii: "\r") {
            line.moveWriterIndex(to: line.writerIndex - 1)
        }
        if line.readableBytes > maximumLineLength {
            overflowed = true
            context.fireChannelRead(wrapInboundOut(.tooLong(limit: maximumLineLength)))
            return .continue
        }
        if Self.isBlank(line) {
            return .continue  // blank line: keep-alives and hand-typed sessions
        }
        context.fireChannelRead(wrapInboundOut(.line(line)))
        return .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        // A final line without a newline is still a message (e.g. `printf '{...}' | nc`).
        if !overflowed, buffer.readableBytes > 0 {
            var line = buffer.readSlice(length: buffer.readableBytes)!
            if line.readableBytesView.last == UInt8(ascii: "\r") { line.moveWriterIndex(to: line.writerIndex - 1) }
            if !Self.isBlank(line) { context.fireChannelRead(wrapInboundOut(.line(line))) }
        }
        return .needMoreData
    }
}

extension ByteBuffer {
    /// The offset (from the reader index) of the first `\n` at or after `offset`. A byte
    /// search in C: lines arrive in big chunks, and a loop over a view was the decoder's cost.
    public func firstNewline(after offset: Int = 0) -> Int? {
        withUnsafeReadableBytes { bytes in
            guard offset < bytes.count, let base = bytes.baseAddress,
                let found = memchr(base + offset, Int32(UInt8(ascii: "\n")), bytes.count - offset)
            else { return nil }
            return base.distance(to: UnsafeRawPointer(found))
        }
    }

    /// The offset (from the reader index) of the last `\n`.
    public func lastNewline() -> Int? {
        var last: Int?
        while let next = firstNewline(after: last.map { $0 + 1 } ?? 0) { last = next }
        return last
    }
}

extension LineFrameDecoder {
    static func isBlank(_ line: ByteBuffer) -> Bool {
        line.readableBytesView.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }
    }
}

/// Writes each outbound buffer followed by a `\n`.
public struct LineFrameEncoder: MessageToByteEncoder, Sendable {
    public typealias OutboundIn = ByteBuffer

    public init() {}

    public func encode(data: ByteBuffer, out: inout ByteBuffer) throws {
        var data = data
        out.writeBuffer(&data)
        out.writeInteger(UInt8(ascii: "\n"))
    }
}
