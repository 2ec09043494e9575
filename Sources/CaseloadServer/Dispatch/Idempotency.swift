import CaseloadCore
import CaseloadProtocol
import CaseloadStorage
import Crypto
import Foundation
import Logging
import PostgresNIO

/// Runs a mutating call at most once per idempotency key, inside the call's transaction.
enum Idempotency {
    static func run(
        key: String, method: RPCMethod, params: JSONValue, in tx: Transaction,
        _ body: () async throws -> JSONValue
    ) async throws -> JSONValue {
        let hash = Array(SHA256.hash(data: try WireJSON.encode(params)))
        let claim = try await tx.idempotency.claim(key: key, method: method.name, paramsHash: hash, user: tx.principal.userID)
        switch claim {
        case .replay(let storedMethod, let storedHash, let result):
            guard storedMethod == method.name, storedHash == hash else {
                throw RPCError.conflict(
                    "Conflict: this idempotency_key was used for a different call (\(storedMethod)); use a new key for new work",
                    zh: "冲突：这个 idempotency_key 已用于另一次调用（\(storedMethod)）；新的操作请用新的键",
                    issues: [("idempotency_key", "same_params", "reused with different params", "以不同的参数重复使用")])
            }
            return try WireJSON.decode(JSONValue.self, from: Data(result.utf8))
        case .claimed:
            let result = try await body()
            let encoded = String(decoding: try WireJSON.encode(result), as: UTF8.self)
            try await tx.idempotency.complete(key: key, result: encoded, user: tx.principal.userID)
            return result
        }
    }
}
