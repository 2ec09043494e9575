import CaseloadCore
import CaseloadStorage
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

/// The server's own work on a schedule: open deadlines past their date become missed,
/// deadlines due today send their reminder, and renewals open once per permit expiry (when the
/// agency wants it).
///
/// Safe with any number of instances: each agency's run holds a transaction-level advisory
/// lock (an instance that finds it taken skips the agency this round), and every effect is a
/// conditional update or a keyed insert, so it happens once even if two runs did overlap.
public struct JobRunner: Service {
    let database: Database
    let interval: Duration
    let logger: Logger
    /// Where now and today come from, as for calls.
    let clock: BusinessClock

    public init(database: Database, interval: Duration, logger: Logger, clock: BusinessClock = .system) {
        self.database = database
        self.interval = interval
        self.logger = logger
        self.clock = clock
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await runOnce()
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("scheduled jobs failed; retrying next round", metadata: ["error_type": "\(type(of: StorageError.classify(error)))"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// One round over every agency; returns the agencies this instance ran.
    @discardableResult
    public func runOnce() async throws -> Int {
        let agencies = try await database.withConnection { try await ReminderStore.agencies(on: $0, logger: logger) }
        var ran = 0
        for agency in agencies {
            let now = clock.now
            guard try await sweepBacklog(of: agency, today: CalendarDate(shanghai: now)) else { continue }
            let didRun = try await database.withAgency(agency, as: .system, method: "job.deadlines") { tx in
                guard try await tx.deadlineLock.tryLock() else { return false }
                guard let owner = try await tx.reminders.firstOwner() else { return false }
                try await DeadlineSweep.run(now: now, user: owner, in: tx)
                try await tx.reminders.remindDue(on: CalendarDate(shanghai: now))
                return true
            }
            if didRun { ran += 1 }
        }
        return ran
    }

    /// Dates a sweep moves per transaction when the job works through a backlog.
    public static let sweepBatch = 500

    /// The clock's part of the sweep (missed and opened dates), in transactions of at most
    /// `sweepBatch` each, before the agency's round: after a server was down for a day, or
    /// across a million deadlines, one transaction would hold every moved row locked (and the
    /// agency's sweep lock, which writers' deadline lists wait for) until it committed.
    /// False if another instance holds the agency's lock.
    ///
    /// Between batches it rests as long as the batch took, so a backlog takes at most half of
    /// what the database can give while calls wait beside it (a backlog of 306,750 dates in
    /// the benchmark: the median p99 of `case.advance` beside it 1.61× its usual without the
    /// rests, 1.45× with them; the sweep 91 s → 161 s; docs/performance.md finding 23).
    private func sweepBacklog(of agency: UUID, today: CalendarDate) async throws -> Bool {
        let clock = ContinuousClock()
        while true {
            let started = clock.now
            let moved: Int? = try await database.withAgency(agency, as: .system, method: "job.deadlines") { tx in
                guard try await tx.deadlineLock.tryLock() else { return nil }
                return try await tx.deadlines.sweep(today: today, limit: Self.sweepBatch)
            }
            guard let moved else { return false }
            if moved == 0 { return true }
            try await Task.sleep(for: clock.now - started)
        }
    }
}
