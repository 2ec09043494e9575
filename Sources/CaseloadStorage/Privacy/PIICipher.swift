import Crypto
import Foundation

/// Encrypts personal identifiers at rest and makes keyed lookup hashes for them.
///
/// Values are sealed with AES-256-GCM under the active key and stored with that key's id,
/// so old values stay readable after a new key becomes active (rotation re-seals them).
/// Exact lookup (is this ID number already an applicant?) uses HMAC-SHA256 under a separate
/// lookup key, so a search never decrypts rows and the hash is useless without the key.
public struct PIICipher: Sendable {
    public let activeKeyID: String
    private let keys: [String: SymmetricKey]
    private let lookupKey: SymmetricKey

    public struct KeyError: Error, CustomStringConvertible {
        public var description: String
    }

    /// - Parameters:
    ///   - activeKey: `id:base64` of 32 random bytes; new values are sealed with it.
    ///   - oldKeys: further `id:base64` keys, for values sealed before a rotation.
    ///   - lookupKey: base64 of 32 random bytes, for lookup hashes. Never rotates: changing it
    ///     would orphan every stored hash.
    public init(activeKey: String, oldKeys: [String] = [], lookupKey: String) throws {
        func parse(_ spec: String, setting: String) throws -> (String, SymmetricKey) {
            guard let colon = spec.firstIndex(of: ":"), let data = Data(base64Encoded: String(spec[spec.index(after: colon)...])),
                data.count == 32, colon > spec.startIndex
            else {
                throw KeyError(description: "\(setting) must be `keyid:base64` of 32 random bytes (see `caseload-server admin generate-keys`)")
            }
            return (String(spec[..<colon]), SymmetricKey(data: data))
        }
        let (id, key) = try parse(activeKey, setting: "pii_key")
        var keys = [id: key]
        for old in oldKeys {
            let (oldID, oldKey) = try parse(old, setting: "pii_old_keys")
            // Two different keys under one id: values sealed under one would be "opened" with
            // the other and fail, and a rotation could not tell them apart.
            if let known = keys[oldID], known.withUnsafeBytes({ Data($0) }) != oldKey.withUnsafeBytes({ Data($0) }) {
                throw KeyError(description: "pii_old_keys has another key with id '\(oldID)': every key needs its own id (`admin generate-keys --key-id`)")
            }
            keys[oldID] = oldKey
        }
        guard let lookup = Data(base64Encoded: lookupKey), lookup.count == 32 else {
            throw KeyError(description: "pii_lookup_key must be base64 of 32 random bytes (see `caseload-server admin generate-keys`)")
        }
        self.activeKeyID = id
        self.keys = keys
        self.lookupKey = SymmetricKey(data: lookup)
    }

    /// Seals `plaintext` under the active key: nonce, ciphertext and tag in one value.
    public func seal(_ plaintext: String) throws -> (sealed: [UInt8], keyID: String) {
        let box = try AES.GCM.seal(Data(plaintext.utf8), using: keys[activeKeyID]!)
        return (Array(box.combined!), activeKeyID)
    }

    /// Opens a value sealed under `keyID`.
    public func open(_ sealed: [UInt8], keyID: String) throws -> String {
        guard let key = keys[keyID] else { throw KeyError(description: "no key with id '\(keyID)' is configured") }
        let data = try AES.GCM.open(AES.GCM.SealedBox(combined: Data(sealed)), using: key)
        return String(decoding: data, as: UTF8.self)
    }

    /// Whether a value sealed under `keyID` can be opened (the active key or an old one).
    public func hasKey(_ keyID: String) -> Bool {
        keys[keyID] != nil
    }

    /// The keyed hash used for exact lookups of a normalised value.
    public func lookup(_ normalised: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Data(normalised.utf8), using: lookupKey))
    }

    /// Fresh keys, as the configuration lines that hold them.
    public static func generateKeys(keyID: String = "k1") -> (piiKey: String, lookupKey: String) {
        func random() -> String { SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() } }
        return ("\(keyID):\(random())", random())
    }
}
