@testable import CaseloadCLI
import Testing

@Suite struct CSVReaderTests {
    typealias Record = CSVReader.Record

    @Test("plain fields, LF or CRLF or CR, with or without a final line break")
    func plain() throws {
        let expected = [Record(line: 1, fields: ["a", "b", "c"]), Record(line: 2, fields: ["1", "2", "3"])]
        #expect(try CSVReader.parse("a,b,c\n1,2,3\n") == expected)
        #expect(try CSVReader.parse("a,b,c\r\n1,2,3\r\n") == expected)
        #expect(try CSVReader.parse("a,b,c\r1,2,3") == expected)
        #expect(try CSVReader.parse("a,b,c\r\n1,2,3") == expected)
    }

    @Test("quoted fields: commas, doubled quotes, embedded line breaks; line numbers count the breaks")
    func quoted() throws {
        let text = "姓名,备注\r\n\"张, 伟\",\"说 \"\"好\"\"\"\r\n\"李娜\",\"第一行\r\n第二行\n第三行\"\r\n王芳,\"\"\r\n"
        #expect(try CSVReader.parse(text) == [
            Record(line: 1, fields: ["姓名", "备注"]),
            Record(line: 2, fields: ["张, 伟", "说 \"好\""]),
            Record(line: 3, fields: ["李娜", "第一行\n第二行\n第三行"]),  // CRLF inside a cell reads as \n
            Record(line: 6, fields: ["王芳", ""]),
        ])
    }

    @Test("empty fields and trailing commas are kept; empty lines are skipped")
    func empties() throws {
        #expect(try CSVReader.parse("a,,c,\n\n,,\n\r\nx") == [
            Record(line: 1, fields: ["a", "", "c", ""]),
            Record(line: 3, fields: ["", "", ""]),
            Record(line: 5, fields: ["x"]),
        ])
        #expect(try CSVReader.parse("") == [])
        #expect(try CSVReader.parse("\n\r\n") == [])
        #expect(try CSVReader.parse("\"\"") == [Record(line: 1, fields: [""])])
    }

    @Test("a UTF-8 byte order mark at the start is dropped; elsewhere it is text")
    func byteOrderMark() throws {
        #expect(try CSVReader.parse("\u{FEFF}姓名,身份证号\n") == [Record(line: 1, fields: ["姓名", "身份证号"])])
        #expect(try CSVReader.parse("\u{FEFF}\"姓名\"") == [Record(line: 1, fields: ["姓名"])])
        #expect(try CSVReader.parse("a,\u{FEFF}b") == [Record(line: 1, fields: ["a", "\u{FEFF}b"])])
    }

    @Test("a quote inside an unquoted field is kept as written")
    func strayQuote() throws {
        #expect(try CSVReader.parse("5\" disk,a\"b\"") == [Record(line: 1, fields: ["5\" disk", "a\"b\""])])
    }

    @Test("scalars, not Characters: a combining mark after a closing quote is still an error, é stays é")
    func scalars() throws {
        #expect(try CSVReader.parse("\"e\u{301}\",x") == [Record(line: 1, fields: ["e\u{301}", "x"])])
        #expect(throws: CSVReader.MalformedError(line: 1, reason: "text after a closing quote (a quote inside a quoted field is written \"\")")) {
            try CSVReader.parse("\"e\"\u{301},x")
        }
    }

    @Test("malformed: a quote left open names the line it opened on; text after a closing quote names its line")
    func malformed() {
        #expect(throws: CSVReader.MalformedError.self) { try CSVReader.parse("a,b\n1,\"open\n2,3\n") }
        do {
            _ = try CSVReader.parse("a,b\n1,\"open\n2,3\n")
        } catch {
            #expect(error.line == 2)
            #expect(error.description.hasPrefix("line 2: a quoted field is not closed"))
        }
        do {
            _ = try CSVReader.parse("a,b\n\"x\ny\"z,1\n")
            Issue.record("should have thrown")
        } catch {
            #expect(error.line == 3)
        }
    }
}
