import Foundation
import Testing

/// Sizes for the failure and fuzz tests: small in `make test`, bigger under `make soak`
/// (`CASELOAD_SOAK=1`), which also reads `CASELOAD_SOAK_SECONDS` (write load per phase),
/// `CASELOAD_SOAK_ROUNDS` (restarts or kills per test), `CASELOAD_SOAK_DOWN_SECONDS` (how long
/// PostgreSQL stays down) and `CASELOAD_SOAK_FUZZ_INPUTS`.
enum Soak {
    static var enabled: Bool { ProcessInfo.processInfo.environment["CASELOAD_SOAK"] == "1" }

    private static func number(_ name: String) -> Double? {
        ProcessInfo.processInfo.environment[name].flatMap(Double.init)
    }

    /// How long each phase of write load runs.
    static func loadDuration(default seconds: Double) -> Duration {
        .milliseconds(Int((enabled ? number("CASELOAD_SOAK_SECONDS") ?? 10 : seconds) * 1000))
    }

    /// How many restarts (or kills) a test goes through.
    static func rounds(default count: Int) -> Int {
        enabled ? Int(number("CASELOAD_SOAK_ROUNDS") ?? 5) : count
    }

    /// How long PostgreSQL stays down in each restart (`CASELOAD_SOAK_DOWN_SECONDS`).
    static func downtime(default seconds: Double) -> Duration {
        .milliseconds(Int((enabled ? number("CASELOAD_SOAK_DOWN_SECONDS") ?? 5 : seconds) * 1000))
    }

    /// A bound for a whole test: generous in `make test`, longer under `make soak`.
    static var timeLimit: TimeLimitTrait.Duration { .minutes(enabled ? 120 : 3) }

    /// How many inputs the in-suite fuzz run sends.
    static func fuzzInputs(default count: Int) -> Int {
        enabled ? Int(number("CASELOAD_SOAK_FUZZ_INPUTS") ?? 200_000) : count
    }
}
