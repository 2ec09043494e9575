import Testing

@testable import CaseloadCore

@Suite struct SuggestionTests {
    @Test func suggestsTheNearestKnownWord() {
        #expect(Suggestion.closest(to: "compnay", among: ["case", "company", "applicant"]) == "company")
        #expect(Suggestion.closest(to: "submited_online", among: ["submitted_online", "accepted"]) == "submitted_online")
        #expect(Suggestion.closest(to: "ACCEPTD", among: ["submitted_online", "accepted"]) == "accepted")
    }

    @Test func staysQuietWhenNothingIsClose() {
        #expect(Suggestion.closest(to: "zzzzzz", among: ["company", "case"]) == nil)
        #expect(Suggestion.closest(to: "", among: ["company"]) == nil)
        #expect(Suggestion.closest(to: "x", among: [String]()) == nil)
        #expect(Suggestion.hint(for: "zzzzzz", among: ["company"]) == "")
    }

    @Test func hintsReadInBothLanguages() {
        #expect(Suggestion.hint(for: "compnay", among: ["company"]) == " (did you mean 'company'?)")
        #expect(Suggestion.hintZh(for: "compnay", among: ["company"]) == "（是不是 'company'？）")
    }

    @Test func countsSwapsInsertionsAndDeletionsAsOneEdit() {
        func d(_ a: String, _ b: String) -> Int { Suggestion.editDistance(Array(a), Array(b), limit: 10) }
        #expect(d("ab", "ba") == 1)
        #expect(d("abc", "abxc") == 1)
        #expect(d("abc", "ac") == 1)
        #expect(d("kitten", "sitting") == 3)
        #expect(d("", "abc") == 3)
        #expect(Suggestion.editDistance(Array("aaaaaaaa"), Array("bbbbbbbb"), limit: 2) == 3)
    }
}
