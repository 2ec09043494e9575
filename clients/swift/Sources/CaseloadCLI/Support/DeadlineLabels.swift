import CaseloadCore
import CaseloadProtocol
import Foundation

/// How deadlines and calendar days read to people.
extension Labels {
    static var deadlineState: [String: String] { ServerLabels.names("deadline_state") }
    static var deadlineAction: [String: String] { ServerLabels.names("deadline_action") }
    static var deadlineKind: [String: String] { ServerLabels.names("deadline_kind") }
    static var dayKind: [String: String] { ServerLabels.names("day_kind") }
    static var calendarSource: [String: String] { ServerLabels.names("calendar_source") }

    /// A deadline's state with what else is true of it, in the current language:
    /// `missed  overdue`, `open  provisional`, `waiting  window` (`已逾期  逾期`, `待办  暂定`, `未到期  起始`).
    static func deadlineState(_ d: JSONValue) -> String {
        var parts = [named(d["state"], deadlineState)]
        if d["overdue"]?.boolValue == true { parts.append(L(en: "overdue", zh: "逾期")) }
        if d["provisional"]?.boolValue == true { parts.append(L(en: "provisional", zh: "暂定")) }
        // Older servers send only is_expectation.
        let kind = d["kind"]?.stringValue ?? (d["is_expectation"]?.boolValue == true ? "expectation" : "due")
        if kind != "due" { parts.append(named(.string(kind), deadlineKind)) }
        return parts.joined(separator: "  ")
    }

    /// Whether a deadline is still to be met (waiting, open or missed).
    static func isPending(_ d: JSONValue) -> Bool {
        ["waiting", "open", "missed"].contains(d["state"]?.stringValue ?? "")
    }

    /// A protocol date with its weekday: `2026-10-10 Sat` (`2026-10-10 周六`); anything else as it came.
    static func day(_ value: JSONValue?) -> String {
        guard let raw = value?.stringValue else { return Output.text(value) }
        guard let date = CalendarDate(iso: raw) else { return raw }
        return "\(raw) \(weekday(date.weekday))"
    }

    /// `Sat` (`周六`): Core's label is both, `周六 Sat`.
    static func weekday(_ day: Weekday) -> String {
        let parts = day.label.split(separator: " ")
        return String((Language.current == .zh ? parts.first : parts.last) ?? Substring(day.label))
    }
}

extension Output {
    /// `text` broken at spaces into lines of at most `width` display columns (a longer word
    /// gets a line of its own), each after `indent`.
    static func wrap(_ text: String, width: Int = 78, indent: String = "  ") -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(whereSeparator: { $0 == " " || $0.isNewline }) {
            if !line.isEmpty, line.displayWidth + 1 + word.displayWidth > width {
                lines.append(indent + line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty { lines.append(indent + line) }
        return lines
    }
}
