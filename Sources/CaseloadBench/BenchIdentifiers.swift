import CaseloadCore

/// Valid, distinct resident ID numbers for import files. They use area 310115 (浦东), which the
/// demo data (310104) never does, so an import never collides with seeded applicants.
public enum BenchIdentifiers {
    /// The `n`th number: a thousand per birth date from 1980-01-01 on, sequence `n % 1000`.
    public static func idNumber(_ n: Int) -> String {
        ResidentIDNumber.make(area: "310115", birth: CalendarDate(daysSinceEpoch: 3652 + n / 1000), sequence: n % 1000)
    }
}
