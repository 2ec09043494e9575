import Foundation
import CaseloadProtocol
import Testing

@Suite("RPCErrorCode")
struct ErrorCodeTests {
    static let reserved: Set<Int> = [-32700, -32600, -32601, -32602, -32603]

    @Test("the JSON-RPC reserved codes have their standard values")
    func standardCodes() {
        #expect(RPCErrorCode.parseError.rawValue == -32700)
        #expect(RPCErrorCode.invalidRequest.rawValue == -32600)
        #expect(RPCErrorCode.methodNotFound.rawValue == -32601)
        #expect(RPCErrorCode.invalidParams.rawValue == -32602)
        #expect(RPCErrorCode.internalError.rawValue == -32603)
    }

    @Test("every other code is an application code within -32099...-32000")
    func applicationRange() {
        let application = RPCErrorCode.allCases.filter { !Self.reserved.contains($0.rawValue) }
        #expect(application.count == RPCErrorCode.allCases.count - Self.reserved.count)
        #expect(!application.isEmpty)
        for code in application {
            #expect((-32099 ... -32000).contains(code.rawValue), "\(code) = \(code.rawValue)")
        }
        #expect(RPCErrorCode.requestTooLarge.rawValue == -32007)
    }

    @Test("names are unique snake_case")
    func uniqueNames() {
        let names = RPCErrorCode.allCases.map(\.name)
        #expect(Set(names).count == names.count)
        for name in names {
            #expect(name.wholeMatch(of: /[a-z]+(_[a-z]+)*/) != nil, "\(name)")
        }
    }

    @Test("every case has a non-empty meaning and default message")
    func meanings() {
        for code in RPCErrorCode.allCases {
            #expect(!code.meaning.trimmingCharacters(in: .whitespaces).isEmpty, "\(code)")
            #expect(!code.defaultMessage.trimmingCharacters(in: .whitespaces).isEmpty, "\(code)")
        }
        let meanings = RPCErrorCode.allCases.map(\.meaning)
        #expect(Set(meanings).count == meanings.count)
    }

    @Test("RPCError built from a code carries its raw value, default message and knownCode", arguments: RPCErrorCode.allCases)
    func errorFromCode(code: RPCErrorCode) {
        let error = RPCError(code)
        #expect(error.code == code.rawValue)
        #expect(error.message == code.defaultMessage)
        #expect(error.data == nil)
        #expect(error.knownCode == code)
        #expect(RPCError(code, "custom").message == "custom")
    }
}
