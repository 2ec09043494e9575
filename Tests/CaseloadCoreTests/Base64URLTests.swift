import CaseloadCore
import Foundation
import Testing

@Suite("base64url")
struct Base64URLTests {
    @Test("round trip for every length 0…64, without padding or + and /")
    func roundTrip() throws {
        var random = SplitMix64(seed: 4648)
        for length in 0...64 {
            let data = Data((0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) })
            let text = Base64URL.encode(data)
            #expect(!text.contains("=") && !text.contains("+") && !text.contains("/"))
            #expect(Base64URL.decode(text) == data)
        }
    }

    @Test("the RFC 4648 alphabet swap: 0xfb 0xff is -_8, not +/8")
    func alphabet() {
        #expect(Base64URL.encode(Data([0xFB, 0xFF])) == "-_8")
        #expect(Base64URL.decode("-_8") == Data([0xFB, 0xFF]))
    }

    @Test("text that is not base64url decodes to nil", arguments: ["a", "ab$d", "中文", "a=b="])
    func refused(_ text: String) {
        #expect(Base64URL.decode(text) == nil)
    }
}
