import Foundation

extension UUID {
    /// The canonical lowercase text, `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, as the protocol and
    /// the database write ids. `uuidString.lowercased()` gives the same text by way of
    /// `uuid_unparse`'s `sprintf` and a second, lowercased copy; replies carry ids on every
    /// line (an agenda of 2,000 lines, thousands), so this writes the 36 bytes in place.
    public var lowercasedString: String {
        // A nibble's digit: 0–9 then a–f.
        func hex(_ n: UInt8) -> UInt8 { n < 10 ? UInt8(ascii: "0") + n : UInt8(ascii: "a") - 10 + n }
        return withUnsafeBytes(of: uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { out in
                var o = 0
                for (i, byte) in bytes.enumerated() {
                    if i == 4 || i == 6 || i == 8 || i == 10 {
                        out[o] = UInt8(ascii: "-")
                        o += 1
                    }
                    out[o] = hex(byte >> 4)
                    out[o + 1] = hex(byte & 0x0f)
                    o += 2
                }
                return o
            }
        }
    }
}
