import Synchronization

/// What a fuzz run found: a count, and the first few descriptions in full. Findings recorded
/// with a `key` are also counted per key, and only the first of each key is kept in full, so
/// one bug hit a thousand times does not crowd out the others.
public final class FuzzFindings: Sendable {
    private struct State {
        var count = 0
        var samples: [String] = []
        var byKey: [String: Int] = [:]
    }

    private let state = Mutex(State())
    let keep: Int

    public init(keep: Int = 20) {
        self.keep = keep
    }

    public func record(_ description: String) {
        state.withLock {
            $0.count += 1
            if $0.samples.count < keep { $0.samples.append(description) }
        }
    }

    /// Records a finding of kind `key` (e.g. "internal_error applicant.create"): kept in full
    /// only the first time that key is seen.
    public func record(_ description: String, key: String) {
        state.withLock {
            $0.count += 1
            $0.byKey[key, default: 0] += 1
            if $0.byKey[key] == 1, $0.samples.count < keep { $0.samples.append(description) }
        }
    }

    public var count: Int { state.withLock { $0.count } }
    public var samples: [String] { state.withLock { $0.samples } }
    /// How often each key was recorded.
    public var countsByKey: [String: Int] { state.withLock { $0.byKey } }
}

/// A counter shared by concurrent tasks.
public final class FuzzCounter: Sendable {
    private let value = Atomic<Int>(0)
    public init() {}
    public func add(_ n: Int = 1) { value.add(n, ordering: .relaxed) }
    public var count: Int { value.load(ordering: .relaxed) }
}

/// A flag one task sets and others poll.
public final class FuzzFlag: Sendable {
    private let value = Atomic<Bool>(false)
    public init() {}
    public func set() { value.store(true, ordering: .relaxed) }
    public var isSet: Bool { value.load(ordering: .relaxed) }
}

/// The last few lines sent on a connection, for reports.
final class RecentLines: Sendable {
    private let lines = Mutex<[[UInt8]]>([])

    func append(_ line: [UInt8]) {
        lines.withLock {
            $0.append(line)
            if $0.count > 8 { $0.removeFirst($0.count - 8) }
        }
    }

    var description: String { lines.withLock { $0.suffix(4).map { $0.fuzzDescription() } }.joined(separator: " | ") }
}

extension Array where Element == UInt8 {
    /// The bytes for a report: printable ASCII as is, everything else escaped, cut at `limit`.
    public func fuzzDescription(limit: Int = 160) -> String {
        var out = ""
        for b in prefix(limit) {
            switch b {
            case 0x20..<0x7F where b != 0x5C: out.unicodeScalars.append(Unicode.Scalar(b))
            default: out += "\\x" + String(b, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return count > limit ? out + "…(\(count) bytes)" : out
    }
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: Swift.max(0, width - count)) + self }
}
