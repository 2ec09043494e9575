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

    /// How many applicants go in per round of `COPY` statements: big enough that a round's
    /// statements cost little, small enough that memory stays flat.
    public static let chunkSize = 2_000

    /// Seeds `companies` companies and `applicants` applicants (each with one case) into an agency.
    /// The first `largestCompanyApplicants` applicants all work for the first company (a large
    /// client, for report benchmarks); the rest are spread at random. Applicants, cases, their
    /// history, documents and their custody go in by `COPY` through the stores (`copyNew`),
    /// deadlines as the derivation gives them, a chunk at a time; `progress` hears how many
    /// applicants are in after each chunk. Bulk-loaded rows are not audited and send no
    /// events (the triggers are off for the transaction: the caller must be a superuser).
    public static func seed(
        companies: Int, applicants: Int, largestCompanyApplicants: Int = 0, seed: UInt64 = 42, cipher: PIICipher, in tx: AgencyTransaction,
        chunkSize: Int = chunkSize, progress: (Int) -> Void = { _ in }
    ) async throws -> Summary {
        var random = SplitMix64(seed: seed)
        let user = try await tx.consultants.users().first { $0.role == .owner }?.id
        guard let user else { throw ConfigurationError("agency \(tx.agency) has no owner") }
        try await Database.actFor(agency: tx.agency, on: tx.connection, logger: tx.logger)
        try await tx.connection.query("SET LOCAL session_replication_role = replica", logger: tx.logger)
        var companyIDs: [UUID] = []
        for i in 0..<max(1, companies) {
            let codes = codes(Int(random.next() % 9_000_000) + i)
            let fields = try CompanyFields.validate(CompanyInput(
                name: "上海\(random.pick(companyWords))\(random.pick(industries))有限公司 \(i + 1)", creditCode: codes.credit,
                district: random.pick(ShanghaiDistrict.allCases).rawValue, hrName: "\(random.pick(surnames))\(random.pick(givenNames))",
                hrPhone: "139\(String(format: "%08d", random.int(0..<100_000_000)))", talentCenterStatus: "activated"))
            companyIDs.append(try await tx.companies.create(fields, cipher: cipher).id)
        }
        let today = BusinessClock.system.today
        let now = Date()
        let calendar = try await tx.calendar.calendar()
        var documents = 0
        var next = 0
        while next < applicants {
            let chunk = next..<min(applicants, next + max(1, chunkSize))
            var batch = Batch()
            for i in chunk {
                let companyID = i < largestCompanyApplicants ? companyIDs[0] : companyIDs[random.int(0..<companyIDs.count)]
                try batch.add(applicant: i, companyID: companyID, random: &random, today: today, now: now, calendar: calendar)
            }
            try await tx.applicants.copyNew(batch.applicants, cipher: cipher)
            try await tx.cases.copyNew(batch.cases, user: user, data: "{\"demo\":true}")
            try await tx.deadlines.insertNew(batch.deadlines, today: today, reason: "demo data", user: user)
            try await tx.documents.copyNew(batch.documents, user: user)
            documents += batch.documents.count
            next = chunk.upperBound
            progress(next)
        }
        let caseCount = try await tx.cases.count()
        return Summary(companies: companyIDs.count, applicants: applicants, cases: caseCount, documents: documents)
    }

    /// One chunk's rows, built before any is written.
    struct Batch {
        var applicants: [(id: UUID, applicant: ApplicantStore.NewApplicant)] = []
        var cases: [CaseStore.NewCase] = []
        var deadlines: [DerivedDeadline] = []
        var documents: [DocumentStore.NewDocument] = []

        static let kinds = [CaseKinds.pointsNew, CaseKinds.pointsNew, CaseKinds.pointsRenewal]

        /// Applicant `i` with one case in a random stage (every earlier stage's required data
        /// recorded), the deadlines that gives, and up to two originals held.
        mutating func add(
            applicant i: Int, companyID: UUID, random: inout SplitMix64, today: CalendarDate, now: Date, calendar: ChineseCalendar
        ) throws {
            let identity = try ApplicantIdentity.validate(
                name: "\(random.pick(surnames))\(random.pick(givenNames))\(random.int(0..<2) == 0 ? String(random.pick(givenNames)) : "")",
                idNumber: idNumber(birth: birthDate(i), i), phone: "138\(String(format: "%08d", random.int(0..<100_000_000)))", today: today)
            var profile = ApplicantProfile()
            profile.educationLevel = random.pick(EducationLevel.allCases)
            profile.socialInsuranceMonths = random.int(6..<120)
            profile.permitReceivedDate = today.adding(days: -random.int(30..<700))
            profile.permitExpiryDate = today.adding(days: random.int(-30..<365))
            profile.dispatched = random.int(0..<10) == 0
            let applicantID = random.uuid()
            applicants.append((applicantID, .init(identity: identity, companyID: companyID, profile: profile)))

            let kind = random.pick(Self.kinds)
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
            // Days in the stage so far, up to twice the time allowed (so some cases are late);
            // the stage was entered that long ago, so a late case has been in it a while.
            let elapsed = stage.allowedDays.map { random.int(0..<($0 * 2)) } ?? 0
            let entered = now.addingTimeInterval(-Double(elapsed) * 86_400)
            let caseID = random.uuid()
            cases.append(.init(
                id: caseID, applicantID: applicantID, companyID: companyID, state: state, stageEnteredAt: entered,
                stageDueAt: stage.allowedDays.map { entered.addingTimeInterval(Double($0) * 86_400) }))
            let facts = DischargeFacts(kind: kind, stage: state.stage, status: state.status)
            deadlines += DeadlineDerivation.caseDeadlines(
                .init(id: caseID, applicantID: applicantID, companyID: companyID, state: state, stageEnteredAt: entered), existingBases: [:], facts: facts,
                calendar: calendar)
            let renewalApproved = kind.id == Discharge.renewalKind && Discharge.renewalApprovedStages.contains(state.stage)
            deadlines += DeadlineDerivation.applicantDeadlines(
                applicantID: applicantID, companyID: companyID, permitExpiry: profile.permitExpiryDate, calendar: calendar, renewalApproved: renewalApproved)

            for type in ["graduation_certificate", "degree_certificate"] where random.int(0..<2) == 0 {
                var movements: [(event: CustodyEvent, holder: Holder)] = [(.received(from: identity.name), .agency(locationCode: nil))]
                if random.int(0..<3) == 0 { movements.append((.handedOver(authority: .talentCenter, receiptNumber: nil), .talentCenter)) }
                documents.append(.init(
                    id: random.uuid(), type: type, form: .original, companyID: companyID, applicantID: applicantID, caseID: caseID, movements: movements))
            }
        }
    }
}

extension SplitMix64 {
    /// A version-4 uuid from the next 128 bits: the same seed gives the same ids.
    mutating func uuid() -> UUID {
        let (a, b) = (next(), next())
        var bytes = [UInt8](repeating: 0, count: 16)
        for k in 0..<8 {
            bytes[k] = UInt8(truncatingIfNeeded: a >> (8 * k))
            bytes[8 + k] = UInt8(truncatingIfNeeded: b >> (8 * k))
        }
        bytes[6] = bytes[6] & 0x0f | 0x40
        bytes[8] = bytes[8] & 0x3f | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}
