import Foundation

/// How a company's name reads in a list line: its registered name without what every client
/// shares (the city in front, the legal form at the end), so `上海明远软件科技有限公司` reads
/// `明远软件科技`. A name that would be left empty (or had neither) stays as registered.
public enum CompanyName {
    static let cities = ["上海市", "上海"]
    /// Longest first: `股份有限公司` before `有限公司`.
    static let legalForms = ["股份有限公司", "有限责任公司", "有限公司", "Co., Ltd.", "Co.,Ltd.", "Ltd."]

    public static func short(_ registered: String) -> String {
        var name = Substring(registered.trimmingCharacters(in: .whitespaces))
        if let city = cities.first(where: { name.hasPrefix($0) }) { name = name.dropFirst(city.count) }
        // The legal form ends the name proper; a branch or a number after it stays (`… 分公司`, `… 2`).
        if let form = legalForms.first(where: { name.contains($0) }), let range = name.range(of: form) {
            name = name[..<range.lowerBound] + name[range.upperBound...]
        }
        let short = name.trimmingCharacters(in: .whitespaces)
        return short.isEmpty ? registered : short
    }
}
