import CaseloadClient
import CaseloadProtocol
import CaseloadStorage
import Foundation
import PostgresNIO
import Synchronization
import Testing

/// An agency's shard group moved to the other worker while the server serves writes for it
/// (docs/deployment.md, "Moving an agency"): every acknowledged write is there afterwards, and
/// every call got an answer. Only on Citus (`make test-citus`, which runs it alone: the move
/// takes the other agencies of the same shard group along).
@Suite(
    "Citus: an agency moved to another worker while it is written",
    .enabled(if: ProcessInfo.processInfo.environment["CASELOAD_TEST_SHARED_DATABASE_URL"] != nil, "not a make test-citus run"))
struct ShardMoveTests {
    struct Placement: Sendable, Equatable {
        var shard: Int64
        var host: String
        var port: Int
    }

    /// Where the agency's rows are: its shard of `agencies` (every table's shard for the same
    /// agency is co-located with it, on the same node).
    static func placement(of agency: UUID, _ db: TestDatabase) async throws -> Placement {
        try await db.admin { connection in
            let row = try #require(
                try await connection.query(
                    """
                    SELECT s.shardid, s.nodename, s.nodeport FROM citus_shards s
                    WHERE s.table_name = 'agencies'::regclass AND s.shardid = get_shard_id_for_distribution_column('agencies', \(agency))
                    """, logger: TestDatabase.logger
                ).collect().first)
            let (shard, host, port) = try row.decode((Int64, String, Int).self)
            return Placement(shard: shard, host: host, port: port)
        }
    }

    @Test("writes go on through citus_move_shard_placement; none acknowledged is lost, none unanswered", .timeLimit(.minutes(5)))
    func moveUnderWrites() async throws {
        let server = try await TestServer.shared()
        let db = server.database
        let agency = try await db.createAgency()
        let applicant = try await server.withClient(token: agency.token) { try await Fixture.make($0, n: 901).applicantID }
        let from = try await Self.placement(of: agency.agencyID, db)
        let target = try await db.admin { connection in
            let row = try #require(
                try await connection.query(
                    """
                    SELECT nodename, nodeport FROM pg_dist_node
                    WHERE noderole = 'primary' AND groupid > 0 AND NOT (nodename = \(from.host) AND nodeport = \(from.port))
                    ORDER BY groupid LIMIT 1
                    """, logger: TestDatabase.logger
                ).collect().first)
            return try row.decode((String, Int).self)
        }

        let tally = Tally()
        let writers = 3
        try await withThrowingTaskGroup { group in
            for w in 0..<writers {
                group.addTask {
                    try await server.withClient(token: agency.token) { client in
                        var i = 0
                        // Writes before, during and a little after the move.
                        var after = 0
                        while after < 20 {
                            if !tally.moving { after += 1 }
                            i += 1
                            do {
                                let added = try await client.call(
                                    "deadline.add", ["applicant_id": applicant, "title": .string("移动 \(w)-\(i)"), "due_date": "2030-03-01"])
                                if let id = added["id"]?.stringValue.flatMap(UUID.init(uuidString:)) { tally.acknowledge(id) }
                            } catch let error as RPCError {
                                tally.refused("\(error.code): \(error.message)")
                            }
                        }
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(300))
            try await db.admin { connection in
                _ = try await connection.query(
                    """
                    SELECT citus_move_shard_placement(\(from.shard), \(from.host), \(from.port)::int, \(target.0), \(target.1)::int, shard_transfer_mode => 'auto')
                    """, logger: TestDatabase.logger
                ).collect()
            }
            tally.moved()
            try await group.waitForAll()
        }

        let to = try await Self.placement(of: agency.agencyID, db)
        #expect(to.host == target.0 && to.port == target.1, "the agency's shard group is on the other worker now")
        let ids = tally.acknowledged
        #expect(ids.count >= writers * 20)
        #expect(tally.failures.isEmpty, "calls refused during the move: \(tally.failures.prefix(5))")
        let stored = try await db.admin { connection in
            try await connection.query(
                "SELECT count(*)::int FROM deadlines WHERE agency_id = \(agency.agencyID) AND deadline_id = ANY(\(ids))", logger: TestDatabase.logger
            ).collect().first?.decode(Int.self)
        }
        #expect(stored == ids.count, "every acknowledged write is on the new placement")
        // And the agency is served from there: a read through the server sees them all.
        let listed = try await server.withClient(token: agency.token) { client in
            try await client.call("deadline.list", ["applicant_id": applicant, "limit": 1000])["deadlines"]?.arrayValue ?? []
        }
        #expect(listed.filter { $0["title"]?.stringValue?.hasPrefix("移动") == true }.count == ids.count)
    }
}

/// What the writers saw, shared between their tasks.
private final class Tally: Sendable {
    private let state = Mutex<(moving: Bool, acknowledged: [UUID], failures: [String])>((true, [], []))
    var moving: Bool { state.withLock { $0.moving } }
    var acknowledged: [UUID] { state.withLock { $0.acknowledged } }
    var failures: [String] { state.withLock { $0.failures } }
    func moved() { state.withLock { $0.moving = false } }
    func acknowledge(_ id: UUID) { state.withLock { $0.acknowledged.append(id) } }
    func refused(_ what: String) { state.withLock { $0.failures.append(what) } }
}
