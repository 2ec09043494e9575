import CaseloadCore
import CaseloadClient
import CaseloadProtocol
import CaseloadServer
import Foundation
import Testing

/// "Today" and "now" come from the server's business clock, never from `Date()` in a handler
/// or `now()` in SQL: a server pinned to another day sees that day's overdue deadlines and
/// late cases, a server on the system clock does not.
@Suite("The business clock")
struct BusinessClockTests {
    static let realToday = BusinessClock.system.today

    @Test("a clock pinned to another day keeps running and reads that day in Shanghai")
    func pinnedClock() {
        let day = CalendarDate(year: 2026, month: 5, day: 6)!
        let clock = BusinessClock(today: day)
        #expect(clock.today == day)
        #expect(clock.offsetDays == day.daysSinceEpoch - Self.realToday.daysSinceEpoch)
        #expect(BusinessClock.system.offsetDays == 0)
        #expect(abs(BusinessClock.system.now.timeIntervalSinceNow) < 5)
    }

    @Test("overdue deadlines and late cases follow the pinned day, in handlers and in SQL; the system clock sees neither")
    func pinnedServerSeesItsDay() async throws {
        let database = try await TestDatabase.migrated()
        let real = try await TestServer.start(database: database)
        let later = try await TestServer.start(database: database) { $0.clock = BusinessClock(today: Self.realToday.adding(days: 200)) }
        let agency = try await real.database.createAgency()
        let (deadline, opened) = try await real.withClient(token: agency.token) { client async throws in
            let f = try await Fixture.make(client, n: 1901)
            let deadline = try await client.call(
                "deadline.add", ["applicant_id": f.applicantID, "title": "补交材料", "due_date": .string(Self.realToday.adding(days: 10).iso)])
            // Its first stage allows 30 days.
            let opened = try await client.call("case.open", ["applicant_id": f.applicantID, "kind": "hukou_transfer"])
            return (deadline, opened)
        }
        // The system clock first: a writer's listing sweeps, so the pinned server's would mark it missed.
        try await real.withClient(token: agency.token) { client async throws in
            #expect(try await client.call("deadline.list", ["overdue": true])["deadlines"] == [])
            #expect(try await client.call("case.list", ["late": true])["cases"] == [])
            #expect(try await client.call("case.get", ["id": opened["id"]!])["late"] == false)
        }
        try await later.withClient(token: agency.token) { client async throws in
            let overdue = try await client.call("deadline.list", ["overdue": true])["deadlines"]?.arrayValue ?? []
            let manual = overdue.first { $0["id"] == deadline["id"] }
            #expect(manual?["state"] == "missed")
            let late = try await client.call("case.list", ["late": true])["cases"]?.arrayValue ?? []
            #expect(late.map { $0["id"] } == [opened["id"]])
            #expect(late.first?["days_in_stage"]?.intValue ?? 0 >= 199)
        }
        try await real.stop()
        try await later.stop()
    }

    @Test("`serve --today` pins the binary's clock (debug builds) and refuses a day that is not a date")
    func serveTodayHook() async throws {
        let database = try await TestDatabase.migrated()
        let agency = try await database.createAgency()
        let pinned = Self.realToday.adding(days: 200)
        let server = try await ServerProcess.start(database: database, arguments: ["--today", pinned.iso])
        do {
            try await RPCClient.withConnection(host: "127.0.0.1", port: server.port) { client async throws in
                _ = try await client.call("auth.login", ["token": .string(agency.token)])
                let f = try await Fixture.make(client, n: 1902)
                // Due 10 days from the system's today: long past on the pinned day.
                let added = try await client.call(
                    "deadline.add", ["applicant_id": f.applicantID, "title": "补交材料", "due_date": .string(Self.realToday.adding(days: 10).iso)])
                let overdue = try await client.call("deadline.list", ["overdue": true])["deadlines"]?.arrayValue ?? []
                #expect(overdue.contains { $0["id"] == added["id"] })
            }
        } catch {
            await server.killIfRunning()
            throw error
        }
        #expect(server.log.contains("business clock pinned: today is \(pinned.iso)"))
        server.signal(SIGTERM)
        #expect(await server.waitForExit(timeout: .seconds(20)) == .init(reason: .exit, status: 0))

        let refused = await #expect(throws: TestServer.SetupFailed.self) {
            _ = try await ServerProcess.start(database: database, arguments: ["--today", "2026-02-30"])
        }
        #expect(refused?.description.contains("--today: must be a real date") == true)
    }
}
