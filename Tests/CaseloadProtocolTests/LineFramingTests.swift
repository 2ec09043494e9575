import CaseloadProtocol
import Foundation
import NIOCore
import NIOEmbedded
import Testing

@Suite("Line framing: LineFrameDecoder behind ByteToMessageHandler")
struct LineFrameDecoderTests {
    @Test("a line split across three writes arrives once, whole, only after its newline")
    func lineSplitAcrossWrites() throws {
        let channel = decoderChannel(maximumLineLength: 1024)
        try channel.writeInbound(string: #"{"jsonrpc":"2.0","#)
        #expect(try channel.drainFrames().isEmpty)
        try channel.writeInbound(string: #""id":1,"method""#)
        #expect(try channel.drainFrames().isEmpty)
        try channel.writeInbound(string: #":"ping"}"# + "\n")
        let frames = try channel.drainFrames()
        #expect(frames.map(\.summary) == [#"line:{"jsonrpc":"2.0","id":1,"method":"ping"}"#])
        _ = try channel.finish()
        #expect(try channel.drainFrames().isEmpty)
    }

    @Test("two lines in one write arrive as two frames, in order")
    func twoLinesInOneWrite() throws {
        let channel = decoderChannel(maximumLineLength: 1024)
        try channel.writeInbound(string: "first\nsecond\n")
        #expect(try channel.drainFrames().map(\.summary) == ["line:first", "line:second"])
    }

    @Test("a write holding one line and the start of the next delivers only the complete one")
    func lineAndAHalf() throws {
        let channel = decoderChannel(maximumLineLength: 1024)
        try channel.writeInbound(string: "one\ntw")
        #expect(try channel.drainFrames().map(\.summary) == ["line:one"])
        try channel.writeInbound(string: "o\n")
        #expect(try channel.drainFrames().map(\.summary) == ["line:two"])
    }

    @Test("a CRLF terminator is stripped entirely, LF alone too")
    func crlfStripped() throws {
        let channel = decoderChannel(maximumLineLength: 1024)
        try channel.writeInbound(string: "alpha\r\nbeta\ngamma\r\n")
        let frames = try channel.drainFrames()
        #expect(frames.map(\.summary) == ["line:alpha", "line:beta", "line:gamma"])
        #expect(frames.allSatisfy { !($0.lineBytes ?? []).contains(UInt8(ascii: "\r")) })
    }

    @Test("only a trailing CR is stripped; a CR inside the line is kept")
    func innerCRKept() throws {
        let channel = decoderChannel(maximumLineLength: 1024)
        try channel.writeInbound(string: "a\rb\r\n")
        #expect(try channel.drainFrames().map(\.lineBytes) == [Array("a\rb".utf8)])
    }

    @Test("blank and whitespace-only lines are skipped, never delivered")
    func blankLinesSkipped() throws {
        let channel = decoderChannel(maximumLineLength: 1024)
        try channel.writeInbound(string: "\n\r\n   \n\t\t\n \t \r\nreal\n\n  \nafter\n")
        #expect(try channel.drainFrames().map(\.summary) == ["line:real", "line:after"])
    }

    @Test("a line with leading whitespace and content is delivered as is")
    func leadingWhitespaceKept() throws {
        let channel = decoderChannel(maximumLineLength: 1024)
        try channel.writeInbound(string: "  {}\t\n")
        #expect(try channel.drainFrames().map(\.summary) == ["line:  {}\t"])
    }

    @Test("an oversize line without a newline yields exactly one tooLong, and nothing after it")
    func tooLongWithoutNewline() throws {
        let channel = decoderChannel(maximumLineLength: 8)
        try channel.writeInbound(string: "123456789")  // 9 bytes, no newline yet
        #expect(try channel.drainFrames().map(\.summary) == ["tooLong:8"])
        try channel.writeInbound(string: "more\nvalid\n")
        try channel.writeInbound(string: "also valid\n")
        #expect(try channel.drainFrames().isEmpty)
        _ = try channel.finish()
        #expect(try channel.drainFrames().isEmpty)
    }

    @Test("an oversize line trickling in is refused as soon as it passes the limit")
    func tooLongTrickle() throws {
        let channel = decoderChannel(maximumLineLength: 8)
        for chunk in ["1234", "5678"] {
            try channel.writeInbound(string: chunk)
            #expect(try channel.drainFrames().isEmpty)
        }
        try channel.writeInbound(string: "9")
        #expect(try channel.drainFrames().map(\.summary) == ["tooLong:8"])
        try channel.writeInbound(string: "\nok\n")
        #expect(try channel.drainFrames().isEmpty)
    }

    @Test("an oversize line that arrives whole with its newline yields one tooLong, and later lines are dropped")
    func tooLongWithNewline() throws {
        let channel = decoderChannel(maximumLineLength: 8)
        try channel.writeInbound(string: "ok\n123456789\nnext\nand next\n")
        #expect(try channel.drainFrames().map(\.summary) == ["line:ok", "tooLong:8"])
        try channel.writeInbound(string: "later\n")
        #expect(try channel.drainFrames().isEmpty)
        _ = try channel.finish()
        #expect(try channel.drainFrames().isEmpty)
    }

    @Test("a line of exactly the maximum length is accepted (LF, CRLF, trickled)")
    func exactlyMaximum() throws {
        let channel = decoderChannel(maximumLineLength: 8)
        try channel.writeInbound(string: "12345678\n")
        try channel.writeInbound(string: "abcdefgh\r\n")
        try channel.writeInbound(string: "ABCD")
        try channel.writeInbound(string: "EFGH")
        try channel.writeInbound(string: "\n")
        #expect(try channel.drainFrames().map(\.summary) == ["line:12345678", "line:abcdefgh", "line:ABCDEFGH"])
    }

    @Test("maximum + 1 bytes followed by a newline in one write is refused")
    func maximumPlusOne() throws {
        let channel = decoderChannel(maximumLineLength: 8)
        try channel.writeInbound(string: "123456789\n")
        #expect(try channel.drainFrames().map(\.summary) == ["tooLong:8"])
    }

    @Test("a maximum-length line whose CR and LF arrive in different writes is accepted")
    func exactlyMaximumCRLFSplit() throws {
        let channel = decoderChannel(maximumLineLength: 8)
        try channel.writeInbound(string: "12345678\r")
        try channel.writeInbound(string: "\n")
        #expect(try channel.drainFrames().map(\.summary) == ["line:12345678"])
    }

    @Test("invalid UTF-8 passes through framing unchanged, then parses as -32700 with a null id")
    func invalidUTF8() throws {
        let channel = decoderChannel(maximumLineLength: 1024)
        let payload: [UInt8] = Array(#"{"jsonrpc":"2.0","id":1,"method":""#.utf8) + [0xFF, 0xFE, 0xC3] + Array(#""}"#.utf8)
        try channel.writeInbound(bytes: payload + [UInt8(ascii: "\n")])
        try channel.writeInbound(bytes: [0xC0, 0x80, 0xED, 0xA0, 0x80, UInt8(ascii: "\r"), UInt8(ascii: "\n")])
        let frames = try channel.drainFrames()
        #expect(frames.map(\.lineBytes) == [payload, [0xC0, 0x80, 0xED, 0xA0, 0x80]])

        for frame in frames {
            let bytes = try #require(frame.lineBytes)
            let response = try #require(RPCParser.parseClientLine(Data(bytes), maximumBatchSize: 10).rejected)
            #expect(response.id == .null)
            #expect(response.error?.code == -32700)
            #expect(response.error?.knownCode == .parseError)
            #expect(response.result == nil)
        }
    }

    @Test("a final line without a newline is delivered at EOF")
    func finalLineAtEOF() throws {
        let channel = decoderChannel(maximumLineLength: 1024)
        try channel.writeInbound(string: "first\n{\"last\":")
        try channel.writeInbound(string: "true}")
        #expect(try channel.drainFrames().map(\.summary) == ["line:first"])
        _ = try channel.finish()
        #expect(try channel.drainFrames().map(\.summary) == [#"line:{"last":true}"#])
    }

    @Test("a final line ending in a lone CR is delivered without it at EOF")
    func finalLineWithCRAtEOF() throws {
        let channel = decoderChannel(maximumLineLength: 1024)
        try channel.writeInbound(string: "tail\r")
        _ = try channel.finish()
        #expect(try channel.drainFrames().map(\.summary) == ["line:tail"])
    }

    @Test("a half-close (inputClosed) also flushes the final line")
    func finalLineAtInputClosed() throws {
        let channel = decoderChannel(maximumLineLength: 1024)
        try channel.writeInbound(string: "partial")
        channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        #expect(try channel.drainFrames().map(\.summary) == ["line:partial"])
        _ = try channel.finish()
        #expect(try channel.drainFrames().isEmpty)
    }

    @Test("nothing at all is delivered at EOF when the buffer is empty or only held a lone CR")
    func emptyAtEOF() throws {
        let channel = decoderChannel(maximumLineLength: 1024)
        try channel.writeInbound(string: "done\n\r")
        #expect(try channel.drainFrames().map(\.summary) == ["line:done"])
        _ = try channel.finish()
        #expect(try channel.drainFrames().isEmpty)
    }

    @Test("a whitespace-only final line is skipped at EOF like any blank line")
    func whitespaceOnlyFinalLine() throws {
        let channel = decoderChannel(maximumLineLength: 1024)
        try channel.writeInbound(string: "{}\n  \t")
        #expect(try channel.drainFrames().map(\.summary) == ["line:{}"])
        _ = try channel.finish()
        #expect(try channel.drainFrames().isEmpty)
    }
}

@Suite("Line framing: LineFrameEncoder")
struct LineFrameEncoderTests {
    @Test("the encoder appends exactly one newline", arguments: ["{}", "", #"{"a":"b"}"#, "ends with newline\n", "中文"])
    func appendsOneNewline(payload: String) throws {
        let channel = EmbeddedChannel(handler: MessageToByteHandler(LineFrameEncoder()))
        try channel.writeOutbound(ByteBuffer(string: payload))
        let out = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(Array(out.readableBytesView) == Array(payload.utf8) + [UInt8(ascii: "\n")])
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        _ = try channel.finish()
    }

    @Test("encoder then decoder round-trips a line")
    func roundTrip() throws {
        var out = ByteBuffer()
        try LineFrameEncoder().encode(data: ByteBuffer(string: #"{"x":1}"#), out: &out)
        #expect(out.utf8String == "{\"x\":1}\n")

        let channel = decoderChannel(maximumLineLength: 1024)
        try channel.writeInbound(out)
        #expect(try channel.drainFrames().map(\.summary) == [#"line:{"x":1}"#])
    }
}
