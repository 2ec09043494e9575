import ArgumentParser
import CaseloadBench
import Foundation
import NIOCore

/// The load generator and data tools behind `make bench` (deploy/bench.sh).
@main
struct CaseloadBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "caseload-bench",
        abstract: "Benchmark tools: drive a server with pipelined load, time the reply writer against Foundation's, write an import file (demo data: `caseload-server admin seed-demo`).",
        subcommands: [Load.self, Encode.self, ImportFile.self])
}

struct Load: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Drive a server with pipelined requests; prints one JSON result per connection count.")
    @Option var host = "127.0.0.1"
    @Option var port: Int
    @Option(help: "File with the API token (kept out of `ps`).") var tokenFile: String
    @Option(help: "Cases listed from the database (case_id, company_id, kind, stage, status, version; tab-separated).") var cases: String
    @Option(help: "get, list, advance, mixed, or call (the same --method with --params each time).") var scenario: String
    @Option(help: "With --scenario call: the method.") var method: String?
    @Option(help: "With --scenario call: its params, a JSON object.") var params = "{}"
    @Option(help: "Connection counts to run, comma-separated.") var connections = "1,8,32"
    @Option(help: "Requests in flight per connection.") var depth = 8
    @Option var seconds = 5.0
    @Option var warmup = 1.0
    @Option(help: "Idle logged-in connections to hold open during the runs.") var idle = 0
    @Option(help: "The server's pid, to read its resident memory while the idle connections are held.") var serverPid: Int?

    func run() async throws {
        let token = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let all = try BenchCase.load(path: cases)
        guard !all.isEmpty else { throw ValidationError("no cases in \(cases)") }
        let companies = Array(Set(all.map(\.companyID))).sorted()
        let generator = LoadGenerator()
        var idleChannels: [any Channel] = []
        if idle > 0 {
            idleChannels = try await generator.holdIdle(count: idle, host: host, port: port, token: token)
        }
        let advanceFactory = AdvanceWorkload.makeShared(cases: all)
        var seed: UInt64 = 1
        for count in connections.split(separator: ",").compactMap({ Int($0) }) {
            var options = LoadGenerator.Options()
            options.host = host
            options.port = port
            options.token = token
            options.connections = count
            options.depth = depth
            options.seconds = seconds
            options.warmupSeconds = warmup
            seed += 1
            let s = seed
            let make: @Sendable () -> any Workload
            switch scenario {
            case "get": make = { GetWorkload(cases: all, seed: s &* 7919 &+ UInt64.random(in: 0..<1000)) }
            case "list": make = { ListWorkload(companies: companies, seed: s &* 104729 &+ UInt64.random(in: 0..<1000)) }
            case "advance": make = { advanceFactory() }
            case "mixed":
                make = {
                    let r = UInt64.random(in: 0..<1_000_000)
                    return MixedWorkload(
                        get: GetWorkload(cases: all, seed: r), list: ListWorkload(companies: companies, seed: r + 1), advance: advanceFactory(),
                        seed: r + 2)
                }
            case "call":
                guard let method else { throw ValidationError("--scenario call needs --method") }
                make = { [params] in CallWorkload(method: method, params: params) }
            default: throw ValidationError("--scenario must be get, list, advance, mixed or call")
            }
            let (recorder, measured) = try await generator.run(options, makeWorkload: make)
            var result = RunResult(scenario: scenario == "call" ? method ?? scenario : scenario, connections: count, depth: depth, seconds: measured, recorder: recorder)
            if idle > 0 {
                result.idleConnections = idle
                result.serverRSSKilobytes = serverPid.flatMap(residentKilobytes)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            FileHandle.standardOutput.write(try encoder.encode(result) + Data("\n".utf8))
        }
        for channel in idleChannels { try? await channel.close() }
        try await generator.shutdown()
    }
}

struct Encode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time the server's reply writer against Foundation's JSONEncoder on the same values (no server); prints one JSON result per fixture.")
    @Option(help: "Rounds of each; the best round counts.") var repetitions = 50

    func run() throws {
        guard (1...100_000).contains(repetitions) else { throw ValidationError("--repetitions must be 1…100000") }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for result in try ReplyEncoding.run(repetitions: repetitions) {
            FileHandle.standardOutput.write(try encoder.encode(result) + Data("\n".utf8))
        }
    }
}

/// VmRSS of a process, in kB (Linux).
func residentKilobytes(_ pid: Int) -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return Int(line.split(separator: " ").dropFirst().first ?? "")
    }
    return nil
}

struct ImportFile: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write a CSV of new applicants for `caseload import applicants`.")
    @Option var count = 10_000
    @Option(help: "The number of the first applicant: files with different ranges hold different people.") var first = 0
    @Option(help: "The employer's credit code.") var creditCode: String
    @Option var out: String

    func run() throws {
        var csv = "company_credit_code,name,id_number,phone,education_level,social_insurance_months,permit_received_date,permit_expiry_date\n"
        let names = Array("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
        let given = Array("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平")
        for i in first..<(first + count) {
            let name = "\(names[i % names.count])\(given[(i / names.count) % given.count])\(given[(i / 7) % given.count])"
            csv += "\(creditCode),\(name),\(BenchIdentifiers.idNumber(i)),139\(String(format: "%08d", i)),bachelor,\(12 + i % 100),2025-03-01,2027-03-01\n"
        }
        try csv.write(toFile: out, atomically: true, encoding: .utf8)
    }
}
