/// One value of a protocol enum with how it reads to people.
public struct Label: Sendable, Hashable {
    /// The value on the wire (`bachelor_degree`).
    public var value: String
    /// Its Chinese name (`本科+学士`).
    public var chineseName: String
    /// Its English name, where the domain has one.
    public var englishName: String?

    public init(_ value: String, _ chineseName: String, _ englishName: String? = nil) {
        self.value = value
        self.chineseName = chineseName
        self.englishName = englishName
    }
}

/// Every name a client shows for a protocol value, in one table: published by the server
/// (`system.labels`) so the CLIs and reports read the same names instead of keeping copies.
///
/// Built from the enums and tables that own the names (case kinds and their stages, the
/// document catalogue, deadline rules, statuses); the few names that belong to no enum of
/// their own (history actions, custody events, holders) are data here.
public enum LabelCatalogue {
    /// Groups by name, each in the order its values are defined.
    public static let groups: [(name: String, labels: [Label])] = [
        ("case_kind", CaseKinds.all.map { Label($0.id, $0.chineseName, $0.englishName) }),
        ("case_status", CaseStatus.allCases.map { Label($0.rawValue, $0.chineseName) }),
        ("case_action", caseActions),
        ("education", EducationLevel.allCases.map { Label($0.rawValue, $0.chineseName) }),
        ("skill", SkillLevel.allCases.map { Label($0.rawValue, $0.chineseName) }),
        ("contribution_base", ContributionBaseMultiple.allCases.map { Label($0.rawValue, $0.chineseName) }),
        ("deduction", Deduction.allCases.map { Label($0.rawValue, $0.chineseName, $0.englishName) }),
        ("document_type", DocumentCatalogue.all.map { Label($0.id, $0.chineseName, $0.englishName) }),
        ("document_form", DocumentForm.allCases.map { Label($0.rawValue, $0.chineseName, $0.englishName) }),
        ("holder_kind", holderKinds),
        ("custody_event", custodyEvents),
        ("location_kind", LocationKind.allCases.map { Label($0.rawValue, $0.chineseName) }),
        ("authority", Authority.allCases.map { Label($0.rawValue, $0.chineseName, $0.englishName) }),
        ("archive_holder_type", ArchiveHolderType.allCases.map { Label($0.rawValue, $0.chineseName, $0.englishName) }),
        ("archive_status", ArchiveStatus.allCases.map { Label($0.rawValue, $0.chineseName, $0.englishName) }),
        ("talent_center_status", TalentCenterStatus.allCases.map { Label($0.rawValue, $0.chineseName) }),
        ("district", ShanghaiDistrict.allCases.map { Label($0.rawValue, $0.chineseName) }),
        ("deadline_rule", DeadlineRules.defaults.map { Label($0.id, $0.chineseName, $0.englishName) }),
        ("deadline_state", DeadlineState.allCases.map { Label($0.rawValue, $0.chineseName) }),
        ("deadline_kind", DeadlineKind.allCases.map { Label($0.rawValue, $0.chineseName) }),
        ("deadline_action", deadlineActions),
        ("day_kind", DayKind.allCases.map { Label($0.rawValue, $0.chineseName) }),
        ("calendar_source", [Label("builtin", "内置", "built in"), Label("agency", "本机构", "the agency's")]),
        ("role", Role.allCases.map { Label($0.rawValue, $0.chineseName) }),
        ("agenda_item", AgendaItemKind.allCases.map { Label($0.rawValue, $0.chineseName, $0.englishName) }),
    ]

    /// Each case kind's stages, in the kind's order.
    public static let stages: [(kind: String, labels: [Label])] = CaseKinds.all.map { kind in
        (kind.id, kind.stages.map { Label($0.id, $0.chineseName, $0.englishName) })
    }

    /// The names of a group, by value.
    public static func names(_ group: String) -> [String: Label] {
        let labels = groups.first { $0.name == group }?.labels ?? []
        return Dictionary(labels.map { ($0.value, $0) }) { first, _ in first }
    }

    static let caseActions = [
        Label("open", "立案", "opened"), Label("advance", "推进", "advanced"), Label("record", "记录", "recorded"),
        Label("return", "退回", "returned"), Label("withdraw", "撤回", "withdrawn"), Label("hold", "暂停", "put on hold"),
        Label("resume", "恢复", "resumed"), Label("note", "备注", "note"),
    ]
    static let deadlineActions = [
        Label("created", "生成", "created"), Label("recomputed", "重算", "recomputed"), Label("missed", "逾期", "missed"),
        Label("done", "完成", "done"), Label("waived", "免除", "waived"), Label("reopened", "重开", "reopened"),
        Label("waiting", "等待", "waiting"), Label("opened", "开放", "opened"), Label("satisfied", "办结", "satisfied"),
        Label("cancelled", "取消", "cancelled"),
    ]
    static let holderKinds = [
        Label("client", "客户处", "with the client"), Label("agency", "本机构", "with the agency"),
        Label("talent_center", "区人才服务中心", "district talent center"), Label("city_verification_center", "市级审核中心", "city verification center"),
        Label("returned", "已退还", "returned"),
    ]
    static let custodyEvents = [
        Label("received", "收取", "received"), Label("stored", "入柜", "stored"), Label("moved", "移位", "moved"),
        Label("handed_over", "递交", "handed over"), Label("forwarded", "转交", "forwarded"), Label("collected", "取回", "collected"),
        Label("returned", "退还", "returned"), Label("corrected", "更正", "corrected"),
    ]
}
