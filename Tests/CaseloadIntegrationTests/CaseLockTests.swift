import CaseloadClient
import CaseloadCore
import CaseloadProtocol
import CaseloadStorage
import Foundation
import PostgresNIO
import Testing

/// `CaseStore.lock` reads in one statement what a case change used to read in eight: it must
/// read exactly what the stores read one by one, and its calendar fingerprint must move with
/// every edit, or a cached calendar would count with days the agency has changed.
@Suite("A case locked with what its change reads, in one statement")
struct CaseLockTests {
    /// An agency with one points_new case whose applicant has papers of their own and of the
    /// company, a located archive, a stage time and a rules version of the agency's own.
    static func agencyWithCase(_ server: TestServer) async throws -> (AdminStore.Created, UUID, UUID) {
        let agency = try await server.database.createAgency()
        let (caseID, applicantID) = try await server.withClient(token: agency.token) { client in
            let f = try await Fixture.make(client, status: "registered_online", n: 4242)
            let c = try await client.call("case.open", ["applicant_id": f.applicantID, "kind": "points_new"])
            _ = try await client.call(
                "document.receive", ["applicant_id": f.applicantID, "document_type": "degree_certificate", "form": "original", "from": "张伟"])
            _ = try await client.call("document.receive", ["company_id": f.companyID, "document_type": "business_licence", "form": "copy", "from": "王芳"])
            _ = try await client.call(
                "archive.set", ["applicant_id": f.applicantID, "version": 0, "holder_type": "district_talent_center", "status": "at_talent_center"])
            return (try #require(c["id"]?.stringValue.flatMap(UUID.init)), try #require(f.applicantID.stringValue.flatMap(UUID.init)))
        }
        return (agency, caseID, applicantID)
    }

    @Test("the lock reads the case, its applicant, the employer's standing, the rules in force, the archive, the papers and the stage times as their own stores do")
    func readsWhatTheStoresRead() async throws {
        let server = try await TestServer.shared()
        let (agency, caseID, applicantID) = try await Self.agencyWithCase(server)
        let today = CalendarDate(shanghai: Date())
        var own = PointsRules.default2025
        own.version = "agency-test"
        own.effectiveFrom = today.adding(days: -1)
        own.standard = 100
        var future = own
        future.version = "agency-future"
        future.effectiveFrom = today.adding(days: 30)
        let rules = [own, future]
        try await withDatabase(server) { db in
            try await db.withAgency(agency.agencyID, as: .user(agency.userID)) { tx in
                try await tx.stageTimes.set(kind: "points_new", stage: "submitted", days: 9)
                try await tx.stageTimes.set(kind: "points_renewal", stage: "submitted", days: 4)
                for version in rules { try await tx.pointsRules.add(version) }
            }
            try await db.withAgency(agency.agencyID, as: .user(agency.userID)) { tx in
                let locked = try await tx.cases.lock(caseID, today: today)
                #expect(locked.record == (try await tx.cases.get(caseID)))
                #expect(locked.applicant == (try await tx.applicants.get(applicantID)))
                let company = try await tx.companies.get(locked.record.companyID)
                #expect(locked.companyTalentCenterStatus == company.talentCenterStatus && company.talentCenterStatus == "registered_online")
                #expect(locked.pointsRules == (try await tx.pointsRules.current(asOf: today)) && locked.pointsRules.version == "agency-test")
                #expect(locked.archive == (try await tx.archives.get(applicant: applicantID)).archive && locked.archive.status == .atTalentCenter)
                let held = try await tx.documents.held(applicant: applicantID, company: locked.record.companyID)
                #expect(Set(locked.held) == Set(held) && held.count == 2)
                #expect(locked.stageDays == ["submitted": 9], "only the case's own kind")
            }
            // As of a day before the agency's version, the built-in rules are in force.
            let before = try await db.withAgency(agency.agencyID, as: .user(agency.userID)) { tx in
                try await tx.cases.lock(caseID, today: today.adding(days: -2)).pointsRules
            }
            #expect(before == .default2025)
        }
    }

    @Test("a case that is not there, or is another agency's, is not found, and nothing is locked")
    func unknownCase() async throws {
        let server = try await TestServer.shared()
        let (_, caseID, _) = try await Self.agencyWithCase(server)
        let other = try await server.database.createAgency()
        try await withDatabase(server) { db in
            for id in [caseID, UUID()] {
                await #expect(throws: StorageError.notFound(entity: "case")) {
                    try await db.withAgency(other.agencyID, as: .user(other.userID)) { tx in _ = try await tx.cases.lock(id, today: CalendarDate(shanghai: Date())) }
                }
            }
        }
    }

    @Test("the calendar fingerprint moves with every edit, comes back with the same days, and the calendar kept for it counts with the edit at once")
    func fingerprintFollowsTheCalendar() async throws {
        let server = try await TestServer.shared()
        let (agency, caseID, _) = try await Self.agencyWithCase(server)
        let today = CalendarDate(shanghai: Date())
        let day = try #require(CalendarDate(year: 2026, month: 12, day: 14))  // a Monday
        try await withDatabase(server) { db in
            @Sendable func read() async throws -> (String, Bool) {
                try await db.withAgency(agency.agencyID, as: .user(agency.userID)) { tx in
                    let fingerprint = try await tx.cases.lock(caseID, today: today).calendarFingerprint
                    return (fingerprint, try await tx.calendar.calendar(fingerprint: fingerprint).isWorkingDay(day))
                }
            }
            @Sendable func edit(_ change: @Sendable (AgencyTransaction) async throws -> Void) async throws {
                try await db.withAgency(agency.agencyID, as: .user(agency.userID)) { tx in try await change(tx) }
            }
            let (plain, plainWorks) = try await read()
            #expect(plainWorks)
            try await edit { try await $0.calendar.set(CalendarEntry(date: day, kind: .holiday, name: "测试假日")) }
            let (holiday, holidayWorks) = try await read()
            #expect(holiday != plain)
            #expect(!holidayWorks, "the kept calendar was not used for the edited days")
            try await edit { try await $0.calendar.set(CalendarEntry(date: day, kind: .holiday, name: "另一个名字")) }
            #expect(try await read().0 != holiday, "a renamed day is an edit too")
            try await edit { try await $0.calendar.remove(day) }
            let (back, backWorks) = try await read()
            #expect(back == plain && backWorks, "the same days give the same fingerprint")
            try await edit { try await $0.calendar.markKnown(years: [2031]) }
            #expect(try await read().0 != plain, "a year made known is an edit")
            // The fingerprint is the one `calendar()` reads beside the days.
            let fromLock = try await read().0
            let other = try await db.withAgency(agency.agencyID, as: .user(agency.userID)) { tx in
                try await tx.calendar.calendar().knownYears.contains(2031)
            }
            #expect(other)
            #expect(try await read().0 == fromLock)
        }
    }

    @Test("a stale version saves neither the state nor a history entry; the current one saves both")
    func saveWritesTheHistoryWithTheState() async throws {
        let server = try await TestServer.shared()
        let (agency, caseID, _) = try await Self.agencyWithCase(server)
        try await withDatabase(server) { db in
            @Sendable func historyCount() async throws -> Int {
                try await db.withAgency(agency.agencyID, as: .user(agency.userID)) { tx in try await tx.cases.history(caseID).count }
            }
            let before = try await historyCount()
            let current = try await db.withAgency(agency.agencyID, as: .user(agency.userID)) { tx in try await tx.cases.get(caseID) }
            var state = current.state
            state.status = .onHold
            let held = state
            await #expect(throws: StorageError.versionConflict(current: current.version)) {
                try await db.withAgency(agency.agencyID, as: .user(agency.userID)) { tx in
                    _ = try await tx.cases.save(
                        caseID, state: held, expectedVersion: current.version + 1, enteredNewStage: false, dueInDays: nil, now: Date(),
                        action: "hold", from: current.state.stage, data: "{}", reason: "stale", overrides: [], user: agency.userID)
                }
            }
            #expect(try await historyCount() == before)
            let saved = try await db.withAgency(agency.agencyID, as: .user(agency.userID)) { tx in
                try await tx.cases.save(
                    caseID, state: held, expectedVersion: current.version, enteredNewStage: false, dueInDays: nil, now: Date(),
                    action: "hold", from: current.state.stage, data: "{}", reason: "fresh", overrides: ["x"], user: agency.userID)
            }
            #expect(saved.version == current.version + 1 && saved.state.status == .onHold)
            let history = try await db.withAgency(agency.agencyID, as: .user(agency.userID)) { tx in try await tx.cases.history(caseID) }
            #expect(history.count == before + 1)
            let last = try #require(history.last)
            #expect(last.seq == before + 1 && last.action == "hold" && last.reason == "fresh" && last.overrides == ["x"])
            #expect(last.fromStage == current.state.stage && last.toStage == current.state.stage && last.userID == agency.userID)
        }
    }

    /// A database of the test server's, running for `body`.
    func withDatabase(_ server: TestServer, _ body: @Sendable (Database) async throws -> Void) async throws {
        let db = Database(url: server.database.serverURL, logger: TestDatabase.logger, maximumConnections: 2)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await db.run() }
            defer { group.cancelAll() }
            try await body(db)
        }
    }
}
