import CaseloadCore
import CaseloadProtocol
import Crypto
import Foundation

/// Pagination cursors, opaque and tamper-evident.
///
/// A cursor is the page's keyset position as JSON, sealed with AES-GCM: a client can neither
/// read it (report cursors carry company and consultant names) nor change it. The seal also
/// authenticates what the cursor is bound to — the method, the agency, the user and the
/// call's other params — so a cursor works only for the call that made it. Anything else is
/// `invalid_params` on `cursor`, and its contents are never looked at.
///
/// The key is derived from the lookup key, which every instance of a deployment shares, so a
/// cursor made by one instance works on the others and survives restarts.
public struct CursorSealer: Sendable {
    private let key: SymmetricKey

    /// Derives the cursor key from the base64 lookup key (HKDF-SHA256, its own label).
    public init(lookupKey: String) throws {
        guard let material = Data(base64Encoded: lookupKey), material.count == 32 else {
            throw ConfigurationError("the lookup key (CASELOAD_PII_LOOKUP_KEY) must be base64 of 32 bytes")
        }
        key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: material), info: Data("caseload pagination cursor v1".utf8), outputByteCount: 32)
    }

    /// What a cursor is bound to.
    struct Binding {
        var method: String
        var agency: UUID
        var user: UUID
        /// The call's params other than the cursor and the page size.
        var params: JSONValue

        /// Params that may change from page to page without changing what is paged through.
        static let unbound: Set<String> = ["cursor", "limit", "page_size"]

        var authenticatedData: Data {
            var fields = params.objectValue ?? [:]
            for name in Self.unbound { fields[name] = nil }
            var bytes = Array("\(method)\u{0}\(agency.lowercasedString)\u{0}\(user.lowercasedString)\u{0}".utf8)
            if !JSONWriter.write(.object(fields), into: &bytes) {
                bytes += (try? WireJSON.encode(JSONValue.object(fields))) ?? Data()
            }
            return Data(bytes)
        }
    }

    func seal<T: Encodable>(_ value: T, for binding: Binding) throws -> String {
        let plain = try JSONEncoder().encode(value)
        let box = try AES.GCM.seal(plain, using: key, authenticating: binding.authenticatedData)
        guard let combined = box.combined else { throw CursorError() }
        return Base64URL.encode(combined)
    }

    /// The position in `raw`, nil when there is none; `invalid_params` on `cursor` unless it
    /// is a cursor this deployment made for the same call.
    func open<T: Decodable>(_ raw: String?, as type: T.Type, for binding: Binding) throws -> T? {
        guard let raw else { return nil }
        guard let combined = Base64URL.decode(raw),
            let box = try? AES.GCM.SealedBox(combined: combined),
            let plain = try? AES.GCM.open(box, using: key, authenticating: binding.authenticatedData),
            // Authentic, so written by `seal`; read as client input all the same (WireJSON
            // checks the syntax before Foundation's decoder sees it).
            let value = try? WireJSON.decode(T.self, from: plain)
        else {
            throw RPCError.invalidParams([
                ("cursor", "cursor", "not a cursor returned by \(binding.method) for these params: start again without one",
                 "不是 \(binding.method) 对这组参数返回的游标：请不带游标重新开始")
            ])
        }
        return value
    }

    struct CursorError: Error {}
}

extension RequestContext {
    /// The binding of this call's cursors.
    private func cursorBinding() throws -> CursorSealer.Binding {
        let principal = try principal()
        return .init(method: method, agency: principal.agencyID, user: principal.userID, params: params)
    }

    /// The position in this call's `cursor` param (nil when it has none): see `CursorSealer`.
    func openCursor<T: Decodable>(_ raw: String?, as type: T.Type) throws -> T? {
        try services.cursors.open(raw, as: type, for: try cursorBinding())
    }

    /// A cursor for the next page of this call.
    func sealCursor<T: Encodable>(_ value: T) throws -> String {
        try services.cursors.seal(value, for: try cursorBinding())
    }
}
