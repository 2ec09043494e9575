import CaseloadProtocol
import NIOCore
import NIOEmbedded

/// Fuzzes `LineFrameDecoder` in process: random byte streams (lines of random bytes, `\r`
/// in odd places, blank lines, lines around the limit, a last line without a newline) fed in
/// random pieces must come out as the reference splitter says: lines without their `\n` and
/// one trailing `\r`, blank ones dropped, and the first line over the limit refused with
/// nothing after it.
public enum FramingFuzz {
    public struct Report: Sendable {
        public var streams = 0
        public var lines = 0
        public var findingCount = 0
        public var findings: [String] = []
        public var duration: Duration = .zero
    }

    public static func run(streams: Int, seed: UInt64) -> Report {
        let started = ContinuousClock.now
        var random = FuzzRandom(seed: seed)
        let findings = FuzzFindings()
        var report = Report()
        for _ in 0..<streams {
            let limit = 1 + random.below(random.chance(1, in: 4) ? 300 : 24)
            let stream = makeStream(&random, limit: limit)
            let expected = reference(stream, limit: limit)
            report.lines += expected.count
            do {
                let actual = try decode(stream, limit: limit, &random)
                if actual != expected {
                    findings.record("limit \(limit), stream \(stream.fuzzDescription(limit: 300)): decoder gave \(actual.map(describe)), reference \(expected.map(describe))")
                }
            } catch {
                findings.record("limit \(limit), stream \(stream.fuzzDescription(limit: 300)): decoder threw \(error)")
            }
            report.streams += 1
        }
        report.findingCount = findings.count
        report.findings = findings.samples
        report.duration = ContinuousClock.now - started
        return report
    }

    public enum Frame: Equatable, Sendable {
        case line([UInt8])
        case tooLong
    }

    static func describe(_ frame: Frame) -> String {
        switch frame {
        case .line(let bytes): "line(\(bytes.fuzzDescription(limit: 40)))"
        case .tooLong: "tooLong"
        }
    }

    static func makeStream(_ random: inout FuzzRandom, limit: Int) -> [UInt8] {
        var stream: [UInt8] = []
        for _ in 0..<random.below(8) {
            let length: Int
            switch random.below(6) {
            case 0: length = limit
            case 1: length = limit + 1
            case 2: length = max(0, limit - 1)
            default: length = random.below(limit * 2 + 2)
            }
            for _ in 0..<length {
                var byte = random.chance(1, in: 6) ? random.pick([0x0D, 0x20, 0x09, 0x0D]) : UInt8(truncatingIfNeeded: random.next())
                if byte == 0x0A { byte = 0x41 }
                stream.append(byte)
            }
            stream += random.pick([[0x0A], [0x0D, 0x0A], [0x0D, 0x0D, 0x0A], [0x0A, 0x0A], [0x20, 0x0A]])
        }
        if random.chance(1, in: 2) {
            // A last line without its newline.
            for _ in 0..<random.below(limit + 3) { stream.append(random.pick([0x61, 0x0D, 0x20, 0xFF])) }
        }
        return stream
    }

    /// What the decoder must deliver for `stream` followed by the end of input.
    static func reference(_ stream: [UInt8], limit: Int) -> [Frame] {
        var frames: [Frame] = []
        var lines = stream.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        let last = lines.removeLast()  // after the final \n: the unterminated remainder (maybe empty)
        for var line in lines + [last] {
            if line.last == 0x0D { line.removeLast() }
            if line.count > limit {
                frames.append(.tooLong)
                return frames
            }
            if !LineOracle.isBlank(line) { frames.append(.line(line)) }
        }
        return frames
    }

    /// Feeds `stream` to a real decoder in random pieces, then ends the input.
    static func decode(_ stream: [UInt8], limit: Int, _ random: inout FuzzRandom) throws -> [Frame] {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(LineFrameDecoder(maximumLineLength: limit)))
        var frames: [Frame] = []
        func drain() throws {
            while let frame = try channel.readInbound(as: LineFrame.self) {
                switch frame {
                case .line(let buffer): frames.append(.line(Array(buffer.readableBytesView)))
                case .tooLong: frames.append(.tooLong)
                }
            }
        }
        var offset = 0
        while offset < stream.count {
            let n = min(stream.count - offset, random.chance(1, in: 3) ? 1 : 1 + random.below(limit * 2 + 4))
            try channel.writeInbound(ByteBuffer(bytes: stream[offset..<offset + n]))
            try drain()
            offset += n
        }
        // The peer half-closes: the decoder sees the end of input (decodeLast).
        channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        try drain()
        _ = try channel.finish(acceptAlreadyClosed: true)
        try drain()
        return frames
    }
}
