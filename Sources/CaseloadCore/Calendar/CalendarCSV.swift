/// Reads and writes a holiday schedule as CSV: a `date,kind,name` header, then one
/// `YYYY-MM-DD,holiday|workday,name` line per entry (the format of `calendar-cn.csv`).
///
/// Tolerant of what spreadsheets and Windows editors produce: a UTF-8 byte-order mark, CRLF
/// line ends, blank lines, spaces around fields, a double-quoted name. Strict about content:
/// every bad line is reported, not just the first, so an agency can fix a file in one pass.
public enum CalendarCSV {
    /// The required first line.
    public static let header = "date,kind,name"
    /// The years a calendar may hold days of (the State Council notices Caseload can use).
    public static let yearRange = 2000...2100

    /// The entries of `text`, in file order.
    ///
    /// Throws a ValidationError listing every problem, each with `field` "line N" (1-based,
    /// counting the header and blank lines, as an editor shows them) and `rule`:
    /// - `header`: the first non-blank line is not `date,kind,name` (nothing else is read);
    /// - `format`: not three comma-separated fields, an empty name, or a badly quoted name;
    /// - `date`: not a real date written `YYYY-MM-DD`;
    /// - `kind`: neither `holiday` nor `workday`;
    /// - `duplicate`: the date already appeared on an earlier line (corrections belong in a
    ///   later file layered over this one, see `ChineseCalendar.init(entries:knownYears:)`).
    ///
    /// A name is everything after the second comma, so it may itself contain commas.
    public static func parse(_ text: String) throws(ValidationError) -> [CalendarEntry] {
        var issues: [FieldIssue] = []
        var entries: [CalendarEntry] = []
        var lineOfDate: [CalendarDate: Int] = [:]
        var sawHeader = false

        for (index, rawLine) in lines(of: text).enumerated() {
            let number = index + 1
            let line = String(rawLine.trimmingWhitespace)
            guard !line.isEmpty else { continue }
            let field = "line \(number)"

            guard sawHeader else {
                let columns = line.split(separator: ",", omittingEmptySubsequences: false)
                    .map { String($0).trimmingWhitespace.lowercased() }
                guard columns == ["date", "kind", "name"] else {
                    throw ValidationError(
                        field: field, rule: "header",
                        message: "the first line must be the header \"\(header)\"; got \"\(line)\"",
                        zh: "第一行须为表头“\(header)”；这里是“\(line)”")
                }
                sawHeader = true
                continue
            }

            let parts = line.split(separator: ",", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3 else {
                issues.append(FieldIssue(
                    field: field, rule: "format", message: "expected date,kind,name; got \"\(line)\"",
                    zh: "应为 date,kind,name 三列；这里是“\(line)”"))
                continue
            }
            let dateText = String(parts[0].trimmingWhitespace)
            let kindText = String(parts[1].trimmingWhitespace)
            var lineIssues: [FieldIssue] = []

            var date = CalendarDate(iso: dateText)
            if date == nil {
                lineIssues.append(FieldIssue(
                    field: field, rule: "date", message: "\"\(dateText)\" is not a real date written YYYY-MM-DD",
                    zh: "“\(dateText)”不是按 YYYY-MM-DD 写的真实日期"))
            } else if let d = date, !yearRange.contains(d.year) {
                lineIssues.append(FieldIssue(
                    field: field, rule: "range", message: "\(d.iso): a calendar covers the years \(yearRange.lowerBound)–\(yearRange.upperBound)",
                    zh: "\(d.iso)：日历只涵盖 \(yearRange.lowerBound)–\(yearRange.upperBound) 年"))
                date = nil
            }
            let kind = DayKind(rawValue: kindText.lowercased())
            if kind == nil {
                lineIssues.append(FieldIssue(
                    field: field, rule: "kind",
                    message: "the kind must be one of \(DayKind.allCases.map(\.rawValue).joined(separator: ", ")); got \"\(kindText)\"",
                    zh: "kind 须为 \(DayKind.allCases.map { "\($0.rawValue)（\($0.chineseName)）" }.joined(separator: "、")) 之一；这里是“\(kindText)”"))
            }
            var name: String?
            switch unquote(String(parts[2].trimmingWhitespace)) {
            case .success(let text) where text.isEmpty:
                lineIssues.append(FieldIssue(field: field, rule: "format", message: "the name is empty", zh: "名称为空"))
            case .success(let text):
                name = text
            case .failure(let problem):
                lineIssues.append(FieldIssue(field: field, rule: "format", message: problem.message, zh: problem.zh))
            }
            if let date {
                if let first = lineOfDate[date] {
                    lineIssues.append(FieldIssue(
                        field: field, rule: "duplicate", message: "\(date.iso) is already listed on line \(first)",
                        zh: "\(date.iso) 已在第 \(first) 行列出"))
                } else {
                    lineOfDate[date] = number
                }
            }

            if lineIssues.isEmpty, let date, let kind, let name {
                entries.append(CalendarEntry(date: date, kind: kind, name: name))
            }
            issues += lineIssues
        }

        if !sawHeader {
            throw ValidationError(
                field: "line 1", rule: "header", message: "the calendar is empty; it needs at least the header \"\(header)\"",
                zh: "日历为空；至少需要表头“\(header)”")
        }
        guard issues.isEmpty else { throw ValidationError(issues) }
        return entries
    }

    /// `entries` as CSV in the order given: the header, then one LF-terminated line each.
    /// A name with a comma, a double quote or surrounding spaces is double-quoted; line
    /// breaks in a name become spaces. `parse(render(x)) == x` for entries with distinct
    /// dates and non-empty, single-line names.
    public static func render(_ entries: [CalendarEntry]) -> String {
        var text = header + "\n"
        for entry in entries {
            text += entry.date.iso + "," + entry.kind.rawValue + "," + quoteIfNeeded(entry.name) + "\n"
        }
        return text
    }

    // MARK: Helpers

    /// Physical lines, split on LF only (so a `\r\n` pair is never one grapheme to a split),
    /// with a leading byte-order mark dropped. A trailing `\r` is left for trimming.
    static func lines(of text: String) -> [String] {
        var body = Substring(text)
        if body.unicodeScalars.first == "\u{FEFF}" {
            body = Substring(body.unicodeScalars.dropFirst())
        }
        return body.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
    }

    struct QuoteProblem: Error {
        var message: String
        var zh: String
    }

    /// A name as written: raw, or double-quoted with `""` for a quote inside.
    static func unquote(_ text: String) -> Result<String, QuoteProblem> {
        guard text.first == "\"" else { return .success(text) }
        let inner = text.dropFirst()
        guard inner.last == "\"" else {
            return .failure(QuoteProblem(message: "the quoted name \(text) has no closing quote", zh: "带引号的名称 \(text) 缺少右引号"))
        }
        var result = ""
        var chars = inner.dropLast().makeIterator()
        while let char = chars.next() {
            if char == "\"" {
                guard chars.next() == "\"" else {
                    return .failure(QuoteProblem(
                        message: "a quote inside the quoted name \(text) must be doubled (\"\")", zh: "带引号的名称 \(text) 中的引号须写两次（\"\"）"))
                }
            }
            result.append(char)
        }
        return .success(result)
    }

    static func quoteIfNeeded(_ name: String) -> String {
        let single = String(name.map { $0.isNewline ? " " : $0 })
        let needsQuotes = single.contains(",") || single.contains("\"")
            || single.first?.isWhitespace == true || single.last?.isWhitespace == true
        guard needsQuotes else { return single }
        return "\"" + single.replacingAll("\"", with: "\"\"") + "\""
    }
}

extension String {
    /// `self` with every `target` character replaced by `replacement` (no Foundation here).
    fileprivate func replacingAll(_ target: Character, with replacement: String) -> String {
        var result = ""
        for char in self {
            if char == target { result += replacement } else { result.append(char) }
        }
        return result
    }
}
