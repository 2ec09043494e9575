/// One applicable checklist line with the document's names and whether it is in hand.
public struct ChecklistItem: Sendable, Hashable, Codable {
    public var documentType: String
    public var chineseName: String
    public var englishName: String
    public var form: DocumentForm
    /// The stage id by which it must be present.
    public var requiredBy: String
    /// In hand: with the agency or the client.
    public var present: Bool
    /// Handed in already (with the talent center or the city verification center): delivered,
    /// so not missing.
    public var submitted: Bool

    public init(
        documentType: String, chineseName: String, englishName: String, form: DocumentForm, requiredBy: String, present: Bool,
        submitted: Bool = false
    ) {
        self.documentType = documentType
        self.chineseName = chineseName
        self.englishName = englishName
        self.form = form
        self.requiredBy = requiredBy
        self.present = present
        self.submitted = submitted
    }

    /// In hand or handed in: what the checklist needs.
    public var supplied: Bool { present || submitted }

    /// "毕业证书 (Graduation certificate), 原件 (original)", the form messages use.
    public var displayName: String {
        "\(chineseName) (\(englishName)), \(form.chineseName) (\(form.englishName))"
    }

    /// "毕业证书（原件）", the Chinese messages' form.
    public var chineseDisplayName: String { "\(chineseName)（\(form.chineseName)）" }

    enum CodingKeys: String, CodingKey {
        case documentType = "document_type"
        case chineseName = "chinese_name"
        case englishName = "english_name"
        case form
        case requiredBy = "required_by"
        case present
        case submitted
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            documentType: try c.decode(String.self, forKey: .documentType), chineseName: try c.decode(String.self, forKey: .chineseName),
            englishName: try c.decode(String.self, forKey: .englishName), form: try c.decode(DocumentForm.self, forKey: .form),
            requiredBy: try c.decode(String.self, forKey: .requiredBy), present: try c.decode(Bool.self, forKey: .present),
            submitted: try c.decodeIfPresent(Bool.self, forKey: .submitted) ?? false)
    }
}

/// A checklist evaluated against the papers on record: every applicable line, present or not.
///
/// Encodes as `{"items": [...], "missing": [...], "complete": bool}`; `missing` and
/// `complete` are derived, so decoding reads only `items`.
public struct ChecklistResult: Sendable, Hashable, Codable {
    public var items: [ChecklistItem]

    public init(items: [ChecklistItem]) {
        self.items = items
    }

    /// The items neither in hand nor handed in, in checklist order.
    public var missing: [ChecklistItem] { items.filter { !$0.supplied } }

    public var isComplete: Bool { items.allSatisfy(\.supplied) }

    /// Evaluates the built-in checklist of case kind `kind` (see `Checklists.entries(for:)`).
    public static func evaluate(kind: String, profile: ApplicantProfile, documents: [HeldDocument]) -> ChecklistResult {
        evaluate(entries: Checklists.entries(for: kind), kind: kind, profile: profile, documents: documents)
    }

    /// Evaluates any checklist (an agency's own table, or `Checklists.employerActivation`).
    ///
    /// Only entries whose condition holds become items. An item is present when some held
    /// document of its type has a form that `satisfies` the entry's form: an original or a
    /// sealed copy meets a plain-copy line; only a sealed copy meets a sealed-copy line
    /// (see `DocumentForm.satisfies`). A matching paper with an authority makes the item
    /// submitted instead; one returned to the client, or not yet received, counts for nothing.
    public static func evaluate(
        entries: [ChecklistEntry], kind: String, profile: ApplicantProfile, documents: [HeldDocument]
    ) -> ChecklistResult {
        let items = entries.filter { $0.condition.holds(profile: profile, caseKind: kind) }.map { entry in
            // An id missing from the catalogue (an agency's own type) still shows, by its id.
            let type = DocumentCatalogue.type(entry.documentType)
            let matching = documents.filter { $0.documentType == entry.documentType && $0.form.satisfies(entry.form) }
            return ChecklistItem(
                documentType: entry.documentType, chineseName: type?.chineseName ?? entry.documentType,
                englishName: type?.englishName ?? entry.documentType, form: entry.form, requiredBy: entry.requiredBy,
                present: matching.contains(where: \.held), submitted: matching.contains(where: \.submitted))
        }
        return ChecklistResult(items: items)
    }

    /// Missing items due by the time a case of `kind` enters `stage`: those required by
    /// `stage` itself or by a stage that comes before it on some path of the kind's table.
    public func missing(forEntering stage: String, of kind: CaseKind) -> [ChecklistItem] {
        let due = Set(kind.earlierStages(than: stage).map(\.id)).union([stage])
        return missing.filter { due.contains($0.requiredBy) }
    }

    /// One issue per missing item (field "documents", rule "checklist"), naming the paper in
    /// Chinese and English, its form, and the stage it is due by.
    public func issues(_ items: [ChecklistItem]? = nil) -> [FieldIssue] {
        (items ?? missing).filter { !$0.supplied }.map { item in
            FieldIssue(
                field: "documents", rule: "checklist", message: "missing \(item.displayName), required by \(item.requiredBy)",
                zh: "缺少\(item.chineseDisplayName)，\(item.requiredBy) 阶段之前须提供")
        }
    }

    /// Throws every missing item as one ValidationError; returns when the checklist is complete.
    public func requireComplete() throws(ValidationError) {
        let found = issues()
        if !found.isEmpty { throw ValidationError(found) }
    }

    // MARK: Codable

    private enum CodingKeys: String, CodingKey { case items, missing, complete }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        items = try c.decode([ChecklistItem].self, forKey: .items)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(items, forKey: .items)
        try c.encode(missing, forKey: .missing)
        try c.encode(isComplete, forKey: .complete)
    }
}
