import CaseloadCore
import Foundation
import Testing

@Suite("ISO 8601 timestamps")
struct ISO8601TimestampTests {
    @Test("the same text as Foundation's formatter: whole seconds, rounded down, UTC", arguments: [
        0, -0.5, 1.999, 951_782_400, 1_795_000_000.999, -2_208_988_800.25, 253_402_300_799.9, 4_107_542_399, -11_676_096_000,
    ])
    func fixed(_ seconds: Double) {
        let date = Date(timeIntervalSince1970: seconds)
        #expect(date.iso8601Timestamp == date.formatted(.iso8601))
    }

    @Test("agrees with Foundation on 20,000 dates from 1900 to 2100")
    func random() {
        var random = SplitMix64(seed: 8601)
        for _ in 0..<20_000 {
            let seconds = -2_208_988_800 + Double(random.next() % 6_311_433_600) + Double(random.next() % 1000) / 1000
            let date = Date(timeIntervalSince1970: seconds)
            #expect(date.iso8601Timestamp == date.formatted(.iso8601), "\(seconds)")
        }
    }
}
