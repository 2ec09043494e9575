import CaseloadProtocol
import Testing

/// PROXY v2 headers for the tests.
enum ProxyV2 {
    static func header(command: UInt8 = 0x21, family: UInt8, addresses: [UInt8]) -> [UInt8] {
        [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, command, family,
         UInt8(addresses.count >> 8), UInt8(addresses.count & 0xFF)] + addresses
    }
    /// 203.0.113.7:50000 → 10.0.0.5:7420.
    static let ipv4Addresses: [UInt8] = [203, 0, 113, 7, 10, 0, 0, 5, 0xC3, 0x50, 0x1C, 0xFC]
}

@Suite("PROXY protocol header")
struct ProxyHeaderTests {

    @Test("v1 over IPv4 and IPv6 names the source; UNKNOWN names none; the length covers the CRLF")
    func version1() {
        let tcp4 = Array("PROXY TCP4 203.0.113.7 10.0.0.5 50000 7420\r\n".utf8)
        #expect(ProxyHeader.parse(tcp4 + Array("{}".utf8)) == .header(source: "203.0.113.7", length: tcp4.count))
        let tcp6 = Array("PROXY TCP6 2001:DB8::7 2001:db8::1 50000 7420\r\n".utf8)
        #expect(ProxyHeader.parse(tcp6) == .header(source: "2001:db8::7", length: tcp6.count))
        #expect(ProxyHeader.parse(Array("PROXY UNKNOWN\r\n".utf8)) == .header(source: nil, length: 15))
    }

    @Test("v2 over IPv4 and IPv6 names the source; LOCAL (health checks) names none; TLVs are skipped")
    func version2() {
        let ipv4 = ProxyV2.header(family: 0x11, addresses: ProxyV2.ipv4Addresses)
        #expect(ProxyHeader.parse(ipv4 + [0x7B]) == .header(source: "203.0.113.7", length: 28))
        let withTLV = ProxyV2.header(family: 0x11, addresses: ProxyV2.ipv4Addresses + [0x05, 0x00, 0x02, 0xAB, 0xCD])
        #expect(ProxyHeader.parse(withTLV) == .header(source: "203.0.113.7", length: 33))
        let source: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [7]
        let ipv6 = ProxyV2.header(family: 0x21, addresses: source + [UInt8](repeating: 0, count: 16) + [0, 1, 0, 2])
        #expect(ProxyHeader.parse(ipv6) == .header(source: "2001:db8:0:0:0:0:0:7", length: 52))
        #expect(ProxyHeader.parse(ProxyV2.header(command: 0x20, family: 0x00, addresses: [])) == .header(source: nil, length: 16))
    }

    @Test("a header cut anywhere is incomplete, never wrong", arguments: [
        Array("PROXY TCP4 203.0.113.7 10.0.0.5 50000 7420\r\n".utf8),
        ProxyV2.header(family: 0x11, addresses: ProxyV2.ipv4Addresses),
    ])
    func incomplete(header: [UInt8]) {
        for cut in 0..<header.count {
            #expect(ProxyHeader.parse(header.prefix(cut)) == .incomplete, "cut at \(cut)")
        }
    }

    @Test("anything else is invalid: a JSON-RPC line, TLS, a bad version, malformed addresses, too long")
    func invalid() {
        func isInvalid(_ bytes: [UInt8]) -> Bool {
            if case .invalid = ProxyHeader.parse(bytes) { return true }
            return false
        }
        #expect(isInvalid(Array(#"{"jsonrpc":"2.0","id":1,"method":"system.ping"}"#.utf8)))
        #expect(isInvalid([0x16, 0x03, 0x01, 0x00, 0xA5]))  // a TLS ClientHello
        #expect(isInvalid(Array("PROXY TCP4 203.0.113.300 10.0.0.5 50000 7420\r\n".utf8)))
        #expect(isInvalid(Array("PROXY TCP4 +1.2.3.4 10.0.0.5 50000 7420\r\n".utf8)))
        #expect(isInvalid(Array("PROXY TCP4 203.0.113.7 10.0.0.5 70000 7420\r\n".utf8)))
        #expect(isInvalid(Array("PROXY TCP4 203.0.113.7 10.0.0.5\r\n".utf8)))
        #expect(isInvalid(Array("PROXY UDP9 a b c d\r\n".utf8)))
        #expect(isInvalid(Array("PROXY TCP4 203.0.113.7 10.0.0.5 50000 7420\r\r".utf8)))
        #expect(isInvalid(Array(("PROXY TCP4 " + String(repeating: "1", count: 120)).utf8)))
        #expect(isInvalid(ProxyV2.header(command: 0x11, family: 0x11, addresses: ProxyV2.ipv4Addresses)))  // version 1 in a v2 signature
        #expect(isInvalid(ProxyV2.header(command: 0x22, family: 0x11, addresses: ProxyV2.ipv4Addresses)))  // unknown command
        #expect(isInvalid(ProxyV2.header(family: 0x11, addresses: [1, 2, 3])))  // addresses too short
        #expect(isInvalid(Array(ProxyV2.header(family: 0x11, addresses: []).prefix(14)) + [0xFF, 0xFF]))  // 64 KiB announced
    }
}
