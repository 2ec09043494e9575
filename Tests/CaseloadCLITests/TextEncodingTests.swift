@testable import CaseloadCLI
import Testing

@Suite struct TextEncodingTests {
    /// `printf '张伟,上海' | iconv -f UTF-8 -t GB18030 | xxd -i`
    static let gb18030: [UInt8] = [0xd5, 0xc5, 0xce, 0xb0, 0x2c, 0xc9, 0xcf, 0xba, 0xa3]
    /// 😀 is one of GB18030's four-byte sequences.
    static let gb18030Emoji: [UInt8] = [0x94, 0x39, 0xfc, 0x36]

    @Test("GB18030 bytes decode with gb18030 and with auto; not with utf8")
    func gb18030() throws {
        #expect(try TextEncoding.gb18030.decode(Self.gb18030) == "张伟,上海")
        #expect(try TextEncoding.auto.decode(Self.gb18030) == "张伟,上海")
        #expect(try TextEncoding.gb18030.decode(Self.gb18030Emoji + [0x0d, 0x0a]) == "😀\r\n")
        #expect(try TextEncoding.gb18030.decode([]) == "")
        let refused = #expect(throws: CLIError.self) { try TextEncoding.utf8.decode(Self.gb18030) }
        #expect(refused?.description.contains("byte 0") == true)
        #expect(refused?.description.contains("--encoding gb18030") == true)
    }

    @Test("valid UTF-8, with or without a byte order mark, stays UTF-8 under auto (the mark is kept for the CSV reader)")
    func utf8() throws {
        let bytes = Array("姓名,上海\n".utf8)
        #expect(try TextEncoding.auto.decode(bytes) == "姓名,上海\n")
        #expect(try TextEncoding.utf8.decode(bytes) == "姓名,上海\n")
        #expect(try TextEncoding.auto.decode([0xEF, 0xBB, 0xBF] + bytes) == "\u{FEFF}姓名,上海\n")
        #expect(try TextEncoding.auto.decode(Array("name,id\n".utf8)) == "name,id\n")
        // Read as GB18030, UTF-8 bytes give other text (the reason auto prefers UTF-8).
        #expect(try TextEncoding.gb18030.decode(Array("name".utf8)) == "name")
        #expect(TextEncoding.firstInvalidUTF8Offset(Array("ab".utf8) + [0xff]) == 2)
        #expect(TextEncoding.firstInvalidUTF8Offset(Array("上".utf8)) == nil)
    }

    @Test("bytes that are not GB18030 are refused with their offset; a truncated character too")
    func invalid() {
        let bad = #expect(throws: CLIError.self) { try TextEncoding.gb18030.decode([0x41, 0x42, 0xff, 0x41]) }
        #expect(bad?.description.contains("byte 2") == true)
        let truncated = #expect(throws: CLIError.self) { try TextEncoding.gb18030.decode(Array(Self.gb18030.prefix(5)) + [0xc9]) }
        #expect(truncated?.description.contains("byte 5") == true)
        #expect(throws: CLIError.self) { try TextEncoding.auto.decode([0xff, 0xff]) }
    }

    @Test("argument spellings")
    func arguments() {
        #expect(TextEncoding(argument: "UTF-8") == .utf8)
        #expect(TextEncoding(argument: "gbk") == .gb18030)
        #expect(TextEncoding(argument: "auto") == .auto)
        #expect(TextEncoding(argument: "latin1") == nil)
    }
}
