import CaseloadCore
import CaseloadProtocol

/// All methods by name. Built once at start-up and checked there: a duplicate name or a
/// malformed definition stops the server before it listens.
public struct MethodRegistry: Sendable {
    public private(set) var methods: [String: RPCMethod] = [:]
    public private(set) var order: [String] = []

    public init(_ groups: [[RPCMethod]]) {
        for method in groups.joined() {
            precondition(methods[method.name] == nil, "method \(method.name) registered twice")
            precondition(!method.summary.isEmpty, "method \(method.name) has no summary")
            if let gap = method.scopeGap { preconditionFailure("method \(method.name): \(gap)") }
            methods[method.name] = method
            order.append(method.name)
        }
    }

    public subscript(name: String) -> RPCMethod? { methods[name] }

    /// Methods in registration order.
    public var all: [RPCMethod] { order.compactMap { methods[$0] } }
}
