import ArgumentParser
import CaseloadCore
import CaseloadServer
import CaseloadStorage
import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Admin {
    /// `admin seed-demo`: demo data for one agency, or for many new ones at benchmark size.
    struct SeedDemo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fill an agency with realistic demo data (companies, applicants, cases in every stage, documents, deadlines).",
            discussion: """
                With --agency: that agency gets --companies companies and --applicants applicants. With --new-agencies N: N new agencies \
                share --applicants, the first (--largest-agency of them, --largest-company at its first company) printed with its owner's \
                token. Rows go in by COPY, a transaction per agency, two agencies at a time; progress on stderr.
                """)
        @OptionGroup var database: AdminDatabaseOptions
        @Option(help: "The agency id.") var agency: String?
        @Option(help: "Create this many agencies and seed them all (instead of --agency).") var newAgencies: Int?
        @Option(help: "How many client companies (with --agency; with --new-agencies one per hundred applicants).") var companies = 10
        @Option(help: "How many applicants (each gets one case); with --new-agencies, in all.") var applicants = 100
        @Option(help: "With --new-agencies: how many applicants the first agency has (default: an even share).") var largestAgency: Int?
        @Option(help: "How many of the (first) agency's applicants work for its first company (a large progress report); the rest are spread.")
        var largestCompany = 0
        @Option(help: "Seed: the same seed gives the same data.") var seed: UInt64 = 42

        func validate() throws {
            guard (agency == nil) != (newAgencies == nil) else { throw ValidationError("give --agency or --new-agencies (one of them)") }
            if let agency, UUID(uuidString: agency) == nil { throw ValidationError("--agency must be an agency id (a UUID)") }
            guard (0...10_000_000).contains(applicants) else { throw ValidationError("--applicants must be 0 to 10000000") }
            guard (1...100_000).contains(companies) else { throw ValidationError("--companies must be 1 to 100000") }
            if let newAgencies {
                guard (1...10_000).contains(newAgencies) else { throw ValidationError("--new-agencies must be 1 to 10000") }
                guard plan(newAgencies) != nil else {
                    throw ValidationError("--largest-agency must be at least an even share of --applicants and at most all of them, and --largest-company at most --largest-agency")
                }
            } else {
                guard (0...applicants).contains(largestCompany) else { throw ValidationError("--largest-company must be 0 to --applicants") }
            }
        }

        func plan(_ count: Int) -> DemoPlan? {
            let even = count == 0 ? applicants : applicants / count + (applicants % count == 0 ? 0 : 1)
            return DemoPlan(agencies: count, total: applicants, largestAgency: largestAgency ?? min(applicants, even), largestCompany: largestCompany)
        }

        /// What `--new-agencies` prints: the total, and the first (largest) agency with its owner's token.
        struct Seeded: Encodable {
            var agencies: Int
            var applicants: Int
            var cases: Int
            var documents: Int
            var seconds: Double
            var largest: AdminStore.Created
        }

        func run() async throws {
            let (configuration, _) = try ServerConfiguration.load()
            guard let key = configuration.piiKey, let lookup = configuration.piiLookupKey else {
                throw ValidationError("set CASELOAD_PII_KEY and CASELOAD_PII_LOOKUP_KEY (the server's keys): demo ID numbers are encrypted like real ones")
            }
            let cipher = try PIICipher(activeKey: key, lookupKey: lookup)
            let url = try database.url()
            let logger = makeLogger(.warning)
            if let agency, let agencyID = UUID(uuidString: agency) {
                let progress = SeedProgress(total: applicants)
                let shape = DemoPlan.Agency(applicants: applicants, companies: companies, largestCompany: largestCompany)
                let summary = try await Self.seed(agencyID, shape, seed: seed, cipher: cipher, url: url, logger: logger, progress: progress)
                progress.finish()
                return printJSON(summary)
            }
            guard let count = newAgencies, let plan = plan(count) else { return }
            let started = ContinuousClock.now
            let created = try await withAdminConnection(url: url, logger: logger) { connection in
                var created: [AdminStore.Created] = []
                for i in 0..<plan.agencies.count {
                    created.append(try await AdminStore.createAgency(name: "演示人才服务有限公司 \(i + 1)", on: connection, logger: logger))
                }
                return created
            }
            let progress = SeedProgress(total: plan.total)
            // Two agencies at a time: one fills the database while the other's rows are built.
            let summaries = try await withThrowingTaskGroup(of: DemoData.Summary.self) { group in
                var next = 0
                var done: [DemoData.Summary] = []
                func start(_ i: Int) {
                    group.addTask { [seed] in
                        try await Self.seed(
                            created[i].agencyID, plan.agencies[i], seed: seed &+ UInt64(i), cipher: cipher, url: url, logger: logger, progress: progress)
                    }
                }
                while next < min(2, plan.agencies.count) { start(next); next += 1 }
                for try await summary in group {
                    done.append(summary)
                    if next < plan.agencies.count { start(next); next += 1 }
                }
                return done
            }
            progress.finish()
            printJSON(Seeded(
                agencies: summaries.count, applicants: summaries.reduce(0) { $0 + $1.applicants }, cases: summaries.reduce(0) { $0 + $1.cases },
                documents: summaries.reduce(0) { $0 + $1.documents }, seconds: (ContinuousClock.now - started) / .seconds(1), largest: created[0]))
        }

        static func seed(
            _ agency: UUID, _ shape: DemoPlan.Agency, seed: UInt64, cipher: PIICipher, url: DatabaseURL, logger: Logger, progress: SeedProgress
        ) async throws -> DemoData.Summary {
            try await withAdminConnection(url: url, logger: logger) { connection in
                try await connection.withTransaction(logger: logger) { tx in
                    var reported = 0
                    return try await DemoData.seed(
                        companies: shape.companies, applicants: shape.applicants, largestCompanyApplicants: shape.largestCompany, seed: seed,
                        cipher: cipher, in: AgencyTransaction(connection: tx, agency: agency, logger: logger)
                    ) { inserted in
                        progress.add(inserted - reported)
                        reported = inserted
                    }
                }
            }
        }
    }
}

/// The seeding's progress on stderr: a bar redrawn in place on a terminal, a line per tenth
/// otherwise (so a log shows it moving without filling up).
final class SeedProgress: Sendable {
    private struct State {
        var done = 0
        var lastTenth = 0
    }

    private let total: Int
    private let state = Mutex(State())
    private let terminal = isatty(2) == 1
    private let started = ContinuousClock.now

    init(total: Int) { self.total = total }

    func add(_ count: Int) {
        let line: String? = state.withLock { s in
            s.done += count
            let text = ProgressText.bar(label: "seeding", done: s.done, total: total)
                + String(format: "  %.0f s", (ContinuousClock.now - started) / .seconds(1))
            if terminal { return "\r\u{1B}[K" + text }
            let tenth = total == 0 ? 10 : s.done * 10 / total
            guard tenth > s.lastTenth else { return nil }
            s.lastTenth = tenth
            return text + "\n"
        }
        if let line { FileHandle.standardError.write(Data(line.utf8)) }
    }

    func finish() {
        if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
