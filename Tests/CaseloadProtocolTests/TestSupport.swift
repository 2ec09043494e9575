import CaseloadProtocol
import Foundation
import NIOCore
import NIOEmbedded
import Testing

// MARK: - Framing helpers

/// An `EmbeddedChannel` with only the line decoder in its pipeline.
func decoderChannel(maximumLineLength: Int) -> EmbeddedChannel {
    EmbeddedChannel(handler: ByteToMessageHandler(LineFrameDecoder(maximumLineLength: maximumLineLength)))
}

extension EmbeddedChannel {
    func writeInbound(string: String) throws {
        try writeInbound(ByteBuffer(string: string))
    }

    func writeInbound(bytes: [UInt8]) throws {
        try writeInbound(ByteBuffer(bytes: bytes))
    }

    /// Every frame the decoder has delivered so far, in order.
    func drainFrames() throws -> [LineFrame] {
        var frames: [LineFrame] = []
        while let frame = try readInbound(as: LineFrame.self) {
            frames.append(frame)
        }
        return frames
    }
}

extension LineFrame {
    /// A readable form for `#expect` failure messages: `line:<text>` or `tooLong:<limit>`.
    var summary: String {
        switch self {
        case .line(let buffer): "line:" + buffer.utf8String
        case .tooLong(let limit): "tooLong:\(limit)"
        }
    }

    var lineBytes: [UInt8]? {
        if case .line(let buffer) = self { return Array(buffer.readableBytesView) }
        return nil
    }
}

// MARK: - Parsing helpers

func parseClient(_ line: String, maximumBatchSize: Int = 10) -> RPCIncoming {
    RPCParser.parseClientLine(Data(line.utf8), maximumBatchSize: maximumBatchSize)
}

extension RPCIncoming {
    var singleRequest: RPCRequest? {
        if case .single(.request(let request)) = self { return request }
        return nil
    }

    var singleInvalid: RPCResponse? {
        if case .single(.invalid(let response)) = self { return response }
        return nil
    }

    var rejected: RPCResponse? {
        if case .rejected(let response) = self { return response }
        return nil
    }

    var batchEntries: [RPCEntry]? {
        if case .batch(let entries) = self { return entries }
        return nil
    }
}

extension RPCEntry {
    var request: RPCRequest? {
        if case .request(let request) = self { return request }
        return nil
    }

    var invalid: RPCResponse? {
        if case .invalid(let response) = self { return response }
        return nil
    }
}

/// Encodes with `WireJSON` and reads the bytes back as a generic JSON value.
func wireValue<T: Encodable>(_ value: T) throws -> JSONValue {
    try JSONDecoder().decode(JSONValue.self, from: WireJSON.encode(value))
}

func wireString<T: Encodable>(_ value: T) throws -> String {
    String(decoding: try WireJSON.encode(value), as: UTF8.self)
}

/// `depth` nested arrays: `[[[...]]]`.
func nestedArrays(depth: Int) -> String {
    String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
}
