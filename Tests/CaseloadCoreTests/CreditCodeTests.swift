import CaseloadCore
import Testing

@Suite struct CreditCodeTests {
    static let example = "91350200776049653A"  // from the domain brief
    static let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")

    @Test func acceptsTheExample() throws {
        let code = try CreditCode.parse(Self.example)
        #expect(code.value == Self.example)
        #expect(code.checksumValid)
        #expect(code.description == Self.example)
    }

    @Test func exposesTheEmbeddedOrganizationCode() throws {
        let code = try CreditCode.parse(Self.example)
        #expect(code.organizationCode == "776049653")
        #expect(code.validOrganizationCode?.value == "77604965-3")
    }

    @Test func embeddedOrganizationCodeMayBeInvalid() throws {
        // Characters 9-17 are "00000000" + "1", but GB 11714 gives 00000000 the check "0":
        // the credit code is fine, its embedded organization code is not.
        let code = try CreditCode.parse(withCheck("91310000000000001"))
        #expect(code.organizationCode == "000000001")
        #expect(code.validOrganizationCode == nil)
    }

    @Test func checkValue31IsWrittenZero() throws {
        // Chosen so that 31 − (S mod 31) = 31.
        #expect(try CreditCode.parse("9131000031200000U0").checksumValid)
        #expect(try CreditCode.parse("91310000312000006Y").checksumValid)  // value 30, the last letter
    }

    @Test func normalisesCaseAndSpaces() throws {
        #expect(try CreditCode.parse("91350200776049653a").value == Self.example)
        #expect(try CreditCode.parse(" 9135 0200 7760 4965 3A ").value == Self.example)
    }

    @Test func rejectsEverySingleAlteredCharacter() {
        let chars = Array(Self.example)
        var tried = 0
        for offset in chars.indices {
            for replacement in Self.alphabet where replacement != chars[offset] {
                let altered = replacing(Self.example, at: offset, with: replacement)
                // A letter among characters 2-8 (type and division code) is refused as such.
                let expected = (1...7).contains(offset) && !replacement.isNumber ? "format" : "checksum"
                #expect(issue { try CreditCode.parse(altered) }?.rule == expected, "\(altered)")
                tried += 1
            }
        }
        #expect(tried == 18 * 30)
    }

    @Test(arguments: ["I", "O", "S", "V", "Z", "i", "o"])
    func rejectsExcludedLetters(letter: String) throws {
        let altered = replacing(Self.example, at: 10, with: try #require(letter.first))
        let found = try #require(issue { try CreditCode.parse(altered) })
        #expect(found.rule == "format")
        #expect(found.message.contains("\"\(letter.uppercased())\""))
        #expect(found.message.contains("position 11"))
    }

    @Test(arguments: ["91350200776049653", "91350200776049653A0", "9135-0200-7760-4965-3A", "91350200776049653Ａ"])
    func rejectsMalformed(raw: String) {
        #expect(issue { try CreditCode.parse(raw) }?.rule == "format")
    }

    @Test func requiresAValue() {
        #expect(issue { try CreditCode.parse("  ") }?.rule == "required")
        #expect(issue { try CreditCode.parse("", field: "employer.credit_code") }?.field == "employer.credit_code")
    }

    @Test func badChecksumAcceptedOnlyWhenAsked() throws {
        let bad = replacing(Self.example, at: 17, with: "B")
        #expect(issue { try CreditCode.parse(bad) }?.rule == "checksum")
        let code = try CreditCode.parse(bad, acceptingBadChecksum: true)
        #expect(code.value == bad)
        #expect(!code.checksumValid)
        // The override covers only the checksum, never the format.
        #expect(issue { try CreditCode.parse("91350200776049653O", acceptingBadChecksum: true) }?.rule == "format")
        // A valid code parsed with the override still says it is valid.
        #expect(try CreditCode.parse(Self.example, acceptingBadChecksum: true).checksumValid)
    }

    @Test("characters 2-8 are the organization type and the 6-digit division code: letters there are refused, naming the position")
    func typeAndDivisionAreDigits() throws {
        let found = try #require(issue { try CreditCode.parse("91A50200776049653A") })
        #expect(found.rule == "format")
        #expect(found.message.contains("\"A\" at position 3"))
        #expect(found.message.contains("6-digit division code"))
    }
}

/// Appends the GB 32100 check character, computed independently of the code under test.
private func withCheck(_ first17: String) -> String {
    let alphabet = CreditCodeTests.alphabet
    let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    let sum = zip(first17, weights).reduce(0) { $0 + alphabet.firstIndex(of: $1.0)! * $1.1 }
    return first17 + String(alphabet[(31 - sum % 31) % 31])
}
