@testable import CaseloadCLI
import CaseloadProtocol
import Testing

@Suite struct StageDataTests {
    @Test(arguments: [
        ("true", JSONValue.bool(true)), ("false", .bool(false)), ("126", .int(126)), ("0", .int(0)),
        ("2026-02-01", .string("2026-02-01")), ("SJ-1", .string("SJ-1")), ("", .string("")),
        ("0012", .string("0012")),                        // leading zeros: an identifier, not a number
        ("\"20260001\"", .string("20260001")),            // quoted: text even when all digits
        ("99999999999999999999", .string("99999999999999999999")),  // beyond 64 bits
        ("TRUE", .string("TRUE")), ("-5", .string("-5")), ("a=b", .string("a=b")), ("１２", .string("１２")),
    ])
    func values(raw: String, expected: JSONValue) {
        #expect(StageData.value(raw) == expected)
    }

    @Test func splitsAtTheFirstEquals() throws {
        #expect(try StageData.parse(["note=a=b", "points_total=126"]) == ["note": "a=b", "points_total": 126])
    }

    @Test(arguments: ["oops", "=1", " =1"])
    func refusesMalformedItems(item: String) {
        #expect(throws: CLIError.self) { try StageData.parse([item]) }
    }
}
