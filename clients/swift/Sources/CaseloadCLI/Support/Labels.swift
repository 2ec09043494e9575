import CaseloadProtocol
import Foundation

/// How protocol values read to people: enum values with their Chinese names, stages in both
/// languages, times in Shanghai.
enum Labels {
    // The names come from the server (`ServerLabels`, loaded with the first connection).
    static var education: [String: String] { ServerLabels.names("education") }
    static var skill: [String: String] { ServerLabels.names("skill") }
    static var contributionBase: [String: String] { ServerLabels.names("contribution_base") }
    static var status: [String: String] { ServerLabels.names("case_status") }
    static var action: [String: String] { ServerLabels.names("case_action") }
    static var caseKind: [String: String] { ServerLabels.names("case_kind") }
    static var form: [String: String] { ServerLabels.names("document_form") }
    static var holderKind: [String: String] { ServerLabels.names("holder_kind") }
    static var custodyEvent: [String: String] { ServerLabels.names("custody_event") }
    static var locationKind: [String: String] { ServerLabels.names("location_kind") }
    static var archiveHolderType: [String: String] { ServerLabels.names("archive_holder_type") }
    static var archiveStatus: [String: String] { ServerLabels.names("archive_status") }

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

    /// A document's holder, short: `本机构 agency @ CAB-2`, `区人才服务中心 talent_center`; `-` before it is received.
    static func holder(_ h: JSONValue?) -> String {
        guard let h, !h.isNull else { return "-" }
        let location = h["location_code"]?.stringValue.map { " @ \($0)" } ?? ""
        return named(h["kind"], holderKind) + location
    }

    /// One custody event with its details: `递交 handed_over to talent_center, receipt SJ-001`.
    static func custody(_ e: JSONValue?) -> String {
        guard let e, !e.isNull else { return "-" }
        let t = Output.text
        var details: [String] = []
        switch e["event"]?.stringValue {
        case "received": details.append("from \(t(e["from"]))")
        case "stored", "moved": details.append("at \(t(e["location"]))")
        case "handed_over":
            details.append("to \(t(e["authority"]))")
            if let receipt = e["receipt_number"]?.stringValue { details.append("receipt \(receipt)") }
        case "forwarded": details.append("to \(t(e["to"]))")
        case "collected": details.append("from \(t(e["authority"]))")
        case "returned": details.append("to \(t(e["to"])), signed by \(t(e["signed_by"]))")
        case "corrected": details.append("reverses #\(t(e["reverses"])): \(t(e["reason"]))")
        default: break
        }
        return ([named(e["event"], custodyEvent)] + (details.isEmpty ? [] : [details.joined(separator: ", ")])).joined(separator: " ")
    }

    /// The first block of a uuid, enough to tell rows apart in a table; the server takes it
    /// back wherever an id is (a prefix of 6 or more characters).
    static func short(_ value: JSONValue?) -> String {
        guard let raw = value?.stringValue else { return Output.text(value) }
        return String(raw.prefix { $0 != "-" })
    }

    /// A case in a line, by what people call it: `积分新办 受理` (the kind's Chinese name and
    /// the stage's); `-` for none (an applicant's own date).
    static func caseName(kind: JSONValue?, stageZh: JSONValue?) -> String {
        guard let kind = kind?.stringValue else { return "-" }
        return [caseKind[kind] ?? kind, stageZh?.stringValue].compactMap { $0 }.joined(separator: " ")
    }
}
