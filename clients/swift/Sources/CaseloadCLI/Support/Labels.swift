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

    /// A value by its name in the current language (`本科` in Chinese; `bachelor`, or the
    /// domain's English name where it has one, in English); the value itself when the server
    /// names it not; `-` for null.
    static func named(_ value: JSONValue?, _ names: [String: String]) -> String {
        guard let raw = value?.stringValue else { return Output.text(value) }
        return names[raw] ?? raw
    }

    /// The case's stage in the current language: `网上提交` or `Submitted online`.
    static func stage(_ c: JSONValue) -> String {
        Output.text(Language.current == .zh ? c["stage_name_zh"] : c["stage_name_en"])
    }

    /// The case's kind in the current language (`积分新办`; the server's `kind_name` when the
    /// catalogue does not know it).
    static func kind(_ c: JSONValue) -> String {
        guard let kind = c["kind"]?.stringValue, let name = caseKind[kind] else { return Output.text(c["kind_name"]) }
        return name
    }

    /// A document's type in the current language (the server's `type_name` when the catalogue
    /// does not know it).
    static func documentType(_ d: JSONValue) -> String {
        guard let type = d["document_type"]?.stringValue, let name = ServerLabels.names("document_type")[type] else { return Output.text(d["type_name"]) }
        return name
    }

    static func late(_ c: JSONValue) -> String {
        c["late"]?.boolValue == true ? L(en: "late", zh: "逾期") : ""
    }

    /// `key=value, key=value` in key order (values as they would be typed to `--data`).
    static func data(_ value: JSONValue?) -> String {
        guard let object = value?.objectValue, !object.isEmpty else { return "" }
        return object.keys.sorted().map { key in
            let v = object[key]!
            return "\(key)=\(v.stringValue ?? WireJSON.string(v))"
        }.joined(separator: ", ")
    }

    /// A protocol date-time as `YYYY-MM-DD HH:MM` in Shanghai time (UTC+8, no daylight saving):
    /// every time the CLI prints goes through here, whatever the machine's time zone.
    static func time(_ value: JSONValue?) -> String {
        guard let raw = value?.stringValue else { return Output.text(value) }
        guard let date = try? Date(raw, strategy: .iso8601) else { return raw }
        return time(date)
    }

    /// `date` as `YYYY-MM-DD HH:MM` in Shanghai time, or with `seconds` `YYYY-MM-DD HH:MM:SS`
    /// (for the lines `watch` prints as things happen).
    static func time(_ date: Date, seconds: Bool = false) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 8 * 3600)
        formatter.dateFormat = seconds ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm"
        return formatter.string(from: date)
    }

    /// A document's holder, short: `本机构 @ CAB-2` (`with the agency @ CAB-2`); `-` before it is received.
    static func holder(_ h: JSONValue?) -> String {
        guard let h, !h.isNull else { return "-" }
        let location = h["location_code"]?.stringValue.map { " @ \($0)" } ?? ""
        return named(h["kind"], holderKind) + location
    }

    /// One custody event with its details: `handed over to talent_center, receipt SJ-001`
    /// (`递交 交给 talent_center，收据 SJ-001`).
    static func custody(_ e: JSONValue?) -> String {
        guard let e, !e.isNull else { return "-" }
        let t = Output.text
        var details: [String] = []
        let from = L(en: "from", zh: "来自"), to = L(en: "to", zh: "交给")
        switch e["event"]?.stringValue {
        case "received": details.append("\(from) \(t(e["from"]))")
        case "stored", "moved": details.append("\(L(en: "at", zh: "存放于")) \(t(e["location"]))")
        case "handed_over":
            details.append("\(to) \(t(e["authority"]))")
            if let receipt = e["receipt_number"]?.stringValue { details.append("\(L(en: "receipt", zh: "收据")) \(receipt)") }
        case "forwarded": details.append("\(to) \(t(e["to"]))")
        case "collected": details.append("\(from) \(t(e["authority"]))")
        case "returned":
            details.append("\(to) \(t(e["to"]))")
            details.append("\(L(en: "signed by", zh: "签收人")) \(t(e["signed_by"]))")
        case "corrected": details.append(L(en: "reverses #\(t(e["reverses"])): \(t(e["reason"]))", zh: "撤销 #\(t(e["reverses"]))：\(t(e["reason"]))"))
        default: break
        }
        let separator = L(en: ", ", zh: "，")
        return ([named(e["event"], custodyEvent)] + (details.isEmpty ? [] : [details.joined(separator: separator)])).joined(separator: " ")
    }

    /// The first block of a uuid, enough to tell rows apart in a table; the server takes it
    /// back wherever an id is (a prefix of 6 or more characters).
    static func short(_ value: JSONValue?) -> String {
        guard let raw = value?.stringValue else { return Output.text(value) }
        return String(raw.prefix { $0 != "-" })
    }

    /// A case in a line, by what people call it: the kind's name and the stage's in the current
    /// language (`积分新办 受理`, `Points — new application Accepted`); `-` for none (an
    /// applicant's own date). `line` carries `case_kind`, `case_stage_name_zh` and (except
    /// agenda lines, whose English name comes from the catalogue) `case_stage_name_en`.
    static func caseName(_ line: JSONValue) -> String {
        guard let kind = line["case_kind"]?.stringValue else { return "-" }
        let zh = line["case_stage_name_zh"]?.stringValue
        let stage = Language.current == .zh
            ? zh : line["case_stage_name_en"]?.stringValue ?? zh.map { ServerLabels.stageEnglishName(kind: kind, chineseName: $0) ?? $0 }
        return [caseKind[kind] ?? kind, stage].compactMap { $0 }.joined(separator: " ")
    }

    /// What a line is about in the current language: `\(prefix)title_zh` or `…_en` (the
    /// server names a deadline by its rule), else the combined `title` an older server sends.
    static func title(_ line: JSONValue, prefix: String = "") -> String {
        let key = prefix + (Language.current == .zh ? "title_zh" : "title_en")
        return (line[key] ?? line[prefix + "title"]).map(Output.text) ?? ""
    }
}
