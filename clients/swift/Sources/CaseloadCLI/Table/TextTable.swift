/// A plain-text table for terminal output, aligned by display width so that Chinese names
/// (two columns per character) line up with ASCII.
///
///     名称                  电话
///     --------------------  -----------
///     上海某某科技有限公司  138****0001
///
/// Columns are left-aligned and separated by two spaces; a separator line of `-` follows the
/// header. Trailing spaces are trimmed from every line, and line breaks or tabs inside a cell
/// become spaces so that one row stays one line.
public struct TextTable: Sendable {
    private let headers: [String]
    private var rows: [[String]] = []

    public init(headers: [String]) {
        self.headers = headers.map(Self.clean)
    }

    /// Appends a row. Missing cells are shown empty; extra cells add unnamed columns.
    public mutating func add(_ row: [String]) {
        rows.append(row.map(Self.clean))
    }

    /// The table as lines joined by `\n`, without a final newline.
    public func render() -> String {
        let columnCount = max(headers.count, rows.map(\.count).max() ?? 0)
        guard columnCount > 0 else { return "" }
        var widths = Array(repeating: 1, count: columnCount)  // at least one dash per column
        for line in [headers] + rows {
            for (column, cell) in line.enumerated() {
                widths[column] = max(widths[column], cell.displayWidth)
            }
        }
        func format(_ cells: [String]) -> String {
            var line = ""
            for column in 0..<columnCount {
                let cell = column < cells.count ? cells[column] : ""
                if column > 0 { line += "  " }
                line += cell
                line += String(repeating: " ", count: widths[column] - cell.displayWidth)
            }
            return Self.trimmingTrailingSpaces(line)
        }
        let separator = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        return ([format(headers), separator] + rows.map(format)).joined(separator: "\n")
    }

    private static func clean(_ cell: String) -> String {
        String(cell.map { $0.isNewline || $0 == "\t" ? " " : $0 })
    }

    private static func trimmingTrailingSpaces(_ line: String) -> String {
        var line = line
        while line.last == " " { line.removeLast() }
        return line
    }
}
