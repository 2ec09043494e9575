import CaseloadProtocol
import CaseloadServer
import CaseloadStorage
import Foundation
import Testing

@Suite("Tokens and failed logins")
struct TokenTests {
    @Test("a token is shown once, listed without its secret, works, and stops working when revoked")
    func lifecycle() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        let created = try await server.withClient(token: agency.token) { c in
            try await c.call("token.create", ["label": "laptop", "expires_in_days": 30])
        }
        let secret = try #require(created["token"]?.stringValue)
        #expect(secret.hasPrefix("cl_") && secret.count == 46, "256 bits, base64url")
        let expires = try #require(created["info"]?["expires_at"]?.stringValue.flatMap(ISO8601DateFormatter().date(from:)))
        #expect(abs(expires.timeIntervalSinceNow - 30 * 86_400) < 600)
        try await server.withClient(token: secret) { c async throws in
            let listed = try await c.call("token.list")
            #expect(!WireJSON.string(listed).contains(secret))
            #expect(listed["tokens"]?.arrayValue?.count == 2)
            // Revoking it ends this very connection's session within the re-check interval.
            _ = try await c.call("token.revoke", ["id": created["info"]!["id"]!])
            try await Task.sleep(for: .seconds(5.5))
            await expectRPCError(.unauthenticated) { _ = try await c.call("token.list") }
        }
        await expectRPCError(.unauthenticated) {
            try await server.withClient(token: secret) { _ in }
        }
    }

    @Test("a consultant manages only their own tokens; an owner anyone's")
    func ownTokensOnly() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        let consultant = try await server.database.admin { connection in
            try await AdminStore.createUser(agency: agency.agencyID, name: "顾问", role: .consultant, on: connection, logger: TestDatabase.logger)
        }
        let ownerTokenID = try await server.withClient(token: agency.token) { c in
            try await c.call("token.list", ["user_id": .string(agency.userID.uuidString)])["tokens"]!.arrayValue!.first!["id"]!
        }
        try await server.withClient(token: consultant.token) { c async throws in
            await expectRPCError(.notFound) { _ = try await c.call("token.revoke", ["id": ownerTokenID]) }
            await expectRPCError(.forbidden) { _ = try await c.call("token.list", ["user_id": .string(agency.userID.uuidString)]) }
            await expectRPCError(.forbidden) { _ = try await c.call("token.create", ["user_id": .string(agency.userID.uuidString)]) }
            #expect(try await c.call("token.list")["tokens"]?.arrayValue?.count == 1)
        }
        try await server.withClient(token: agency.token) { c async throws in
            let made = try await c.call("token.create", ["user_id": .string(consultant.userID.uuidString), "label": "替顾问"])
            #expect(made["info"]?["user_id"] == .string(consultant.userID.uuidString.lowercased()))
            #expect(try await c.call("token.list")["tokens"]?.arrayValue?.count == 3, "an owner sees everyone's")
        }
    }

    @Test("an expired token is refused at login")
    func expired() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.database.admin { connection in
            try await connection.query("UPDATE tokens SET expires_at = now() - interval '1 second' WHERE agency_id = \(agency.agencyID)", logger: TestDatabase.logger)
        }
        await expectRPCError(.unauthenticated) { try await server.withClient(token: agency.token) { _ in } }
    }

    @Test("failed logins are slowed, then refused per address with retry_after_seconds; a valid token always logs in, even from that address")
    func throttle() async throws {
        let server = try await TestServer.start { configuration in
            configuration.loginPolicy = LoginThrottle.Policy()
            configuration.loginPolicy.freeFailures = 1
            configuration.loginPolicy.limit = 4
            configuration.loginPolicy.maximumDelay = .milliseconds(300)
        }
        let agency = try await server.database.createAgency()
        try await server.withClient { c async throws in
            let started = ContinuousClock.now
            for _ in 0..<4 {
                await expectRPCError(.unauthenticated) { _ = try await c.call("auth.login", ["token": "cl_wrong"]) }
            }
            // 1 free, then 100 + 200 + 300 (capped) ms.
            #expect(ContinuousClock.now - started >= .milliseconds(600))
            let limited = await expectRPCError(.rateLimited) { _ = try await c.call("auth.login", ["token": "cl_wrong"]) }
            #expect((limited?.data?["retry_after_seconds"]?.intValue ?? 0) > 0)
            // An office behind one NAT address: a colleague's mistyped tokens cost nobody their login.
            // (The valid token is checked before the throttle is consulted at all; its timing is not
            // asserted, since under a loaded suite any call can take seconds.)
            #expect(try await c.call("auth.login", ["token": .string(agency.token)])["role"] == "owner")
            await expectRPCError(.rateLimited) { _ = try await c.call("auth.login", ["token": "cl_still_wrong"]) }
        }
        try await server.stop()
    }

    @Test("the throttle unit: per address, failures leave the window, memory stays bounded")
    func throttleUnit() {
        let throttle = LoginThrottle(policy: { var p = LoginThrottle.Policy(); p.freeFailures = 1; p.limit = 2; p.window = .seconds(60); p.maximumAddresses = 3; return p }())
        let t0 = ContinuousClock.now
        #expect(throttle.failed("10.0.0.1", now: t0) == .delayed(.zero))
        #expect(throttle.failed("10.0.0.1", now: t0) == .delayed(.milliseconds(100)))
        #expect(throttle.failed("10.0.0.1", now: t0) == .limited(retryAfter: .seconds(60)))
        #expect(throttle.failed("10.0.0.2", now: t0) == .delayed(.zero), "per address")
        #expect(throttle.failed("10.0.0.1", now: t0 + .seconds(61)) == .delayed(.zero), "failures leave the window")
        // Refused failures do not pile up: at most `limit` are kept per address.
        for _ in 0..<100 { _ = throttle.failed("10.0.0.3", now: t0) }
        #expect(throttle.recentFailures("10.0.0.3", now: t0) == 2)
        // A fourth address pushes one of the stalest (last failure at t0) out.
        let t1 = t0 + .seconds(1)
        _ = throttle.failed("10.0.0.4", now: t1)
        #expect(throttle.recentFailures("10.0.0.4", now: t1) == 1)
        #expect(throttle.recentFailures("10.0.0.2", now: t1) == 0 || throttle.recentFailures("10.0.0.3", now: t1) == 0)
    }
}
