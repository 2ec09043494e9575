extension CalendarDate {
    /// The ways a person may write a date, for messages.
    public static let inputForms = "2026-09-30, 2026/9/30 or 2026年9月30日"

    /// A date as people write it: `2026-09-30`, `2026/9/30`, `2026.9.30` or `2026年9月30日`
    /// (month and day with or without a leading zero, full-width digits and separators too,
    /// spaces around it ignored). nil unless it is a real date; the accepted range is the
    /// caller's to check (`acceptedRange`, a field's window). Every place that reads a date
    /// from a person — params, stage data, import cells, CLI flags — reads it here, so they
    /// accept the same forms.
    ///
    /// Digits are counted before they are read (a year of four, month and day of one or two),
    /// so no text, however long, can overflow.
    public init?(input text: String) {
        let ascii = String(text.map { Self.halfWidth[$0] ?? $0 })
        let trimmed = ascii.trimmingWhitespace
        var parts: [Substring]
        if trimmed.hasSuffix("日") || trimmed.hasSuffix("号") {
            // 2026年9月30日: the three numbers end in 年, 月 and 日 (号 is the spoken form).
            let body = trimmed.dropLast()
            guard let nian = body.firstIndex(of: "年"), let yue = body.firstIndex(of: "月"), nian < yue,
                  body.filter({ $0 == "年" || $0 == "月" }).count == 2
            else { return nil }
            parts = [body[..<nian], body[body.index(after: nian)..<yue], body[body.index(after: yue)...]]
        } else {
            guard let separator = trimmed.first(where: { $0 == "-" || $0 == "/" || $0 == "." }) else { return nil }
            // One separator throughout: 2026-9/30 is a typo, not a date.
            parts = trimmed.split(separator: separator, omittingEmptySubsequences: false)
        }
        parts = parts.map { String($0).trimmingWhitespace }
        guard parts.count == 3, parts[0].count == 4, (1...2).contains(parts[1].count), (1...2).contains(parts[2].count),
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// Full-width digits and separators (an IME's ２０２６／９／３０) as ASCII.
    static let halfWidth: [Character: Character] = {
        var map: [Character: Character] = ["－": "-", "／": "/", "．": "."]
        for (wide, narrow) in zip("０１２３４５６７８９", "0123456789") { map[wide] = narrow }
        return map
    }()

    /// A date text as a message may repeat it: quoted and capped, unless it looks like an
    /// identifier (a run of more than 8 digits: an ID or phone number in the wrong column),
    /// which is never repeated.
    public static func echo(_ text: String, withheld: String = "(not repeated: it looks like an ID or phone number)") -> String {
        var run = 0
        var longest = 0
        for character in text {
            run = character.isNumber ? run + 1 : 0
            longest = max(longest, run)
        }
        guard longest <= 8 else { return withheld }
        let trimmed = String(text.trimmingWhitespace)
        return "'" + (trimmed.count > 20 ? trimmed.prefix(20) + "…" : trimmed) + "'"
    }

    /// The refusal of a text that is not a date, for a field: names the forms, repeats the text
    /// (`echo`).
    public static func notADate(_ text: String) -> String {
        "\(echo(text)) is not a date; write \(inputForms)"
    }

    /// The same in Chinese.
    public static func notADateZh(_ text: String) -> String {
        "\(echo(text, withheld: "（看起来像身份证号或手机号，不予显示）")) 不是日期：请写成 2026-09-30、2026/9/30 或 2026年9月30日"
    }
}
