import CaseloadProtocol
import Foundation

/// How protocol values read to people: enum values with their Chinese names, stages in both
/// languages, times in Shanghai.
enum Labels {
    static let education = [
        "associate": "大专", "bachelor": "本科", "bachelor_degree": "本科+学士", "master": "硕士", "doctor": "博士",
    ]
    static let skill = [
        "level5": "五级/初级工", "level4": "四级/中级工", "level3": "三级/高级工", "level2": "二级/技师", "level1": "一级/高级技师",
        "intermediate_title": "中级职称", "senior_title": "高级职称",
    ]
    static let contributionBase = [
        "at_least_0.8": "≥0.8 倍", "at_least_1": "≥1 倍", "at_least_2": "≥2 倍", "at_least_3": "≥3 倍",
    ]
    static let status = ["active": "办理中", "on_hold": "暂停", "withdrawn": "已撤回", "closed": "已办结"]
    static let action = [
        "open": "立案", "advance": "推进", "record": "记录", "return": "退回", "withdraw": "撤回", "hold": "暂停", "resume": "恢复",
        "note": "备注",
    ]

    /// `本科 bachelor` for a known value, the value itself otherwise, `-` for null.
    static func named(_ value: JSONValue?, _ names: [String: String]) -> String {
        guard let raw = value?.stringValue else { return Output.text(value) }
        return names[raw].map { "\($0) \(raw)" } ?? raw
    }

    /// The case's stage in both languages: `网上提交 Submitted online`.
    static func stage(_ c: JSONValue) -> String {
        "\(Output.text(c["stage_name_zh"])) \(Output.text(c["stage_name_en"]))"
    }

    static func late(_ c: JSONValue) -> String {
        c["late"]?.boolValue == true ? "逾期 late" : ""
    }

    /// `key=value, key=value` in key order (values as they would be typed to `--data`).
    static func data(_ value: JSONValue?) -> String {
        guard let object = value?.objectValue, !object.isEmpty else { return "" }
        return object.keys.sorted().map { key in
            let v = object[key]!
            return "\(key)=\(v.stringValue ?? WireJSON.string(v))"
        }.joined(separator: ", ")
    }

    /// A protocol date-time as `YYYY-MM-DD HH:MM` in Shanghai time (UTC+8, no daylight saving).
    static func time(_ value: JSONValue?) -> String {
        guard let raw = value?.stringValue else { return Output.text(value) }
        guard let date = try? Date(raw, strategy: .iso8601) else { return raw }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 8 * 3600)
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: date)
    }

    /// The first block of a uuid, enough to tell rows apart in a table.
    static func short(_ value: JSONValue?) -> String {
        guard let raw = value?.stringValue else { return Output.text(value) }
        return String(raw.prefix { $0 != "-" })
    }
}
