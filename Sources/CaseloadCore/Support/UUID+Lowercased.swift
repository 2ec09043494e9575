import Foundation

extension UUID {
    /// The canonical lowercase text, `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, as the protocol and
    /// the database write ids. `uuidString.lowercased()` gives the same text by way of
    /// `uuid_unparse`'s `sprintf` and a second, lowercased copy; replies carry ids on every
    /// line (an agenda of 2,000 lines, thousands), so this writes the 36 bytes in place.
    public var lowercasedString: String {
        let hex = Array("0123456789abcdef".utf8)
        return withUnsafeBytes(of: uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { out in
                var o = 0
                for (i, byte) in bytes.enumerated() {
                    if i == 4 || i == 6 || i == 8 || i == 10 {
                        out[o] = UInt8(ascii: "-")
                        o += 1
                    }
                    out[o] = hex[Int(byte >> 4)]
                    out[o + 1] = hex[Int(byte & 0x0f)]
                    o += 2
                }
                return o
            }
        }
    }
}
