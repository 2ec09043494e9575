import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// How a file's bytes become text: UTF-8, or GB18030 (what Excel writes for "CSV" on a
/// Chinese Windows; GBK and GB2312 are subsets of it). `auto` takes valid UTF-8 (with or
/// without a byte order mark) as UTF-8 and anything else as GB18030.
enum TextEncoding: String, CaseIterable, ExpressibleByArgument, Sendable {
    case auto
    case utf8
    case gb18030

    init?(argument: String) {
        switch argument.lowercased() {
        case "auto": self = .auto
        case "utf8", "utf-8": self = .utf8
        case "gb18030", "gbk", "gb2312": self = .gb18030
        default: return nil
        }
    }

    static let help = "Text encoding of the file: auto (UTF-8 if the bytes are valid UTF-8, else GB18030), utf8, or gb18030 (also reads GBK/GB2312)."

    /// The text of `bytes`; a UTF-8 byte order mark is kept (the CSV reader drops it).
    func decode(_ bytes: [UInt8]) throws -> String {
        switch self {
        case .utf8:
            if let text = Self.utf8(bytes) { return text }
            let offset = Self.firstInvalidUTF8Offset(bytes) ?? 0
            throw CLIError(L(en: "the file is not valid UTF-8 (byte \(offset)); if Excel saved it, try --encoding gb18030", zh: "文件不是有效的 UTF-8（第 \(offset) 字节）；如果是 Excel 保存的，请试 --encoding gb18030"))
        case .gb18030:
            return try Self.gb18030(bytes)
        case .auto:
            if let text = Self.utf8(bytes) { return text }
            return try Self.gb18030(bytes)
        }
    }

    /// The bytes as UTF-8 if they are valid UTF-8, else nil (no repair).
    static func utf8(_ bytes: [UInt8]) -> String? {
        String(validating: bytes, as: UTF8.self)
    }

    /// The offset of the first byte that does not start or continue a valid UTF-8 sequence.
    static func firstInvalidUTF8Offset(_ bytes: [UInt8]) -> Int? {
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }

    /// GB18030 → UTF-8 with iconv. Bytes that are not GB18030 are refused, naming the offset.
    static func gb18030(_ bytes: [UInt8]) throws -> String {
        #if canImport(Glibc)
        let converter = iconv_open("UTF-8", "GB18030")
        guard let converter, Int(bitPattern: UnsafeRawPointer(converter)) != -1 else {
            throw CLIError(L(en: "this system's iconv cannot convert GB18030; save the file as UTF-8 and use --encoding utf8", zh: "本系统的 iconv 无法转换 GB18030；请把文件另存为 UTF-8 并用 --encoding utf8"))
        }
        defer { iconv_close(converter) }
        if bytes.isEmpty { return "" }

        var input = bytes.map { CChar(bitPattern: $0) }
        // GB18030 never takes more bytes in UTF-8 than 3 per 2 (and 4 per 4); a little extra for safety.
        var output = [CChar](repeating: 0, count: bytes.count * 2 + 16)
        var produced = 0
        let consumed: Int = try input.withUnsafeMutableBufferPointer { inBuffer in
            var inPointer: UnsafeMutablePointer<CChar>? = inBuffer.baseAddress
            var inLeft = inBuffer.count
            while inLeft > 0 {
                let result = output.withUnsafeMutableBufferPointer { outBuffer -> (Int, Int32) in
                    var outPointer: UnsafeMutablePointer<CChar>? = outBuffer.baseAddress! + produced
                    var outLeft = outBuffer.count - produced
                    let status = iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft)
                    let error = status == -1 ? errno : 0
                    produced = outBuffer.count - outLeft
                    return (status, error)
                }
                guard result.0 == -1 else { continue }
                let offset = inBuffer.count - inLeft
                switch result.1 {
                case E2BIG:
                    output += [CChar](repeating: 0, count: output.count)
                case EINVAL:
                    throw CLIError(L(en: "the file ends inside a GB18030 character (byte \(offset)); is it really GB18030?", zh: "文件在一个 GB18030 字符中间结束（第 \(offset) 字节）；它真的是 GB18030 吗？"))
                default:
                    throw CLIError(L(en: "the file is not valid GB18030 (byte \(offset)); is it UTF-8? try --encoding utf8", zh: "文件不是有效的 GB18030（第 \(offset) 字节）；是 UTF-8 吗？请试 --encoding utf8"))
                }
            }
            return inBuffer.count
        }
        precondition(consumed == bytes.count)
        return String(decoding: output[..<produced].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        #else
        throw CLIError(L(en: "GB18030 files can only be read on Linux for now; save the file as UTF-8 and use --encoding utf8", zh: "目前只有 Linux 上能读 GB18030 文件；请把文件另存为 UTF-8 并用 --encoding utf8"))
        #endif
    }
}
