@testable import CaseloadCLI
import CaseloadProtocol
import Testing

@Suite struct ErrorOutputTests {
    @Test("with data.errors: a short header and one line per entry, the server's message not repeated")
    func entries() {
        let error = RPCError.validationFailed([("credit_code", "checksum", "校验位错误"), ("district", "district", "unknown district")])
        #expect(error.message.contains("校验位错误"))
        #expect(Output.errorLines(error) == [
            "caseload: validation_failed (-32005):",
            "  credit_code: 校验位错误 (checksum)",
            "  district: unknown district (district)",
        ])
        let params = RPCError.invalidParams([("colour", "unknown_field", "is not a parameter of this method")])
        #expect(Output.errorLines(params) == ["caseload: invalid_params (-32602):", "  colour: is not a parameter of this method (unknown_field)"])
    }

    @Test("without entries: the server's message and the error's name; a conflict adds the current version")
    func message() {
        #expect(Output.errorLines(RPCError(.notFound, "Not found: no such case in your agency")) == ["caseload: Not found: no such case in your agency [not_found]"])
        let conflict = RPCError(.conflict, "Conflict: the record changed since you read it (current version 2)", data: ["current_version": 2])
        #expect(Output.errorLines(conflict) == ["caseload: Conflict: the record changed since you read it (current version 2) [conflict]", "  current version: 2"])
        #expect(Output.errorLines(RPCError(code: -32099, message: "Odd")) == ["caseload: Odd [-32099]"])
        #expect(Output.errorLines(RPCError(code: -32099, message: "Odd", data: ["errors": [["field": "x", "rule": "y", "message": "z"]]]))
            == ["caseload: error (-32099):", "  x: z (y)"])
    }
}
