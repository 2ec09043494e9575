import CaseloadCore
import Testing

/// The first issue `body` throws, or nil if it succeeds: lets a test say
/// `#expect(issue { try X.parse("...") }?.rule == "checksum")` in one line.
///
/// `body` is plain `throws` because Swift 6.x does not infer a closure's typed-throws error
/// type from its body; a non-`ValidationError` is recorded as a test failure.
func issue<T>(_ body: () throws -> T) -> FieldIssue? {
    do {
        _ = try body()
        return nil
    } catch let error as ValidationError {
        return error.issues.first
    } catch {
        Issue.record("expected a ValidationError, got \(error)")
        return nil
    }
}

/// `text` with the character at `offset` replaced by `replacement`.
func replacing(_ text: String, at offset: Int, with replacement: Character) -> String {
    var chars = Array(text)
    chars[offset] = replacement
    return String(chars)
}
