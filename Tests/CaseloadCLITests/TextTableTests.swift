@testable import CaseloadCLI
import Testing

@Suite struct DisplayWidthTests {
    @Test(arguments: [
        ("", 0), ("abc", 3), ("上海", 4), ("上海某某科技有限公司", 20), ("ACME 上海", 9),
        ("（有限）", 8),          // fullwidth parentheses U+FF08/FF09
        ("。、「」", 8),          // CJK symbols and punctuation
        ("\u{3000}", 2),          // ideographic space
        ("￥100", 5),             // U+FFE5 fullwidth yen
        ("ｱｲ", 2),               // halfwidth katakana stay narrow
        ("ひらがなカタカナ", 16), ("한국", 4), ("𠀀", 2),  // Hiragana/Katakana, Hangul, CJK Extension B
        ("e\u{301}", 1),          // e + combining acute: one cell
        ("\u{1100}\u{1161}", 2),  // decomposed Hangul syllable 가
        ("a\u{200B}b", 2),        // zero-width space
        ("👍", 2), ("👍🏽", 2), ("👨‍👩‍👧", 2), ("🇨🇳", 2), ("❤️", 2), ("1️⃣", 2),
        ("❤", 1),                 // text presentation without U+FE0F
        ("—“”", 3),               // East Asian Ambiguous: narrow
        ("é", 1), ("Ω", 1),
    ])
    func widths(text: String, width: Int) {
        #expect(text.displayWidth == width, "\(text)")
    }
}

@Suite struct TextTableTests {
    @Test func rendersExactLayout() {
        var table = TextTable(headers: ["名称", "Code"])
        table.add(["上海某某科技有限公司", "A"])
        table.add(["ACME", "91350200776049653A"])
        #expect(table.render() == """
            名称                  Code
            --------------------  ------------------
            上海某某科技有限公司  A
            ACME                  91350200776049653A
            """)
    }

    @Test func columnsStartAtTheSameDisplayColumnOnEveryLine() throws {
        let headers = ["客户", "ID", "电话", "阶段"]
        let rows = [
            ["上海某某科技有限公司", "110***********002X", "138****0001", "材料递交"],
            ["Acme Shanghai Ltd.", "310***********0016", "139****1234", "accepted"],
            ["张三", "-", "", "退回（补材料）"],
            ["Zoë 👍", "x", "1", "on hold"],
        ]
        var table = TextTable(headers: headers)
        rows.forEach { table.add($0) }
        let lines = table.render().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.count == 2 + rows.count)

        var starts: [Int] = [0]
        for column in 0..<headers.count - 1 {
            let width = ([headers] + rows).map { $0[column].displayWidth }.max()!
            starts.append(starts[column] + width + 2)
        }
        for (line, cells) in zip(lines, [headers, []] + rows) where !cells.isEmpty {
            for (column, cell) in cells.enumerated() where !cell.isEmpty {
                let range: Range<String.Index> = try #require(line.firstRange(of: cell), "\(cell) in \(line)")
                let prefix: Substring = line[..<range.lowerBound]
                #expect(prefix.displayWidth == starts[column], "\(cell) in \(line)")
            }
        }
        // The separator's dash runs start at the same columns.
        let separator: String = lines[1]
        let dashStarts: [Int] = separator.indices.filter { (i: String.Index) -> Bool in
            separator[i] == "-" && (i == separator.startIndex || separator[separator.index(before: i)] == " ")
        }.map { (i: String.Index) -> Int in separator[..<i].displayWidth }
        #expect(dashStarts == starts)
    }

    @Test func trimsTrailingSpacesAndFlattensNewlines() {
        var table = TextTable(headers: ["a", "long header"])
        table.add(["first\nsecond", ""])
        table.add(["x\r\ny", "tab\there"])
        let lines = table.render().split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines.allSatisfy { $0.last != " " })
        #expect(lines[2] == "first second")
        #expect(lines[3] == "x y           tab here")
    }

    @Test func raggedRowsAreTolerated() {
        var table = TextTable(headers: ["a", "b"])
        table.add(["1"])
        table.add(["1", "2", "3"])
        #expect(table.render() == """
            a  b
            -  -  -
            1
            1  2  3
            """)
    }

    @Test func emptyTable() {
        #expect(TextTable(headers: []).render() == "")
        #expect(TextTable(headers: ["名称"]).render() == "名称\n----")
    }
}
