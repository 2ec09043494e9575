import CaseloadProtocol
import Foundation

/// Fuzzes `RPCParser.parseClientLine` in process: every generated line is parsed by the
/// server's parser and by the oracle, and the two readings must agree (same error and id
/// for a refused line, same id, method and params for a request, entry by entry for a batch).
public enum ParserFuzz {
    public struct Report: Sendable {
        public var inputs = 0
        public var findingCount = 0
        public var findings: [String] = []
        public var duration: Duration = .zero
        public var shapes: [String: Int] = [:]
    }

    /// `crashFile`: each line is written there before it is parsed, so after a crash the file
    /// holds the line that crashed the parser (slower; for reproducing a crash).
    public static func run(inputs: Int, seed: UInt64, maximumLineLength: Int = 8192, maximumBatchSize: Int = 100, crashFile: String? = nil) -> Report {
        let started = ContinuousClock.now
        var generator = LineGenerator(
            seed: seed, methods: ["system.ping", "system.version", "auth.login", "auth.logout", "company.list"], token: "cl_token",
            maximumLineLength: maximumLineLength, maximumBatchSize: maximumBatchSize)
        let findings = FuzzFindings()
        var report = Report()
        while report.inputs < inputs {
            let line = generator.next()
            let expected = LineOracle.shape(of: line, maximumBatchSize: maximumBatchSize)
            // Blank lines never reach the parser: the framing drops them.
            if expected == .blank { continue }
            report.inputs += 1
            report.shapes[name(expected), default: 0] += 1
            if let crashFile { _ = FileManager.default.createFile(atPath: crashFile, contents: Data(line)) }
            let actual = shape(of: RPCParser.parseClientLine(Data(line), maximumBatchSize: maximumBatchSize))
            if actual != expected {
                findings.record("line \(line.fuzzDescription(limit: 400)): \(difference(actual, expected))")
            }
        }
        report.findingCount = findings.count
        report.findings = findings.samples
        report.duration = ContinuousClock.now - started
        return report
    }

    /// Where two readings differ, briefly.
    static func difference(_ actual: LineOracle.Shape, _ expected: LineOracle.Shape) -> String {
        if case .batch(let a) = actual, case .batch(let e) = expected {
            if a.count != e.count { return "server parser read a batch of \(a.count), oracle \(e.count)" }
            if let i = a.indices.first(where: { a[$0] != e[$0] }) { return "batch entry \(i): server parser read \(a[i]), oracle \(e[i])" }
        }
        return "server parser read \(actual), oracle \(expected)"
    }

    static func name(_ shape: LineOracle.Shape) -> String {
        switch shape {
        case .blank: "blank"
        case .rejected(let code, _): "rejected \(code)"
        case .single(.invalid): "invalid request"
        case .single(.request): "request"
        case .batch: "batch"
        }
    }

    /// The server parser's reading in the oracle's terms.
    static func shape(of incoming: RPCIncoming) -> LineOracle.Shape {
        switch incoming {
        case .rejected(let response):
            let limit = response.error?.data?["limit"]?.stringValue
            return response.id == .null ? .rejected(code: response.error?.code ?? 0, limit: limit) : .single(entry(.invalid(response)))
        case .single(let e): return .single(entry(e))
        case .batch(let entries): return .batch(entries.map(entry))
        }
    }

    static func entry(_ entry: RPCEntry) -> LineOracle.Entry {
        switch entry {
        case .invalid(let response):
            // An invalid entry is always invalid_request; any other code is a mismatch.
            guard response.error?.code == LineOracle.invalidRequest else { return .request(id: id(response.id), method: "<code \(response.error?.code ?? 0)>", params: nil) }
            return .invalid(id: id(response.id))
        case .request(let request):
            return .request(id: request.id.map(id), method: request.method, params: request.params.map(value))
        }
    }

    static func id(_ id: RequestID) -> LineOracle.ID {
        switch id {
        case .null: .null
        case .number(let n): .number(n)
        case .string(let s): .string(s)
        }
    }

    static func value(_ v: JSONValue) -> RefValue {
        switch v {
        case .null: .null
        case .bool(let b): .bool(b)
        case .int(let i): .int(i)
        case .double(let d): .double(d)
        case .string(let s): .string(s)
        case .array(let a): .array(a.map(value))
        case .object(let o): .object(o.mapValues(value))
        }
    }
}
