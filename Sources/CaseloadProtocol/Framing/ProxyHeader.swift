/// The PROXY protocol header (versions 1 and 2) a TCP load balancer such as HAProxy
/// (`send-proxy` / `send-proxy-v2`) puts before the client's bytes, naming the client's
/// address: behind a balancer every connection otherwise comes from the balancer.
///
/// Only what the server needs is read: the source address. The specification:
/// https://www.haproxy.org/download/2.9/doc/proxy-protocol.txt
public enum ProxyHeader: Equatable, Sendable {
    /// Not enough bytes yet to decide.
    case incomplete
    /// A header of `length` bytes; `source` is the client's address, or nil when the header
    /// names none (v1 `UNKNOWN`, v2 `LOCAL` — the balancer's own health checks — or a family
    /// other than TCP over IPv4/IPv6).
    case header(source: String?, length: Int)
    /// Not a PROXY header: the connection must be closed (the sender is not the balancer).
    case invalid(String)

    /// The most a header may take here: v1 is at most 107 bytes; v2 is 16 plus addresses and
    /// optional TLVs, which a balancer keeps small.
    public static let maximumLength = 4096

    static let v2Signature: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]
    static let v1Prefix = Array("PROXY ".utf8)

    /// Reads a header from the start of `bytes` (the first bytes of a connection).
    public static func parse<Bytes: RandomAccessCollection>(_ bytes: Bytes) -> ProxyHeader where Bytes.Element == UInt8, Bytes.Index == Int {
        let start = bytes.startIndex
        func byte(_ i: Int) -> UInt8 { bytes[start + i] }
        let available = bytes.count
        // Decide the version on the bytes there are; a prefix of both signatures waits.
        let v2Seen = min(available, v2Signature.count)
        if (0..<v2Seen).allSatisfy({ byte($0) == v2Signature[$0] }) {
            return available < 16 ? .incomplete : parseV2(byte, available: available)
        }
        let v1Seen = min(available, v1Prefix.count)
        if (0..<v1Seen).allSatisfy({ byte($0) == v1Prefix[$0] }) {
            return available < v1Prefix.count ? .incomplete : parseV1(byte, available: available)
        }
        return .invalid("the connection did not start with a PROXY protocol header")
    }

    private static func parseV1(_ byte: (Int) -> UInt8, available: Int) -> ProxyHeader {
        let limit = min(available, 107)
        guard let cr = (0..<limit).first(where: { byte($0) == 0x0D }) else {
            return available >= 107 ? .invalid("PROXY v1 header longer than 107 bytes") : .incomplete
        }
        guard cr + 1 < available else { return .incomplete }
        guard byte(cr + 1) == 0x0A else { return .invalid("PROXY v1 header not ended by CRLF") }
        let text = String(decoding: (0..<cr).map(byte), as: UTF8.self)
        let fields = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        // PROXY TCP4|TCP6 source destination source-port destination-port, or PROXY UNKNOWN ...
        guard fields.count >= 2 else { return .invalid("PROXY v1 header without a protocol") }
        switch fields[1] {
        case "UNKNOWN":
            return .header(source: nil, length: cr + 2)
        case "TCP4", "TCP6":
            guard fields.count == 6, let source = validAddress(fields[2], v6: fields[1] == "TCP6"),
                validAddress(fields[3], v6: fields[1] == "TCP6") != nil, port(fields[4]), port(fields[5])
            else { return .invalid("PROXY v1 header with malformed addresses") }
            return .header(source: source, length: cr + 2)
        default:
            return .invalid("PROXY v1 header with unknown protocol")
        }
    }

    private static func parseV2(_ byte: (Int) -> UInt8, available: Int) -> ProxyHeader {
        let versionCommand = byte(12)
        guard versionCommand >> 4 == 2 else { return .invalid("PROXY v2 header with version \(versionCommand >> 4)") }
        let command = versionCommand & 0x0F
        guard command <= 1 else { return .invalid("PROXY v2 header with unknown command") }
        let family = byte(13)
        let addressLength = Int(byte(14)) << 8 | Int(byte(15))
        let length = 16 + addressLength
        guard length <= maximumLength else { return .invalid("PROXY v2 header longer than \(maximumLength) bytes") }
        guard available >= length else { return .incomplete }
        // LOCAL: the balancer speaking for itself (health checks); the connection's own address stands.
        guard command == 1 else { return .header(source: nil, length: length) }
        switch family {
        case 0x11, 0x12:  // TCP or UDP over IPv4: source, destination (4 bytes each), ports
            guard addressLength >= 12 else { return .invalid("PROXY v2 IPv4 addresses too short") }
            return .header(source: (16..<20).map { String(byte($0)) }.joined(separator: "."), length: length)
        case 0x21, 0x22:  // over IPv6: 16 bytes each, then ports
            guard addressLength >= 36 else { return .invalid("PROXY v2 IPv6 addresses too short") }
            let groups = stride(from: 16, to: 32, by: 2).map { String(Int(byte($0)) << 8 | Int(byte($0 + 1)), radix: 16) }
            return .header(source: groups.joined(separator: ":"), length: length)
        default:  // AF_UNSPEC or a Unix socket: no client address to use
            return .header(source: nil, length: length)
        }
    }

    /// The address as given, if it is a plain IPv4 dotted quad or an IPv6 address of hex groups.
    private static func validAddress(_ text: String, v6: Bool) -> String? {
        if v6 {
            let ok = !text.isEmpty && text.count <= 45 && text.contains(":")
                && text.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
            return ok ? text.lowercased() : nil
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts.allSatisfy({ p in p.count <= 3 && !p.isEmpty && p.allSatisfy(isDigit) && Int(p).map { $0 <= 255 } == true })
        else { return nil }
        return text
    }

    private static func port(_ text: String) -> Bool {
        text.count <= 5 && !text.isEmpty && text.allSatisfy(isDigit) && Int(text).map { (0...65535).contains($0) } == true
    }

    private static func isDigit(_ c: Character) -> Bool { c >= "0" && c <= "9" }
}
