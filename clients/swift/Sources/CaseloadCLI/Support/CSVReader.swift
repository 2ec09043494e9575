/// RFC 4180 CSV, as spreadsheets write it: fields separated by commas, records by CRLF or LF
/// (a lone CR too); a field in double quotes may hold commas, line breaks and doubled quotes
/// (`""` is one `"`). A UTF-8 byte order mark at the start is dropped. Lines with nothing on
/// them are skipped; a line of only commas is a record of empty fields (the caller decides).
///
/// Works on Unicode scalars, not Characters: Swift makes `\r\n` one Character, and a combining
/// mark after a closing quote would join it into one.
enum CSVReader {
    /// One record and the file line it starts on (1-based; a record with quoted line breaks
    /// spans several lines, and the next record's number counts them).
    struct Record: Equatable, Sendable {
        var line: Int
        var fields: [String]
    }

    /// A file that is not CSV: a quote left open, or text right after a closing quote.
    struct MalformedError: Error, Equatable, CustomStringConvertible {
        var line: Int
        var reason: String
        var description: String { "line \(line): \(reason)" }
    }

    static func parse(_ text: String) throws(MalformedError) -> [Record] {
        var scalars = Substring(text).unicodeScalars[...]
        if scalars.first == "\u{FEFF}" { scalars = scalars.dropFirst() }

        var records: [Record] = []
        var fields: [String] = []
        var field = String.UnicodeScalarView()
        var line = 1            // the line the scanner is on
        var recordLine = 1      // the line the current record started on
        var quoteLine = 1       // where the open quote was, for the error
        var recordHasContent = false

        enum State { case fieldStart, unquoted, quoted, quoteInQuoted }
        var state = State.fieldStart

        func endField() {
            fields.append(String(field))
            field = String.UnicodeScalarView()
        }
        func endRecord() {
            if recordHasContent { records.append(Record(line: recordLine, fields: fields)) }
            fields = []
            recordHasContent = false
        }

        var index = scalars.startIndex
        while index < scalars.endIndex {
            let c = scalars[index]
            index = scalars.index(after: index)
            let isBreak = c == "\n" || c == "\r"
            if isBreak {
                // CRLF is one break: skip the LF after a CR.
                if c == "\r", index < scalars.endIndex, scalars[index] == "\n" { index = scalars.index(after: index) }
            }
            switch state {
            case .fieldStart, .unquoted:
                if c == "," {
                    recordHasContent = true
                    endField()
                    state = .fieldStart
                } else if isBreak {
                    if state == .unquoted || !fields.isEmpty { endField() }
                    endRecord()
                    line += 1
                    recordLine = line
                    state = .fieldStart
                } else if c == "\"", state == .fieldStart {
                    recordHasContent = true
                    quoteLine = line
                    state = .quoted
                } else {
                    // A quote inside an unquoted field is kept as written (lenient, as Excel reads it).
                    recordHasContent = true
                    field.append(c)
                    state = .unquoted
                }
            case .quoted:
                if c == "\"" {
                    state = .quoteInQuoted
                } else {
                    if isBreak {
                        line += 1
                        field.append("\n")  // CRLF inside a cell reads as one line break
                    } else {
                        field.append(c)
                    }
                }
            case .quoteInQuoted:
                if c == "\"" {
                    field.append("\"")
                    state = .quoted
                } else if c == "," {
                    endField()
                    state = .fieldStart
                } else if isBreak {
                    endField()
                    endRecord()
                    line += 1
                    recordLine = line
                    state = .fieldStart
                } else {
                    throw MalformedError(line: line, reason: "text after a closing quote (a quote inside a quoted field is written \"\")")
                }
            }
        }
        switch state {
        case .quoted:
            throw MalformedError(line: quoteLine, reason: "a quoted field is not closed before the end of the file")
        case .unquoted, .quoteInQuoted:
            endField()
            endRecord()
        case .fieldStart:
            if !fields.isEmpty { endField() }
            endRecord()
        }
        return records
    }
}
