import CaseloadCore
import Testing

@Suite struct OrganizationCodeTests {
    static let example = "77604965-3"  // from the domain brief; also characters 9-17 of 91350200776049653A

    @Test(arguments: ["77604965-3", "776049653", " 77604965-3 "])
    func acceptsWithOrWithoutHyphen(raw: String) throws {
        let code = try OrganizationCode.parse(raw)
        #expect(code.value == Self.example)
        #expect(code.checksumValid)
        #expect(code.description == Self.example)
    }

    @Test(arguments: [
        // Computed independently; cover letters, check value 10 (X) and 11 (0).
        ("ma1f00k2-6", "MA1F00K2-6"), ("MA1F05K2x", "MA1F05K2-X"), ("MA1F05K2-X", "MA1F05K2-X"),
        ("MA1F09K2-0", "MA1F09K2-0"), ("MA1F0AK2-3", "MA1F0AK2-3"),
    ])
    func normalisesCaseAndCheckCharacters(raw: String, canonical: String) throws {
        #expect(try OrganizationCode.parse(raw).value == canonical)
    }

    /// Digit substitutions are always caught (weights and differences are both non-zero mod
    /// 11). Letter substitutions differing by 11, 22 or 33 are not, by design of the standard.
    @Test func rejectsEverySingleAlteredDigit() {
        let digits = Array("776049653")
        var tried = 0
        for offset in digits.indices {
            let alphabet: [Character] = offset == 8 ? Array("0123456789X") : Array("0123456789")
            for replacement in alphabet where replacement != digits[offset] {
                let altered = replacing(String(digits), at: offset, with: replacement)
                #expect(issue { try OrganizationCode.parse(altered) }?.rule == "checksum", "\(altered)")
                tried += 1
            }
        }
        #expect(tried == 8 * 9 + 10)
    }

    @Test func letterSubstitutionBlindSpotIsTheStandards() throws {
        // "0" (value 0) → "B" (value 11) at any position leaves S mod 11 unchanged.
        #expect(try OrganizationCode.parse("77604965-3").checksumValid)
        #expect(try OrganizationCode.parse("776B4965-3").checksumValid)
    }

    @Test(arguments: ["7760496-53", "77604965-", "77604965-33", "7760496@-3", "77604965-A", "7760-4965-3",
                      "77604965–3" /* en dash */, "7760496", "７７６０４９６５-３"])
    func rejectsMalformed(raw: String) {
        #expect(issue { try OrganizationCode.parse(raw) }?.rule == "format")
    }

    @Test func requiresAValue() {
        let found = issue { try OrganizationCode.parse("", field: "employer.unit_code") }
        #expect(found?.rule == "required")
        #expect(found?.field == "employer.unit_code")
    }

    @Test func badChecksumAcceptedOnlyWhenAsked() throws {
        #expect(issue { try OrganizationCode.parse("77604965-4") }?.rule == "checksum")
        let code = try OrganizationCode.parse("776049654", acceptingBadChecksum: true)
        #expect(code.value == "77604965-4")
        #expect(!code.checksumValid)
        #expect(issue { try OrganizationCode.parse("7760496-54", acceptingBadChecksum: true) }?.rule == "format")
    }
}
