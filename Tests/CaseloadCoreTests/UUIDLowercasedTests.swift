import CaseloadCore
import Foundation
import Testing

@Suite("UUID.lowercasedString")
struct UUIDLowercasedTests {
    @Test("is uuidString lowercased, for random ids and the edges")
    func matchesFoundation() {
        var ids = (0..<1000).map { _ in UUID() }
        ids.append(UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)))
        ids.append(UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255)))
        ids.append(UUID(uuidString: "0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9")!)
        for id in ids {
            #expect(id.lowercasedString == id.uuidString.lowercased())
        }
        #expect(ids.last?.lowercasedString == "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9")
    }
}
