import CaseloadCore
import Foundation

/// A case the benchmark may read or advance, as listed from the database before the run.
public struct BenchCase: Sendable {
    public var id: String
    public var companyID: String
    public var kind: String
    public var stage: String
    public var status: String
    public var version: Int

    /// Reads `case_id<TAB>company_id<TAB>kind<TAB>stage<TAB>status<TAB>version` lines (psql -A -F tab output).
    public static func load(path: String) throws -> [BenchCase] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count >= 6, let version = Int(f[5]) else { return nil }
            return BenchCase(id: f[0], companyID: f[1], kind: f[2], stage: f[3], status: f[4], version: version)
        }
    }
}

/// What the load generator sends: each call gets a request line for a slot (one of the
/// requests a connection keeps in flight) and hears how that request ended.
public protocol Workload: AnyObject {
    /// The method and its params as JSON text, or nil when the workload has run out of work.
    func next(slot: Int) -> (method: String, params: String)?
    func completed(slot: Int, ok: Bool)
}

/// `case.get` of random cases.
public final class GetWorkload: Workload, @unchecked Sendable {
    let cases: [BenchCase]
    var random: SplitMix64
    public init(cases: [BenchCase], seed: UInt64) { self.cases = cases; self.random = SplitMix64(seed: seed) }
    public func next(slot: Int) -> (method: String, params: String)? {
        ("case.get", "{\"id\":\"\(cases[random.int(0..<cases.count)].id)\"}")
    }
    public func completed(slot: Int, ok: Bool) {}
}

/// One call, the same each time (`agenda.get`, `deadline.list` with a filter, …): for the
/// latency of a heavier read.
public final class CallWorkload: Workload, @unchecked Sendable {
    let method: String
    let params: String
    public init(method: String, params: String) { (self.method, self.params) = (method, params) }
    public func next(slot: Int) -> (method: String, params: String)? { (method, params) }
    public func completed(slot: Int, ok: Bool) {}
}

/// The first page (50) of a random company's `case.list`.
public final class ListWorkload: Workload, @unchecked Sendable {
    let companies: [String]
    var random: SplitMix64
    public init(companies: [String], seed: UInt64) { self.companies = companies; self.random = SplitMix64(seed: seed) }
    public func next(slot: Int) -> (method: String, params: String)? {
        ("case.list", "{\"company_id\":\"\(companies[random.int(0..<companies.count)])\",\"limit\":50}")
    }
    public func completed(slot: Int, ok: Bool) {}
}

/// `case.advance` along the renewal chain, which has no prerequisite rules and needs no
/// stage data: each slot owns one case at a time (so versions never conflict), advances it
/// until the step before closing, then takes the next case from the shared pool.
public final class AdvanceWorkload: Workload, @unchecked Sendable {
    /// The next stage of a points_renewal case that needs no data and passes every rule, read
    /// from the kind's own table (CaseloadCore): a transition with no rules into a stage that
    /// requires no field, short of closing (the case stays in the pool).
    public static let renewalChain: [String: String] = {
        let kind = CaseKinds.pointsRenewal
        var chain: [String: String] = [:]
        for t in kind.transitions where t.rules.isEmpty && chain[t.from] == nil {
            guard let target = kind.stage(t.to), !target.isTerminal, !target.fields.contains(where: \.required) else { continue }
            chain[t.from] = t.to
        }
        return chain
    }()
    /// Cases still to advance; shared by every connection of one run (they share one event loop).
    final class Pool: @unchecked Sendable {
        var cases: [BenchCase]
        init(_ cases: [BenchCase]) { self.cases = cases.reversed() }
        func take() -> BenchCase? { cases.popLast() }
    }
    let pool: Pool
    var current: [Int: BenchCase] = [:]
    var inFlight: [Int: String] = [:]

    public static func eligible(_ cases: [BenchCase]) -> [BenchCase] {
        cases.filter { $0.kind == CaseKinds.pointsRenewal.id && $0.status == "active" && renewalChain[$0.stage] != nil }
    }
    init(pool: Pool) { self.pool = pool }
    public static func makeShared(cases: [BenchCase]) -> @Sendable () -> AdvanceWorkload {
        let pool = Pool(eligible(cases))
        return { AdvanceWorkload(pool: pool) }
    }
    public func next(slot: Int) -> (method: String, params: String)? {
        while true {
            if current[slot] == nil { current[slot] = pool.take() }
            guard let c = current[slot] else { return nil }
            guard let to = Self.renewalChain[c.stage] else { current[slot] = nil; continue }
            inFlight[slot] = to
            return ("case.advance", "{\"id\":\"\(c.id)\",\"version\":\(c.version),\"to\":\"\(to)\"}")
        }
    }
    public func completed(slot: Int, ok: Bool) {
        guard var c = current[slot], let to = inFlight.removeValue(forKey: slot) else { return }
        if ok {
            c.stage = to
            c.version += 1
            current[slot] = c
        } else {
            current[slot] = nil  // refused or conflicted: leave it and take another
        }
    }
}

/// A consultant's morning: mostly reading cases, some company lists, some advances.
/// 70% `case.get`, 20% `case.list`, 10% `case.advance` (while advanceable cases last).
public final class MixedWorkload: Workload, @unchecked Sendable {
    let get: GetWorkload
    let list: ListWorkload
    let advance: AdvanceWorkload
    var random: SplitMix64
    var advancing: Set<Int> = []
    public init(get: GetWorkload, list: ListWorkload, advance: AdvanceWorkload, seed: UInt64) {
        self.get = get; self.list = list; self.advance = advance; self.random = SplitMix64(seed: seed)
    }
    public func next(slot: Int) -> (method: String, params: String)? {
        let roll = random.int(0..<100)
        if roll < 10, let request = advance.next(slot: slot) {
            advancing.insert(slot)
            return request
        }
        return roll < 30 ? list.next(slot: slot) : get.next(slot: slot)
    }
    public func completed(slot: Int, ok: Bool) {
        if advancing.remove(slot) != nil { advance.completed(slot: slot, ok: ok) }
    }
}
