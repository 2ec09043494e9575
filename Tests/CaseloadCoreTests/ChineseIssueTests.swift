import CaseloadCore
import Foundation
import Testing

@Suite struct ChineseIssueTests {
    /// Every rule name written as a literal in the sources (`rule: "x"`, `issue("x"`, and the
    /// `("field", "rule", "message"` tuples), found by reading the package's Sources folder.
    static func rulesInSources() throws -> Set<String> {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Sources").standardized
        let patterns = [#"rule: "([a-z_]+)""#, #"issue\("([a-z_]+)""#, #"\("[a-z_.\[\]]+", "([a-z_]+)", ""#, #"\(field, "([a-z_]+)", ""#]
        let expressions = try patterns.map { try NSRegularExpression(pattern: $0) }
        var rules: Set<String> = []
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
        while let file = files?.nextObject() as? URL {
            guard file.pathExtension == "swift", !file.path.contains("/CaseloadFuzz/"), !file.path.contains("/CaseloadBench") else { continue }
            let text = try String(contentsOf: file, encoding: .utf8)
            for expression in expressions {
                for match in expression.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    if let range = Range(match.range(at: 1), in: text) { rules.insert(String(text[range])) }
                }
            }
        }
        return rules
    }

    @Test("every rule name used in the sources has a Chinese fallback")
    func everyRuleHasAFallback() throws {
        let rules = try Self.rulesInSources()
        // The scan finds what it should (a broken pattern would pass vacuously).
        #expect(rules.isSuperset(of: ["required", "checksum", "format", "enum", "transition", "custody"]))
        let missing = rules.subtracting(FieldIssue.chineseFallback.keys).sorted()
        #expect(missing.isEmpty, "rules without a Chinese fallback: \(missing)")
        // Representative issues without Chinese of their own read their rule's fallback.
        #expect(FieldIssue(field: "x", rule: "checksum", message: "bad").chinese == "校验位不对")
        #expect(FieldIssue(field: "x", rule: "no_such_rule", message: "bad").chinese == "bad")
        #expect(FieldIssue(field: "x", rule: "checksum", message: "bad", zh: "自己的").chinese == "自己的")
    }

    @Test("the company and applicant validators give Chinese for every issue, and echo no identifier")
    func validatorsGiveChinese() throws {
        let bad: [CompanyInput] = [
            CompanyInput(name: "", creditCode: "91350200776049653B"),
            CompanyInput(name: String(repeating: "公", count: 201), creditCode: "9135020077604965"),
            CompanyInput(name: "A", creditCode: "9O350200776049653A", orgCode: "12345678-9", district: "火星", hrName: String(repeating: "王", count: 101)),
            CompanyInput(name: "A", creditCode: "9A350200776049653A", talentCenterStatus: "nope"),
            CompanyInput(name: "A"),
        ]
        for input in bad {
            let error = #expect(throws: ValidationError.self) { try CompanyFields.validate(input) }
            for issue in error?.issues ?? [] {
                #expect(issue.zh != nil, "\(issue.field) \(issue.rule) has no Chinese")
            }
        }
        let today = CalendarDate(year: 2026, month: 5, day: 1)!
        let people: [(String?, String?, String?)] = [
            ("", "11010519491231002Y", "23800138001"), (nil, nil, nil), ("张三", "110105194913310020", "1380013800"),
            ("张三", "11010520991231002X", "13800138001"), ("张三", "1101051949123100", "+4413800138001"),
        ]
        for (name, id, phone) in people {
            let error = #expect(throws: ValidationError.self) { try ApplicantIdentity.validate(name: name, idNumber: id, phone: phone, today: today) }
            for issue in error?.issues ?? [] {
                let chinese = try #require(issue.zh, "\(issue.field) \(issue.rule) has no Chinese")
                if let id, id.count > 6 { #expect(!chinese.contains(id)) }
                if let phone, phone.count > 6 { #expect(!chinese.contains(phone)) }
            }
        }
    }
}
