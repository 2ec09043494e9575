/// A column that holds personal data sealed by `PIICipher`, next to the id of the key that
/// sealed each value, and the primary key its rows are walked in.
public struct SealedColumn: Sendable, Hashable, CustomStringConvertible {
    /// How reports name it (`table.field`); reports never carry values.
    public let name: String
    public let table: String
    /// The sealed bytes (nonce, ciphertext, tag).
    public let sealedColumn: String
    /// The id of the key that sealed them; NULL exactly when the value is.
    public let keyColumn: String
    /// The primary key is `agency_id`, this uuid column, and for some tables an integer.
    let rowIDColumn: String
    let rowNumberColumn: String?

    public var description: String { name }

    /// Every sealed column in the schema. A test compares this list with the database's
    /// sealed columns, so a migration adding one cannot leave it out of key rotation.
    public static let all: [SealedColumn] = [
        SealedColumn(
            name: "applicants.id_number", table: "applicants", sealedColumn: "id_number_sealed", keyColumn: "id_number_key",
            rowIDColumn: "applicant_id", rowNumberColumn: nil),
        SealedColumn(
            name: "applicants.phone", table: "applicants", sealedColumn: "phone_sealed", keyColumn: "phone_key",
            rowIDColumn: "applicant_id", rowNumberColumn: nil),
        SealedColumn(
            name: "companies.hr_phone", table: "companies", sealedColumn: "hr_phone_sealed", keyColumn: "hr_phone_key",
            rowIDColumn: "company_id", rowNumberColumn: nil),
        SealedColumn(
            name: "import_rows.fields", table: "import_rows", sealedColumn: "sealed", keyColumn: "key_id",
            rowIDColumn: "import_id", rowNumberColumn: "row_number"),
    ]
}
