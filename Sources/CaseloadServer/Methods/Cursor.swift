import CaseloadCore
import CaseloadProtocol
import Foundation

/// Opaque pagination cursors: a keyset position as base64url JSON. Clients pass them back
/// unchanged; a cursor that does not decode is an `invalid_params` on field `cursor`. It is
/// client input, so it is read through `WireJSON.decode` (syntax checked before Foundation).
enum Cursor {
    static func decode<T: Decodable>(_ raw: String?, as type: T.Type, method: String) throws -> T? {
        guard let raw else { return nil }
        guard let data = Base64URL.decode(raw), let value = try? WireJSON.decode(T.self, from: data) else {
            throw RPCError.invalidParams([("cursor", "cursor", "not a cursor returned by \(method)")])
        }
        return value
    }

    static func encode<T: Encodable>(_ value: T) -> String {
        Base64URL.encode((try? JSONEncoder().encode(value)) ?? Data())
    }
}
