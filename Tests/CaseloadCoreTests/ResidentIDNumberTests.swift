import CaseloadCore
import Foundation
import Testing

@Suite struct ResidentIDNumberTests {
    static let example = "11010519491231002X"  // from the domain brief: female, born 1949-12-31

    @Test func acceptsTheExample() throws {
        let id = try ResidentIDNumber.parse(Self.example)
        #expect(id.value == Self.example)
        #expect(id.birthDate == CalendarDate(year: 1949, month: 12, day: 31))
        #expect(!id.isMale)
    }

    @Test("make: the example's own parts give the example; every sequence parses with its birth date", arguments: [0, 2, 9, 10, 99, 100, 999])
    func make(sequence: Int) throws {
        let birth = try #require(CalendarDate(year: 1949, month: 12, day: 31))
        #expect(ResidentIDNumber.make(area: "110105", birth: birth, sequence: 2) == Self.example)
        let made = try ResidentIDNumber.parse(ResidentIDNumber.make(area: "310115", birth: birth, sequence: sequence))
        #expect(made.birthDate == birth)
        #expect(made.value.dropFirst(14).prefix(3) == Substring(String(format: "%03d", sequence)))
    }

    @Test func readsSexFromDigit17() throws {
        // 310115198001010016: sequence 001, odd.
        let id = try ResidentIDNumber.parse(withCheck("31011519800101001"))
        #expect(id.isMale)
        #expect(id.birthDate.iso == "1980-01-01")
    }

    @Test func acceptsLeapDayBirth() throws {
        #expect(try ResidentIDNumber.parse(withCheck("11010520000229003")).birthDate.iso == "2000-02-29")
    }

    @Test func normalisesLowercaseXAndWhitespace() throws {
        #expect(try ResidentIDNumber.parse("11010519491231002x").value == Self.example)
        #expect(try ResidentIDNumber.parse("  11010519491231002X\n").value == Self.example)
        #expect(try ResidentIDNumber.parse("\u{3000}11010519491231002x").value == Self.example)
    }

    @Test func rejectsEverySingleAlteredCharacter() {
        let chars = Array(Self.example)
        var tried = 0
        for offset in chars.indices {
            let alphabet: [Character] = offset == 17 ? Array("0123456789X") : Array("0123456789")
            for replacement in alphabet where replacement != chars[offset] {
                let altered = replacing(Self.example, at: offset, with: replacement)
                #expect(issue { try ResidentIDNumber.parse(altered) }?.rule == "checksum", "\(altered)")
                tried += 1
            }
        }
        #expect(tried == 17 * 9 + 10)
    }

    @Test(arguments: [
        "11010519490230001",  // 30 February, with a correct check character
        "11010519491301001",  // month 13
        "11010519000229003",  // 1900 was not a leap year
        "11010518991231001",  // before 1900
        "11010519490001001",  // month 0
    ])
    func rejectsImpossibleBirthDateWithValidChecksum(first17: String) {
        let number = withCheck(first17)
        let found = issue { try ResidentIDNumber.parse(number) }
        #expect(found?.rule == "birth_date")
        #expect(found?.field == "id_number")
    }

    @Test(arguments: [
        "1101051949123100",      // 16 characters
        "1101051949123100201",   // 19 characters
        "1101051949123100X2",    // X not last
        "11010519491231002Y",
        "1101051949A231002X",
        "11010519491231 002X",   // inner space
        "１１０１０５１９４９１２３１００２Ｘ",  // full-width digits
        "110105491231002",       // old 15-digit number: must be converted, not accepted
    ])
    func rejectsMalformed(raw: String) {
        #expect(issue { try ResidentIDNumber.parse(raw) }?.rule == "format")
    }

    @Test func requiresAValue() {
        #expect(issue { try ResidentIDNumber.parse("") }?.rule == "required")
        #expect(issue { try ResidentIDNumber.parse(" \t ") }?.rule == "required")
    }

    @Test func namesTheCallersField() {
        let found = issue { try ResidentIDNumber.parse("123", field: "applicant.id_number") }
        #expect(found?.field == "applicant.id_number")
        #expect(found?.rule == "format")
    }

    @Test func neverPrintsTheFullNumber() throws {
        let id = try ResidentIDNumber.parse(Self.example)
        #expect(id.masked == "110***********002X")
        #expect(id.masked.count == 18)
        #expect(id.description == id.masked)
        #expect("\(id)" == id.masked)
        #expect(!String(reflecting: id).contains(Self.example))
        var dumped = ""
        dump(id, to: &dumped)
        #expect(!dumped.contains(Self.example))
        #expect(!"\([id])".contains(Self.example))
    }
}

/// Appends the GB 11643 check character, computed independently of the code under test.
private func withCheck(_ first17: String) -> String {
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    let sum = zip(first17, weights).reduce(0) { $0 + Int(String($1.0))! * $1.1 }
    return first17 + String(Array("10X98765432")[sum % 11])
}
