import CaseloadProtocol
import Testing

@Suite("Login over TCP")
struct AuthTests {
    @Test("data methods refuse a connection that has not logged in; ping and discover do not")
    func loginRequired() async throws {
        let server = try await TestServer.shared()
        try await server.withClient { client async throws in
            #expect(try await client.call("system.ping") == "pong")
            #expect(try await client.call("rpc.discover")["openrpc"] != nil)
            await expectRPCError(.unauthenticated) { _ = try await client.call("company.list") }
            await expectRPCError(.unauthenticated) { _ = try await client.call("company.get", ["id": "00000000-0000-0000-0000-000000000000"]) }
            await expectRPCError(.unauthenticated) { _ = try await client.call("auth.whoami") }
        }
    }

    @Test("a wrong token is refused and leaves the connection logged out")
    func wrongToken() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient { client async throws in
            let error = await expectRPCError(.unauthenticated) {
                _ = try await client.call("auth.login", ["token": .string(agency.token + "x")])
            }
            #expect(error?.message.contains(agency.token) == false)
            await expectRPCError(.unauthenticated) { _ = try await client.call("company.list") }
            await expectRPCError(.invalidParams) { _ = try await client.call("auth.login", [:]) }
        }
    }

    @Test("login binds the connection to the token's user and agency; logout unbinds it")
    func loginWhoamiLogout() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency("登录测试机构")
        try await server.withClient { client async throws in
            let me = try await client.call("auth.login", ["token": .string(agency.token)])
            #expect(me["agency_id"]?.stringValue == agency.agencyID.uuidString.lowercased())
            #expect(me["agency_name"] == "登录测试机构")
            #expect(me["role"] == "owner")
            #expect(try await client.call("auth.whoami") == me)
            #expect(try await client.call("auth.logout") == true)
            await expectRPCError(.unauthenticated) { _ = try await client.call("company.list") }
        }
    }

    @Test("a revoked or expired token no longer logs in")
    func revokedAndExpired() async throws {
        let server = try await TestServer.shared()
        let a = try await server.database.createAgency()
        let b = try await server.database.createAgency()
        try await server.database.admin { connection in
            try await connection.query("UPDATE tokens SET revoked_at = now() WHERE user_id = \(a.userID)", logger: TestDatabase.logger)
            try await connection.query("UPDATE tokens SET expires_at = now() - interval '1 second' WHERE user_id = \(b.userID)", logger: TestDatabase.logger)
        }
        try await server.withClient { client async throws in
            await expectRPCError(.unauthenticated) { _ = try await client.call("auth.login", ["token": .string(a.token)]) }
            await expectRPCError(.unauthenticated) { _ = try await client.call("auth.login", ["token": .string(b.token)]) }
        }
    }

    @Test("tokens are stored only as hashes")
    func tokensHashed() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        let stored = try await server.database.admin { connection in
            try await connection.query(
                "SELECT count(*)::int FROM tokens WHERE position(convert_to(\(agency.token), 'UTF8') in token_hash) > 0",
                logger: TestDatabase.logger
            ).collect().first!.decode(Int.self)
        }
        #expect(stored == 0)
        #expect(agency.token.hasPrefix("cl_") && agency.token.count == 46)
    }
}
