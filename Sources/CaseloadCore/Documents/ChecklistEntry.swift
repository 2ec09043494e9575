/// One line of a case kind's materials checklist: a document type in one form, when it
/// applies, and the stage by which it must be in hand.
public struct ChecklistEntry: Sendable, Hashable, Codable {
    /// A `DocumentCatalogue` id, e.g. `graduation_certificate`.
    public var documentType: String
    public var form: DocumentForm
    public var condition: ChecklistCondition
    /// The stage id of the case kind at which the paper must be present, e.g. `materials_delivered`.
    public var requiredBy: String

    public init(documentType: String, form: DocumentForm, condition: ChecklistCondition = .always, requiredBy: String) {
        self.documentType = documentType
        self.form = form
        self.condition = condition
        self.requiredBy = requiredBy
    }

    enum CodingKeys: String, CodingKey {
        case documentType = "document_type"
        case form
        case condition
        case requiredBy = "required_by"
    }
}
