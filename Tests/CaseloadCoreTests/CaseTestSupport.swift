import CaseloadCore
import Testing

/// A date from a literal the test knows is valid.
func date(_ iso: String) -> CalendarDate {
    guard let date = CalendarDate(iso: iso) else { fatalError("bad test date \(iso)") }
    return date
}

/// Every issue `body` throws; empty if it succeeds.
func issues<T>(_ body: () throws -> T) -> [FieldIssue] {
    do {
        _ = try body()
        return []
    } catch let error as ValidationError {
        return error.issues
    } catch {
        Issue.record("expected a ValidationError, got \(error)")
        return []
    }
}

/// Facts under which every points_new rule holds.
func passingFacts(today: String = "2026-12-01") -> CaseFacts {
    CaseFacts(today: date(today), companyStatus: .activated, pointsTotal: 126, checklist: ChecklistResult(items: []), archiveStatus: .verified)
}
