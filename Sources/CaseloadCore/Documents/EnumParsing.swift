/// Parses a snake_case raw value into one of a closed set of cases, or throws a
/// ValidationError (rule "enum") that lists every accepted value, so a client can show them.
/// Shared by the document, custody and archive enums, which all parse request strings.
func parseEnum<T: RawRepresentable & CaseIterable>(_ raw: String, as _: T.Type, field: String) throws(ValidationError) -> T
where T.RawValue == String {
    guard let value = T(rawValue: String(raw.trimmingWhitespace)) else {
        throw ValidationError(
            field: field, rule: "enum", message: "must be one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return value
}
