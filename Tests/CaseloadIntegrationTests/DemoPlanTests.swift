import CaseloadServer
import Testing

@Suite struct DemoPlanTests {
    @Test func theBenchmarkShapeAddsUpExactly() throws {
        let plan = try #require(DemoPlan(agencies: 100, total: 1_000_000, largestAgency: 50_000, largestCompany: 10_000))
        #expect(plan.agencies.count == 100)
        #expect(plan.total == 1_000_000)
        #expect(plan.agencies[0] == .init(applicants: 50_000, companies: 500, largestCompany: 10_000))
        #expect(plan.agencies.dropFirst().allSatisfy { $0.applicants == 9_595 || $0.applicants == 9_596 })
        #expect(plan.agencies.dropFirst().allSatisfy { $0.largestCompany == 0 && $0.companies == 95 })
    }

    @Test func oneAgencyTakesAll() throws {
        let plan = try #require(DemoPlan(agencies: 1, total: 300, largestAgency: 300, largestCompany: 0))
        #expect(plan.agencies == [.init(applicants: 300, companies: 3, largestCompany: 0)])
        #expect(DemoPlan(agencies: 1, total: 300, largestAgency: 200, largestCompany: 0) == nil)
    }

    @Test func numbersThatDoNotFitAreRefused() {
        #expect(DemoPlan(agencies: 0, total: 10, largestAgency: 10, largestCompany: 0) == nil)
        #expect(DemoPlan(agencies: 3, total: 10, largestAgency: 20, largestCompany: 0) == nil)
        #expect(DemoPlan(agencies: 3, total: 100, largestAgency: 10, largestCompany: 11) == nil)
        #expect(DemoPlan(agencies: 3, total: 100, largestAgency: 10, largestCompany: 5) == nil)  // the others would be larger
        #expect(DemoPlan(agencies: 3, total: -1, largestAgency: 0, largestCompany: 0) == nil)
        #expect(DemoPlan(agencies: 2, total: Int.max, largestAgency: Int.max, largestCompany: 0) != nil)
    }
}
