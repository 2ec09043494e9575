import Testing

@testable import CaseloadCore

@Suite struct InputAliasesTests {
    @Test func chineseNamesAndSpreadsheetSpellingsMeanTheCanonicalValue() {
        #expect(InputAliases.canonical("硕士", group: "education") == "master")
        #expect(InputAliases.canonical("研究生", group: "education") == "master")
        #expect(InputAliases.canonical("专科", group: "education") == "associate")
        #expect(InputAliases.canonical(" Master ", group: "education") == "master")
        #expect(InputAliases.canonical("中级", group: "skill") == "intermediate_title")
        #expect(InputAliases.canonical("积分新办", group: "case_kind") == "points_new")
        #expect(InputAliases.canonical("原件", among: DocumentForm.allCases.map(\.rawValue)) == "original")
        #expect(InputAliases.canonical("小学", group: "education") == nil)
        // A name of another group's value does not leak into this one.
        #expect(InputAliases.canonical("积分新办", group: "education") == nil)
        #expect(InputAliases.bool("是") == true && InputAliases.bool("NO") == false && InputAliases.bool("maybe") == nil)
    }

    @Test func stagesByIdChineseOrEnglishName() throws {
        let kind = try #require(CaseKinds.kind("points_new"))
        #expect(InputAliases.stage("网上提交", of: kind)?.id == "submitted_online")
        #expect(InputAliases.stage("Submitted online", of: kind)?.id == "submitted_online")
        #expect(InputAliases.stage("submitted_online", of: kind)?.id == "submitted_online")
        #expect(InputAliases.stage("submited_online", of: kind) == nil)
        #expect(try InputAliases.stageFilter("网上提交", kind: "points_new", field: "stage") == "submitted_online")
        let refused = #expect(throws: ValidationError.self) { try InputAliases.stageFilter("submited_online", kind: "points_new", field: "stage") }
        #expect(refused?.issues.first?.rule == "enum")
        #expect(refused?.issues.first?.message.hasPrefix("unknown stage 'submited_online' for points_new (did you mean 'submitted_online'?)") == true)
        let anyKind = #expect(throws: ValidationError.self) { try InputAliases.stageFilter("submited_online", kind: nil, field: "stage") }
        #expect(anyKind?.issues.first?.message.contains("did you mean 'submitted_online'?") == true)
    }

    @Test func enumRefusalsListTheValuesAndSuggest() {
        let e = #expect(throws: ValidationError.self) { try InputAliases.parse("orignal", among: ["original", "copy"], field: "form") }
        #expect(e?.issues.first?.message == "must be one of original, copy (did you mean 'original'?)")
    }

    @Test func datesInTheFormsPeopleWrite() {
        let d = CalendarDate(year: 2026, month: 9, day: 30)
        for text in ["2026-09-30", "2026/9/30", "2026.9.30", "2026年9月30日", " 2026年09月30日 ", "２０２６／９／３０", "2026年9月30号", "2026-9-30"] {
            #expect(CalendarDate(input: text) == d, "\(text)")
        }
        for text in ["2026-13-01", "2026/2/30", "2026-9/30", "26/9/30", "2026年30日", "2026月9年30日", "2026年9月30", "20260930", "",
                     "2026-09-30T00:00", String(repeating: "9", count: 40) + "/1/1", "2026/1/" + String(repeating: "1", count: 30)] {
            #expect(CalendarDate(input: text) == nil, "\(text)")
        }
    }

    @Test func aDateRefusalRepeatsTheTextButNeverAnIdentifier() {
        #expect(CalendarDate.notADate("2026/13/1") == "'2026/13/1' is not a date; write 2026-09-30, 2026/9/30 or 2026年9月30日")
        #expect(!CalendarDate.notADate("310104199001011234").contains("3101"))
        #expect(!CalendarDate.notADate("13900139000").contains("1390"))
    }

    @Test func excelScientificNumbers() throws {
        #expect(ApplicantImportRow.isScientificNumber("3.20102E+17"))
        #expect(ApplicantImportRow.isScientificNumber("3E17"))
        #expect(!ApplicantImportRow.isScientificNumber("31010419900101123X"))
        #expect(!ApplicantImportRow.isScientificNumber("E+17") && !ApplicantImportRow.isScientificNumber("3.2E+"))
        let today = try #require(CalendarDate(year: 2026, month: 6, day: 1))
        let e = #expect(throws: ValidationError.self) {
            try ApplicantImportRow.parse(["name": "张伟", "id_number": "3.20102E+17", "company_org_code": "x", "序号": "1", "permit_expiry_date": "2027/2/30"], today: today)
        }
        let id = e?.issues.first { $0.field == "id_number" }
        #expect(id?.rule == "excel_number")
        #expect(id?.message == "the ID number was turned into a number by Excel (3.20102E+17); format the column as text (设置单元格格式 → 文本) and enter the numbers again")
        #expect(e?.issues.contains { $0.field == "序号" } == false)
        #expect(e?.issues.first { $0.field == "permit_expiry_date" }?.message.hasPrefix("'2027/2/30' is not a date") == true)
        #expect(ApplicantImportRow.unknownColumns(["序号": "1", "name": "x", "备注": ""]) == ["备注", "序号"])
    }
}
