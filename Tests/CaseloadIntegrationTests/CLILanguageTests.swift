import CaseloadProtocol
import Foundation
import Testing

/// The CLI in Chinese and English, its times in Shanghai, and "did you mean" for commands.
@Suite("caseload CLI: language, times, did you mean")
struct CLILanguageTests {
    static let zh = ["LANG": "zh_CN.UTF-8"]

    @Test("the CLI's own errors in Chinese with the locale or --lang zh, in English otherwise; an invalid --lang is refused naming the flag")
    func clientErrors() async throws {
        let server = try await TestServer.shared()
        let badAddress = try await caseload(["company", "list"], server: server, token: nil, extraEnv: Self.zh.merging(["CASELOAD_ADDR": "nowhere"]) { $1 })
        #expect(badAddress.status == 1)
        #expect(badAddress.stderr == "caseload: 地址须为 主机:端口，而不是 'nowhere'\n")
        let english = try await caseload(["company", "list", "--addr", "nowhere"], server: server, token: nil)
        #expect(english.stderr == "caseload: address must be host:port, not 'nowhere'\n")

        let down = try await caseload(["company", "list", "--lang", "zh"], server: server, token: "x", extraEnv: ["CASELOAD_ADDR": "127.0.0.1:1"])
        #expect(down.status == 1)
        #expect(down.stderr.hasPrefix("caseload: 127.0.0.1:1 没有 Caseload 服务器应答（该端口没有程序监听）。"))
        let noToken = try await caseload(["company", "list"], server: server, token: nil, extraEnv: ["LC_ALL": "zh_CN.UTF-8", "LANG": "C"])
        #expect(noToken.stderr.hasPrefix("caseload: 没有令牌"))

        let invalid = try await caseload(["company", "list", "--lang", "fr"], server: server, token: nil)
        #expect(invalid.status == 64)
        #expect(invalid.stderr.contains("--lang") && invalid.stderr.contains("'zh'") && invalid.stderr.contains("'en'"))
    }

    @Test("the server's errors come in the CLI's language (sent with auth.login); the CLI's header line stays as it is")
    func serverErrors() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        let arguments = ["company", "add", "--name", "X", "--credit-code", "91350200776049653B"]
        let zh = try await caseload(arguments, server: server, token: agency.token, extraEnv: Self.zh)
        #expect(zh.status == 1)
        let lines = zh.stderr.split(separator: "\n").map(String.init)
        #expect(lines.first == "caseload: validation_failed (-32005):")
        #expect(lines.count == 2 && lines.last?.hasPrefix("  credit_code: ") == true && lines.last?.hasSuffix(" (checksum)") == true)
        #expect(lines.last?.contains("校验码") == true, "\(zh.stderr)")
        let en = try await caseload(arguments + ["--lang", "en"], server: server, token: agency.token, extraEnv: Self.zh)
        #expect(en.stderr.contains("check character") && !en.stderr.contains("校验码"), "\(en.stderr)")
        let missing = try await caseload(["company", "show", "00000000-0000-0000-0000-000000000000", "--lang", "zh"], server: server, token: agency.token)
        #expect(missing.stderr == "caseload: 未找到：你的机构中没有这个公司 [not_found]\n")
    }

    @Test("an unknown command gets 'did you mean', at any level and in either language; exit status 64, nothing sent")
    func didYouMean() async throws {
        let server = try await TestServer.shared()
        let top = try await caseload(["compnay", "list"], server: server, token: nil)
        #expect(top.status == 64)
        #expect(top.stderr == "caseload: unknown command 'compnay' for 'caseload' (did you mean 'company'?); see `caseload --help`\n")
        #expect(top.stdout.isEmpty)
        let nested = try await caseload(["case", "lsit"], server: server, token: nil)
        #expect(nested.status == 64)
        #expect(nested.stderr.contains("unknown command 'lsit' for 'caseload case' (did you mean 'list'?)"))
        let chinese = try await caseload(["deadline", "lits"], server: server, token: nil, extraEnv: Self.zh)
        #expect(chinese.stderr == "caseload: 'caseload deadline' 没有子命令 'lits'（是不是 'list'？）；见 `caseload deadline --help`\n")
        let far = try await caseload(["frobnicate"], server: server, token: nil)
        #expect(far.status == 64 && !far.stderr.contains("did you mean"))
    }

    @Test("company show and applicant show print times in Shanghai, whatever the machine's time zone")
    func shanghaiTimes() async throws {
        let server = try await TestServer.shared()
        let agency = try await server.database.createAgency()
        let add = try await caseload(["company", "add", "--name", "上海时区测试有限公司", "--org-code", "77604965-3", "--json"], server: server, token: agency.token)
        let company = try add.json()
        let id = try #require(company["id"]?.stringValue)
        let updated = try #require(company["updated_at"]?.stringValue)
        let date = try Date(updated, strategy: .iso8601)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        let expected = formatter.string(from: date)
        for zone in ["UTC", "America/New_York"] {
            let show = try await caseload(["company", "show", id], server: server, token: agency.token, extraEnv: ["TZ": zone])
            let line = try #require(show.stdout.split(separator: "\n").first { $0.hasPrefix("updated") })
            #expect(line.hasSuffix("  \(expected)"), "\(line)")
            #expect(!show.stdout.contains(updated))
        }
        let zh = try await caseload(["company", "show", id], server: server, token: agency.token, extraEnv: Self.zh)
        #expect(zh.stdout.split(separator: "\n").contains { $0.hasPrefix("更新于") && $0.hasSuffix("  \(expected)") })
        #expect(zh.stdout.split(separator: "\n").contains { $0.hasPrefix("名称") && $0.contains("上海时区测试有限公司") })
    }
}
