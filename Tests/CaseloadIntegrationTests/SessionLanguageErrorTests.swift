import CaseloadClient
import CaseloadProtocol
import Testing

@Suite("Errors in the session's language over TCP")
struct SessionLanguageErrorTests {
    /// `data.errors` as (field, rule) pairs, comparable across languages.
    static func pairs(_ error: RPCError?) -> [String] {
        (error?.fieldRules ?? []).map { "\($0.field)/\($0.rule)" }
    }

    static let missing = "00000000-0000-0000-0000-000000000000"

    @Test("validation_failed, not_found and forbidden in Chinese carry the same code, fields, rules and data as in English")
    func chineseErrors() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        let viewerToken = try await server.withClient(token: agency.token) { owner in
            try await owner.call("user.create", ["name": "观察员", "role": "viewer"])["token"]!.stringValue!
        }
        func provoke(_ client: RPCClient) async -> (RPCError?, RPCError?, RPCError?) {
            let invalid = await expectRPCError(.validationFailed) {
                _ = try await client.call("company.create", ["name": "上海语言测试有限公司", "credit_code": "91350200776049653B"])
            }
            let missing = await expectRPCError(.notFound) { _ = try await client.call("company.get", ["id": .string(Self.missing)]) }
            let schema = await expectRPCError(.invalidParams) { _ = try await client.call("company.get", ["id": 5, "extra": true]) }
            return (invalid, missing, schema)
        }
        let english = try await server.withClient(token: agency.token) { try await provoke($0) }
        let chinese = try await server.withClient { client in
            _ = try await client.call("auth.login", ["token": .string(agency.token), "language": "zh"])
            return await provoke(client)
        }
        #expect(english.0?.message.contains("check character") == true)
        #expect(chinese.0?.message.hasPrefix("校验失败：credit_code：") == true)
        #expect(chinese.0?.message.contains("统一社会信用代码的校验码不对") == true)
        #expect(Self.pairs(chinese.0) == Self.pairs(english.0) && Self.pairs(english.0) == ["credit_code/checksum"])
        #expect(chinese.0?.data?["errors"]?[0]?["message"]?.stringValue?.contains("校验码") == true)
        #expect(chinese.1?.message == "未找到：你的机构中没有这个公司")
        #expect(chinese.1?.data == english.1?.data && english.1?.data?["entity"] == "company")
        #expect(Self.pairs(chinese.2) == Self.pairs(english.2) && !Self.pairs(english.2).isEmpty)
        #expect(chinese.2?.message == "参数无效")
        for entry in chinese.2?.data?["errors"]?.arrayValue ?? [] {
            #expect(entry["message"]?.stringValue?.unicodeScalars.contains { $0.value > 0x3000 } == true)
        }

        try await server.withClient { client async throws in
            _ = try await client.call("auth.login", ["token": .string(viewerToken), "language": "zh"])
            let zh = await expectRPCError(.forbidden) { _ = try await client.call("user.create", ["name": "x", "role": "viewer"]) }
            #expect(zh?.message.contains("无权操作") == true && zh?.message.contains("查看者") == true)
            // Switched back: the same refusal in English.
            _ = try await client.call("auth.set_language", ["language": "en"])
            let en = await expectRPCError(.forbidden) { _ = try await client.call("user.create", ["name": "x", "role": "viewer"]) }
            #expect(en?.message.hasPrefix("Forbidden") == true)
            #expect(en?.data == zh?.data)
        }
    }

    @Test("before login, errors follow auth.set_language: a failed login and an unknown method in Chinese")
    func beforeLogin() async throws {
        let server = try await TestServer.shared()
        try await server.withClient { client async throws in
            _ = try await client.call("auth.set_language", ["language": "zh"])
            let unknown = await expectRPCError(.methodNotFound) { _ = try await client.call("no.such_method") }
            #expect(unknown?.message == "没有这个方法：no.such_method")
            let login = await expectRPCError(.unauthenticated) { _ = try await client.call("auth.login", ["token": "cl_wrong"]) }
            #expect(login?.message == "令牌无效、已过期或已被吊销")
            let out = await expectRPCError(.unauthenticated) { _ = try await client.call("company.list") }
            #expect(out?.message == "尚未登录：请先调用 auth.login")
        }
    }
}
