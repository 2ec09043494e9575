import CaseloadCore
import Testing

@Suite struct CalendarCSVTests {
    @Test func parsesTheBuiltinFileAndRendersItBackVerbatim() throws {
        let entries = try CalendarCSV.parse(BuiltinCalendar.csv)
        #expect(entries == BuiltinCalendar.entries)
        #expect(entries.count == 72)
        #expect(CalendarCSV.render(entries) == BuiltinCalendar.csv)
        #expect(entries.first == CalendarEntry(date: date("2025-01-01"), kind: .holiday, name: "元旦 New Year"))
        #expect(entries.last == CalendarEntry(date: date("2026-10-10"), kind: .workday, name: "国庆调休 National Day make-up workday"))
    }

    @Test func builtinCoversBothYears() {
        #expect(BuiltinCalendar.knownYears == [2025, 2026])
        let years = Set(BuiltinCalendar.entries.map(\.date.year))
        #expect(years == [2025, 2026])
        for year in [2025, 2026] {
            let ofYear = BuiltinCalendar.entries.filter { $0.date.year == year }
            #expect(ofYear.contains { $0.kind == .holiday })
            #expect(ofYear.contains { $0.kind == .workday })
            // Every make-up workday falls on a weekend, or it would change nothing.
            #expect(ofYear.filter { $0.kind == .workday }.allSatisfy { $0.date.weekday.isWeekend })
        }
        #expect(ChineseCalendar.builtin.isKnown(year: 2025))
        #expect(ChineseCalendar.builtin.isKnown(year: 2026))
        #expect(!ChineseCalendar.builtin.isKnown(year: 2027))
    }

    @Test func toleratesBOMCRLFBlankLinesAndSpaces() throws {
        let text = "\u{FEFF}date,kind,name\r\n\r\n2026-10-01 , holiday , 国庆 National Day\r\n\r\n2026-10-10,WORKDAY,国庆调休\r\n"
        let entries = try CalendarCSV.parse(text)
        #expect(entries == [
            CalendarEntry(date: date("2026-10-01"), kind: .holiday, name: "国庆 National Day"),
            CalendarEntry(date: date("2026-10-10"), kind: .workday, name: "国庆调休"),
        ])
    }

    @Test func aHeaderMayFollowBlankLinesAndTheFileMayLackAFinalNewline() throws {
        let entries = try CalendarCSV.parse("\n\n Date, Kind, Name \n2025-01-01,holiday,元旦")
        #expect(entries.count == 1)
    }

    @Test func reportsEveryBadLineWithItsNumber() {
        let text = """
            date,kind,name
            2025-01-01,holiday,元旦 New Year
            2025-02-30,holiday,not a day
            2025-01-02,vacation,假期
            garbage

            2025-01-01,workday,again
            2025-01-03,holiday,
            1/4/2025,day off,"unclosed
            """
        let found = issues { try CalendarCSV.parse(text) }
        #expect(found.map(\.field) == ["line 3", "line 4", "line 5", "line 7", "line 8", "line 9", "line 9", "line 9"])
        #expect(found.map(\.rule) == ["date", "kind", "format", "duplicate", "format", "date", "kind", "format"])
        #expect(found[0].message.contains("2025-02-30"))
        #expect(found[1].message.contains("holiday, workday"))
        #expect(found[3].message.contains("line 2"))
    }

    @Test func requiresTheHeader() {
        let missing = issues { try CalendarCSV.parse("2025-01-01,holiday,元旦\n") }
        #expect(missing.count == 1)
        #expect(missing.first?.field == "line 1")
        #expect(missing.first?.rule == "header")
        let afterBlank = issues { try CalendarCSV.parse("\r\n\r\nday,kind,name\r\n") }
        #expect(afterBlank.first?.field == "line 3")
        #expect(issue { try CalendarCSV.parse("") }?.rule == "header")
        #expect(issue { try CalendarCSV.parse("\u{FEFF}") }?.rule == "header")
    }

    @Test func emptyCalendarIsJustTheHeader() throws {
        #expect(try CalendarCSV.parse("date,kind,name\n").isEmpty)
        #expect(CalendarCSV.render([]) == "date,kind,name\n")
    }

    @Test func namesWithCommasAndQuotesRoundTrip() throws {
        let entries = [
            CalendarEntry(date: date("2027-01-01"), kind: .holiday, name: "元旦, New Year"),
            CalendarEntry(date: date("2027-01-02"), kind: .holiday, name: "the \"long\" weekend"),
            CalendarEntry(date: date("2027-01-03"), kind: .holiday, name: "国庆节 National Day"),
        ]
        let text = CalendarCSV.render(entries)
        #expect(text.contains("2027-01-01,holiday,\"元旦, New Year\"\n"))
        #expect(text.contains("2027-01-03,holiday,国庆节 National Day\n"))
        #expect(try CalendarCSV.parse(text) == entries)
        // An unquoted name is everything after the second comma.
        #expect(try CalendarCSV.parse("date,kind,name\n2027-01-01,holiday,a, b\n").first?.name == "a, b")
    }
}
