import CaseloadCore
import CaseloadProtocol
import Foundation

extension JSONValue {
    /// The uuid param `name` of handlers that read raw params: the schema has checked it
    /// already, but a handler does not rely on a check made elsewhere to avoid a trap.
    func uuid(_ name: String) throws -> UUID {
        guard let id = self[name]?.stringValue.flatMap(UUID.init(uuidString:)) else {
            throw RPCError.invalidParams([(name, "format", "must be a uuid")])
        }
        return id
    }
}
