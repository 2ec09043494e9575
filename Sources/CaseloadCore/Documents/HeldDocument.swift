/// A paper the case has on record, as far as the checklist cares: its type, its form, and
/// whether it can be handed in now.
public struct HeldDocument: Sendable, Hashable, Codable {
    /// A `DocumentCatalogue` id.
    public var documentType: String
    public var form: DocumentForm
    /// Available to hand in: with the agency or the client; not out with an authority and not
    /// returned. A paper at the talent center does not count, so a diploma sent for checking
    /// is not mistaken for one in the drawer.
    public var held: Bool
    /// Handed in already: with the talent center or the city verification center. Such a
    /// paper counts as delivered (it is not missing), though it cannot be handed in again.
    public var submitted: Bool

    public init(documentType: String, form: DocumentForm, held: Bool = true, submitted: Bool = false) {
        self.documentType = documentType
        self.form = form
        self.held = held
        self.submitted = submitted
    }

    /// A paper whose custody ledger has folded to `holder` (nil: not yet received, so not held).
    public init(documentType: String, form: DocumentForm, holder: Holder?) {
        self.init(documentType: documentType, form: form, held: holder?.isAvailable ?? false, submitted: holder?.isOutWithAuthority ?? false)
    }

    enum CodingKeys: String, CodingKey {
        case documentType = "document_type"
        case form
        case held
        case submitted
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            documentType: try c.decode(String.self, forKey: .documentType), form: try c.decode(DocumentForm.self, forKey: .form),
            held: try c.decodeIfPresent(Bool.self, forKey: .held) ?? true, submitted: try c.decodeIfPresent(Bool.self, forKey: .submitted) ?? false)
    }
}
