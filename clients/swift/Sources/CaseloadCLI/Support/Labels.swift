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
    static let caseKind = ["points_new": "积分新办", "points_renewal": "积分续办", "hukou_transfer": "居转户", "talent_introduction": "人才引进"]
    static let form = ["original": "原件", "copy": "复印件", "sealed_copy": "加盖公章复印件"]
    static let holderKind = [
        "client": "客户处", "agency": "本机构", "talent_center": "区人才服务中心", "city_verification_center": "市级审核中心",
        "returned": "已退还",
    ]
    static let custodyEvent = [
        "received": "收取", "stored": "入柜", "moved": "移位", "handed_over": "递交", "forwarded": "转交", "collected": "取回",
        "returned": "退还",
    ]
    static let locationKind = ["office": "办公室", "cabinet": "文件柜", "drawer": "抽屉", "box": "档案盒"]
    static let archiveHolderType = [
        "district_talent_center": "区人才服务中心", "district_employment_agency": "区职业介绍所", "university": "高校", "company": "单位",
        "other_province_center": "外省市人才服务中心", "unknown": "未知",
    ]
    static let archiveStatus = [
        "unknown": "存档情况未知", "located": "已查明存档机构", "retrieval_requested": "已申请调档", "at_talent_center": "档案已在人才中心",
        "verified": "档案已核实",
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
        default: break
        }
        return ([named(e["event"], custodyEvent)] + (details.isEmpty ? [] : [details.joined(separator: ", ")])).joined(separator: " ")
    }

    /// The first block of a uuid, enough to tell rows apart in a table.
    static func short(_ value: JSONValue?) -> String {
        guard let raw = value?.stringValue else { return Output.text(value) }
        return String(raw.prefix { $0 != "-" })
    }
}
