/// The names people type for protocol values, in one table: every value's Chinese and English
/// name from `LabelCatalogue` (what the help and `system.labels` already show), plus the other
/// spellings spreadsheets use (研究生, 专科, 中级, …). The server reads every enum param
/// through it, and the importer reads its cells through it, so `--education 硕士`, a JSON
/// `"education_level": "硕士"` and a 学历 cell of 硕士 all become `master`.
///
/// Matching ignores case, surrounding spaces and runs of inner spaces. A name that means two
/// different values among the ones a field accepts matches neither (the field's error then
/// lists the values).
public enum InputAliases {
    /// Spellings beyond the catalogue's names, by label group: the ones Chinese spreadsheets
    /// and consultants write (docs/import.md lists them).
    public static let extra: [String: [String: String]] = [
        "education": ["专科": "associate", "本科学士": "bachelor_degree", "学士": "bachelor_degree", "研究生": "master"],
        "skill": ["中级": "intermediate_title", "高级": "senior_title"],
        "document_form": ["原件": "original", "复印件": "copy"],
    ]

    /// Yes and no as spreadsheets write them.
    public static let yes: Set<String> = ["是", "y", "yes", "true", "1", "有"]
    public static let no: Set<String> = ["否", "n", "no", "false", "0", "无"]

    /// A typed name as it is compared: lowercased, trimmed, inner white space runs as one space.
    public static func key(_ text: String) -> String {
        text.lowercased().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// Every alias (by `key`) with the canonical values it names, over all groups. Canonical
    /// values themselves are included, so a value in another case (`Master`) matches too.
    static let table: [String: Set<String>] = {
        var table: [String: Set<String>] = [:]
        func add(_ alias: String, _ value: String) {
            let k = key(alias)
            guard !k.isEmpty else { return }
            table[k, default: []].insert(value)
        }
        for group in LabelCatalogue.groups {
            for label in group.labels {
                add(label.value, label.value)
                add(label.chineseName, label.value)
                if let english = label.englishName { add(english, label.value) }
            }
        }
        for (_, aliases) in extra {
            for (alias, value) in aliases { add(alias, value) }
        }
        return table
    }()

    /// The one value among `values` that `text` is or names, or nil.
    public static func canonical<C: Collection>(_ text: String, among values: C) -> String? where C.Element == String {
        if values.contains(text) { return text }
        guard let named = table[key(text)] else { return nil }
        let matches = values.filter { named.contains($0) }
        return matches.count == 1 ? matches.first : nil
    }

    /// The one value among `values` that `text` is or names; otherwise a ValidationError (rule
    /// `enum`) listing the values, with a "did you mean" for a typo.
    public static func parse(_ text: String, among values: [String], field: String) throws(ValidationError) -> String {
        guard let value = canonical(String(text.trimmingWhitespace), among: values) else {
            throw ValidationError(field: field, rule: "enum", .oneOf(values, typed: text))
        }
        return value
    }

    /// The value of label group `group` that `text` is or names, or nil.
    public static func canonical(_ text: String, group: String) -> String? {
        canonical(text, among: LabelCatalogue.groups.first { $0.name == group }?.labels.map(\.value) ?? [])
    }

    /// true for 是/yes/y/true/1/有, false for 否/no/n/false/0/无, nil otherwise.
    public static func bool(_ text: String) -> Bool? {
        let k = key(text)
        if yes.contains(k) { return true }
        if no.contains(k) { return false }
        return nil
    }

    /// The stage of `kind` that `text` is (id) or names (Chinese or English name), or nil.
    public static func stage(_ text: String, of kind: CaseKind) -> Stage? {
        let k = key(text)
        return kind.stages.first { $0.id == text }
            ?? kind.stages.first { key($0.id) == k || key($0.chineseName) == k || key($0.englishName) == k }
    }

    /// The stage ids any kind has that `text` is or names, in kind order without repeats.
    public static func stageIDs(_ text: String) -> [String] {
        var ids: [String] = []
        for kind in CaseKinds.all {
            if let stage = stage(text, of: kind), !ids.contains(stage.id) { ids.append(stage.id) }
        }
        return ids
    }

    /// The stage id a list filter means by `text` (an id or a name): within `kind` when the
    /// filter gives one, else among every kind's. An unknown stage is refused (`unknownStage`)
    /// rather than matching nothing; a name that means different ids in different kinds asks
    /// for the kind (rule `ambiguous`).
    public static func stageFilter(_ text: String, kind kindID: String?, field: String) throws(ValidationError) -> String {
        if let kindID, let kind = CaseKinds.kind(kindID) {
            guard let found = stage(text, of: kind) else { throw unknownStage(text, of: kind, field: field) }
            return found.id
        }
        let ids = stageIDs(text)
        guard ids.count <= 1 else {
            throw ValidationError(
                field: field, rule: "ambiguous", message: "names stages of more than one kind (\(ids.joined(separator: ", "))): give the kind too",
                zh: "对应不止一种案件的阶段（\(ids.joined(separator: "、"))）：请同时给出案件类型")
        }
        guard let id = ids.first else { throw unknownStage(text, of: nil, field: field) }
        return id
    }

    /// The refusal of an unknown stage name: rule `enum`, naming the kind, echoing the name
    /// (stage names are not personal data; capped) with a "did you mean" and the stages there are.
    public static func unknownStage(_ text: String, of kind: CaseKind?, field: String) -> ValidationError {
        let candidates = kind.map { $0.stages.map(\.id) } ?? CaseKinds.all.flatMap { $0.stages.map(\.id) }
        var seen = Set<String>()
        let unique = candidates.filter { seen.insert($0).inserted }
        let shown = text.count > 50 ? String(text.prefix(50)) + "…" : text
        let scope = kind.map { " for \($0.id)" } ?? ""
        let scopeZh = kind.map { "（\($0.chineseName)）" } ?? ""
        return ValidationError(
            field: field, rule: "enum",
            message: "unknown stage '\(shown)'\(scope)\(Suggestion.hint(for: text, among: unique)); the stages are \(unique.joined(separator: ", "))",
            zh: "没有“\(shown)”这个阶段\(scopeZh)\(Suggestion.hintZh(for: text, among: unique))；阶段有 \(unique.joined(separator: "、"))")
    }
}
