import CaseloadCore
import CaseloadStorage
import Foundation
import PostgresNIO

/// Realistic demo data for trying the product and for benchmarks: companies with valid credit
/// codes, applicants with valid ID numbers and Chinese names, cases spread over every stage,
/// documents and deadlines. Deterministic for a given seed.
public enum DemoData {
    public struct Summary: Sendable, Codable {
        public var companies: Int
        public var applicants: Int
        public var cases: Int
        public var documents: Int
    }


    static let surnames = Array("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢")
    static let givenNames = Array("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞宇浩然欣怡子轩梓涵晨阳思远佳琪雨婷")
    static let companyWords = ["浦江", "东方", "申城", "华东", "新汇", "联合", "金桥", "张江", "徐汇", "静安", "陆家嘴", "临港", "虹桥", "外滩"]
    static let industries = ["科技", "软件", "生物医药", "咨询", "贸易", "信息技术", "智能制造", "金融服务", "文化传媒", "物流"]

    /// A valid organization code for `n` and the credit code that embeds it.
    static func codes(_ n: Int) -> (credit: String, org: String) {
        let body = String(format: "%08d", 60_000_000 + n)
        let orgWeights = [3, 7, 9, 10, 5, 8, 4, 2]
        let orgSum = zip(body, orgWeights).reduce(0) { $0 + Int(String($1.0))! * $1.1 }
        let orgCheck = 11 - orgSum % 11
        let org = body + (orgCheck == 10 ? "X" : orgCheck == 11 ? "0" : String(orgCheck))
        let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
        let first17 = Array("91310000" + org)
        let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
        let sum = zip(first17, weights).reduce(0) { $0 + alphabet.firstIndex(of: $1.0)! * $1.1 }
        let check = (31 - sum % 31) % 31
        return (String(first17) + String(alphabet[check]), String(org.prefix(8)) + "-" + String(org.suffix(1)))
    }

    /// A valid resident ID number for someone born on `birth`, numbered `n` (0...999).
    static func idNumber(birth: CalendarDate, _ n: Int) -> String {
        ResidentIDNumber.make(area: "310104", birth: birth, sequence: n % 1000)
    }

    /// The birth date of applicant `i`: a thousand applicants share each date (their sequence
    /// numbers tell them apart), and the dates step by a stride prime to the range, so every
    /// applicant's ID number is distinct for up to 11 million applicants.
    static func birthDate(_ i: Int) -> CalendarDate {
        CalendarDate(year: 1970, month: 1, day: 1)!.adding(days: (i / 1000) * 1201 % 11_000)
    }

    /// Seeds `companies` companies and `applicants` applicants (each with one case) into an agency.
    /// The first `largestCompanyApplicants` applicants all work for the first company (a large
    /// client, for report benchmarks); the rest are spread at random.
    public static func seed(
        companies: Int, applicants: Int, largestCompanyApplicants: Int = 0, seed: UInt64 = 42, cipher: PIICipher, in tx: AgencyTransaction
    ) async throws -> Summary {
        var random = SplitMix64(seed: seed)
        let user = try await tx.consultants.users().first { $0.role == .owner }?.id
        guard let user else { throw ConfigurationError("agency \(tx.agency) has no owner") }
        try await Database.actFor(agency: tx.agency, on: tx.connection, logger: tx.logger)
        var companyIDs: [UUID] = []
        for i in 0..<companies {
            let codes = codes(Int(random.next() % 9_000_000) + i)
            let fields = try CompanyFields.validate(CompanyInput(
                name: "上海\(random.pick(companyWords))\(random.pick(industries))有限公司 \(i + 1)", creditCode: codes.credit,
                district: random.pick(ShanghaiDistrict.allCases).rawValue, hrName: "\(random.pick(surnames))\(random.pick(givenNames))",
                hrPhone: "139\(String(format: "%08d", random.int(0..<100_000_000)))", talentCenterStatus: "activated"))
            companyIDs.append(try await tx.companies.create(fields, cipher: cipher).id)
        }
        let today = BusinessClock.system.today
        let calendar = try await tx.calendar.calendar()
        let kinds = [CaseKinds.pointsNew, CaseKinds.pointsNew, CaseKinds.pointsRenewal]
        var documents = 0
        for i in 0..<applicants {
            let birth = birthDate(i)
            let identity = try ApplicantIdentity.validate(
                name: "\(random.pick(surnames))\(random.pick(givenNames))\(random.int(0..<2) == 0 ? String(random.pick(givenNames)) : "")",
                idNumber: idNumber(birth: birth, i), phone: "138\(String(format: "%08d", random.int(0..<100_000_000)))", today: today)
            var profile = ApplicantProfile()
            profile.educationLevel = random.pick(EducationLevel.allCases)
            profile.socialInsuranceMonths = random.int(6..<120)
            profile.permitReceivedDate = today.adding(days: -random.int(30..<700))
            profile.permitExpiryDate = today.adding(days: random.int(-30..<365))
            profile.dispatched = random.int(0..<10) == 0
            let companyID = i < largestCompanyApplicants ? companyIDs[0] : companyIDs[random.int(0..<companyIDs.count)]
            // ID numbers are distinct by construction (`birthDate`): a duplicate means the agency
            // was already seeded, and fails the whole (transactional) seed.
            let applicant = try await tx.applicants.create(identity, companyID: companyID, profile: profile, cipher: cipher)
            let kind = random.pick(kinds)
            let stage = random.pick(kind.stages)
            var state = CaseState(kind: kind.id, stage: stage.id, status: stage.isTerminal ? .closed : .active)
            for s in kind.stages {
                for field in s.fields where field.required {
                    switch field.type {
                    case .date: state.recorded[s.id, default: [:]][field.name] = .date(today.adding(days: -random.int(1..<200)))
                    case .text: state.recorded[s.id, default: [:]][field.name] = .text("SJ-\(random.int(10000..<99999))")
                    case .bool: state.recorded[s.id, default: [:]][field.name] = .bool(true)
                    case .integer: state.recorded[s.id, default: [:]][field.name] = .integer(random.int(100..<140))
                    }
                }
                if s.id == stage.id { break }
            }
            let opened = try await tx.cases.open(
                state, applicantID: applicant.id, companyID: companyID, dueInDays: stage.allowedDays.map { $0 - random.int(0..<($0 * 2)) }, now: Date(), user: user, data: "{\"demo\":true}")
            try await DeadlineDerivation.deriveForCase(opened, calendar: calendar, today: today, reason: "demo data", user: user, in: tx)
            try await DeadlineDerivation.deriveForApplicant(applicant, calendar: calendar, today: today, reason: "demo data", user: user, in: tx)
            for type in ["graduation_certificate", "degree_certificate"] where random.int(0..<2) == 0 {
                let doc = try await tx.documents.create(
                    type: type, form: .original, description: nil, companyID: companyID, applicantID: applicant.id, caseID: opened.id)
                let holder: Holder = random.int(0..<3) == 0 ? .talentCenter : .agency(locationCode: nil)
                try await tx.documents.append(.received(from: identity.name), holder: .agency(locationCode: nil), locationID: nil, to: doc.id, user: user)
                if holder == .talentCenter {
                    try await tx.documents.append(.handedOver(authority: .talentCenter, receiptNumber: nil), holder: holder, locationID: nil, to: doc.id, user: user)
                }
                documents += 1
            }
        }
        let caseCount = try await tx.cases.count()
        return Summary(companies: companies, applicants: applicants, cases: caseCount, documents: documents)
    }
}
