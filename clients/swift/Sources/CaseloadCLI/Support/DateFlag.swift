import CaseloadCore

/// Date flags (`--due`, `--permit-received`, …) as people write dates: 2026-09-30, 2026/9/30 or
/// 2026年9月30日 (`CalendarDate(input:)`, the parser the server uses), sent as YYYY-MM-DD. A
/// text that is no date is refused before any call, naming the flag and repeating the text.
enum DateFlag {
    /// `value` as YYYY-MM-DD, or nil when the flag was not given.
    static func iso(_ value: String?, flag: String) throws -> String? {
        guard let value else { return nil }
        guard let date = CalendarDate(input: value) else { throw CLIError("\(flag): " + L(en: CalendarDate.notADate(value), zh: CalendarDate.notADateZh(value))) }
        return date.iso
    }
}
