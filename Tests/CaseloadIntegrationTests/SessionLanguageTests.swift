import CaseloadProtocol
import Testing

@Suite("The session's language over TCP")
struct SessionLanguageTests {
    @Test("auth.login takes a language; whoami reports it; auth.set_language changes it, before login too")
    func chooseLanguage() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient { client async throws in
            #expect(try await client.call("auth.set_language", ["language": "zh"]) == ["language": "zh"])
            let me = try await client.call("auth.login", ["token": .string(agency.token)])
            // Login without a language keeps the one chosen before.
            #expect(me["language"] == "zh")
            #expect(try await client.call("auth.whoami") == me)
            #expect(try await client.call("auth.set_language", ["language": "en"]) == ["language": "en"])
            #expect(try await client.call("auth.whoami")["language"] == "en")
            #expect(try await client.call("auth.logout") == true)
            #expect(try await client.call("auth.login", ["token": .string(agency.token), "language": "zh"])["language"] == "zh")
            #expect(try await client.call("auth.whoami")["language"] == "zh")
        }
        try await server.withClient(token: agency.token) { client async throws in
            #expect(try await client.call("auth.whoami")["language"] == "en")
        }
    }

    @Test("an unknown language is refused (validation_failed, field language, rule enum): the language stays, and like any refused login it leaves the connection logged out")
    func unknownLanguage() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        try await server.withClient { client async throws in
            let atLogin = await expectRPCError(.validationFailed) {
                _ = try await client.call("auth.login", ["token": .string(agency.token), "language": "fr"])
            }
            #expect(atLogin?.fieldRules.map(\.field) == ["language"])
            #expect(atLogin?.fieldRules.map(\.rule) == ["enum"])
            #expect(atLogin?.message.contains(agency.token) == false)
            // Not logged in, and still in English.
            await expectRPCError(.unauthenticated) { _ = try await client.call("company.list") }
            _ = try await client.call("auth.login", ["token": .string(agency.token), "language": "zh"])
            let typo = await expectRPCError(.validationFailed) { _ = try await client.call("auth.set_language", ["language": "zhh"]) }
            #expect(typo?.fieldRules.map(\.rule) == ["enum"])
            #expect(typo?.message.contains("zh") == true)
            await expectRPCError(.invalidParams) { _ = try await client.call("auth.set_language", [:]) }
            await expectRPCError(.invalidParams) { _ = try await client.call("auth.set_language", ["language": 1]) }
            #expect(try await client.call("auth.whoami")["language"] == "zh")
            // A login refused for its language is a refused login: the one before it ends too
            // (as with a bad token), and the language stays.
            await expectRPCError(.validationFailed) {
                _ = try await client.call("auth.login", ["token": .string(agency.token), "language": "fr"])
            }
            await expectRPCError(.unauthenticated) { _ = try await client.call("auth.whoami") }
            #expect(try await client.call("auth.set_language", ["language": "en"])["language"] == "en")
        }
    }
}
