import CaseloadCore
import CaseloadProtocol
import CaseloadServer
import Testing

/// Every method's declared params schema and the type its handler decodes agree: the same
/// keys, required where the schema requires them and optional where it does not; and no
/// handler takes raw `JSONValue` params (which this check could not see into).
@Suite("Declared params agree with the handlers' types")
struct ParamsTypeTests {
    @Test("for every method with a Decodable params type: no key read that is not declared, none declared that is not read, and the same required set")
    func paramsAgree() throws {
        let today = BusinessClock.system.today
        var disagreements: [String] = []
        var raw: [String] = []
        for method in Application.makeRegistry().all {
            guard let keysRead = method.paramsKeysRead else {
                raw.append(method.name)
                continue
            }
            // What the dispatcher hands the handler: the idempotency key is taken off first.
            let declared = method.params
            let everything = Schema.object(declared).example(today: today, optional: true)
            let (required, optional) = try keysRead(everything)
            let read = required.union(optional)
            let names = Set(declared.map(\.name))
            let schemaRequired = Set(declared.filter(\.required).map(\.name))
            // Required but nullable (`"days": null` restores a default): the type's optional is right.
            let mustBePresent = Set(declared.filter { p in
                guard p.required else { return false }
                if case .nullable = p.schema { return false }
                return true
            }.map(\.name))
            for name in names.subtracting(read).sorted() { disagreements.append("\(method.name): \(name) is declared, never decoded") }
            for name in read.subtracting(names).sorted() { disagreements.append("\(method.name): \(name) is decoded, not declared (the schema refuses it)") }
            for name in required.subtracting(schemaRequired).sorted() {
                disagreements.append("\(method.name): \(name) is optional in the schema, required by the type")
            }
            for name in mustBePresent.intersection(optional).sorted() {
                disagreements.append("\(method.name): \(name) is required by the schema, optional in the type")
            }
            // The smallest valid params decode.
            do {
                _ = try keysRead(Schema.object(declared).example(today: today, optional: false))
            } catch {
                disagreements.append("\(method.name): the required params alone do not decode (\(type(of: error)))")
            }
        }
        #expect(disagreements == [], "\(disagreements.joined(separator: "\n"))")
        #expect(raw.isEmpty, "these methods read raw JSONValue params by hand: \(raw.joined(separator: ", "))")
    }
}
