/// How demo data at size is spread over agencies: the largest agency first with its largest
/// company, the rest of the cases shared evenly by the others, a company per hundred cases
/// (at least one). Pure: `admin seed-demo --new-agencies` and its tests read the same plan.
public struct DemoPlan: Sendable, Equatable {
    /// One agency's share.
    public struct Agency: Sendable, Equatable {
        public var applicants: Int
        public var companies: Int
        /// How many of its applicants work for its first company.
        public var largestCompany: Int

        public init(applicants: Int, companies: Int, largestCompany: Int) {
            (self.applicants, self.companies, self.largestCompany) = (applicants, companies, largestCompany)
        }
    }

    public var agencies: [Agency]

    /// `total` applicants (one case each) over `agencies` agencies, `largestAgency` of them in
    /// the first and `largestCompany` of those at its first company. Refused (nil) when the
    /// numbers do not fit together: no agencies, negative sizes, a largest agency above the total
    /// or a largest company above the largest agency, or other agencies larger than the largest.
    public init?(agencies count: Int, total: Int, largestAgency: Int, largestCompany: Int) {
        guard count >= 1, total >= 0, largestAgency >= 0, largestCompany >= 0,
            largestAgency <= total, largestCompany <= largestAgency, count > 1 || largestAgency == total
        else { return nil }
        let others = count - 1
        let rest = total - largestAgency
        let each = others == 0 ? 0 : rest / others
        guard each <= largestAgency || others == 0 else { return nil }
        let first = Agency(applicants: largestAgency, companies: Self.companies(for: largestAgency), largestCompany: largestCompany)
        var plan = [first]
        for i in 0..<others {
            // The remainder goes one each to the first few, so the total is exact.
            let n = each + (i < rest - each * others ? 1 : 0)
            plan.append(Agency(applicants: n, companies: Self.companies(for: n), largestCompany: 0))
        }
        agencies = plan
    }

    static func companies(for applicants: Int) -> Int { max(1, applicants / 100) }

    public var total: Int { agencies.reduce(0) { $0 + $1.applicants } }
}
