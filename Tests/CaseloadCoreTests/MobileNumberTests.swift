import CaseloadCore
import Testing

@Suite struct MobileNumberTests {
    @Test(arguments: [
        "13800138000", " 138 0013 8000 ", "138-0013-8000", "+86 138 0013 8000", "+8613800138000",
        "8613800138000", "86-138-0013-8000",
    ])
    func acceptsCommonSpellings(raw: String) throws {
        #expect(try MobileNumber.parse(raw).value == "13800138000")
    }

    @Test(arguments: [
        "23800138000",     // does not start with 1
        "1380013800",      // 10 digits
        "138001380001",    // 12 digits
        "+13800138000",    // "+" without the country code
        "+4413800138000",  // another country
        "0086 13800138000",
        "138OO138000",     // letters O
        "(138)00138000",
        "１３８００１３８０００",  // full-width digits
    ])
    func rejectsMalformed(raw: String) {
        let found = issue { try MobileNumber.parse(raw) }
        #expect(found?.rule == "format")
        #expect(found?.field == "phone")
    }

    @Test func requiresAValue() {
        #expect(issue { try MobileNumber.parse("") }?.rule == "required")
        #expect(issue { try MobileNumber.parse(" - ", field: "hr_contact.phone") }
            == FieldIssue(field: "hr_contact.phone", rule: "required", message: "The mobile number (手机号码) is required.", zh: "须填写手机号码"))
    }

    @Test func neverPrintsTheFullNumber() throws {
        let phone = try MobileNumber.parse("13800010001")
        #expect(phone.masked == "138****0001")
        #expect("\(phone)" == "138****0001")
        #expect(!String(reflecting: phone).contains("13800010001"))
        var dumped = ""
        dump(phone, to: &dumped)
        #expect(!dumped.contains("13800010001"))
    }
}
