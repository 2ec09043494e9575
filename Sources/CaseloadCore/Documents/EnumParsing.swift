/// Parses a snake_case raw value — or a name of one (`InputAliases`: its Chinese or English
/// name, another spelling) — into one of a closed set of cases, or throws a ValidationError
/// (rule "enum") that lists every accepted value, with a "did you mean" for a typo, so a
/// client can show them. Shared by the document, custody and archive enums, which all parse
/// request strings.
func parseEnum<T: RawRepresentable & CaseIterable>(_ raw: String, as _: T.Type, field: String) throws(ValidationError) -> T
where T.RawValue == String {
    let value = try InputAliases.parse(raw, among: T.allCases.map(\.rawValue), field: field)
    guard let parsed = T(rawValue: value) else { throw ValidationError(field: field, rule: "enum", message: "is not a known value", zh: "不是已知的取值") }
    return parsed
}
