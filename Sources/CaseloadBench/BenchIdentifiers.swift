/// Valid, distinct resident ID numbers for import files. They use area 310115 (浦东), which the
/// demo data (310104) never does, so an import never collides with seeded applicants.
public enum BenchIdentifiers {
    /// The `n`th number: a thousand per birth date from 1980-01-01 on, sequence `n % 1000`.
    public static func idNumber(_ n: Int) -> String {
        let (y, m, d) = civil(daysSince1970: 3652 + n / 1000)
        let body = "310115" + pad(y, 4) + pad(m, 2) + pad(d, 2) + pad(n % 1000, 3)
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        let sum = zip(body.utf8, weights).reduce(0) { $0 + Int($1.0 - 48) * $1.1 }
        return body + String(Array("10X98765432")[sum % 11])
    }

    static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }

    /// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func civil(daysSince1970 days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
