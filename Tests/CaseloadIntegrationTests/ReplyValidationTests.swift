import CaseloadProtocol
import CaseloadServer
import Foundation
import Logging
import Testing

/// Every reply is checked against its method's declared result in debug builds, so a schema
/// cannot drift from what is sent: the whole suite runs with the check on.
@Suite("Replies match their declared results")
struct ReplyValidationTests {
    @Test("a reply that breaks its schema is refused and logged with the fields it breaks, never the values")
    func brokenReplyFails() throws {
        let registry = Application.makeRegistry()
        let store = CapturingLogHandler.Store()
        let logger = CapturingLogHandler.logger(level: .info, store: store)
        let ping = try #require(registry["system.ping"])
        try Dispatcher.checkReply("pong", of: ping, logger: logger)
        #expect(throws: RPCError(.internalError)) { try Dispatcher.checkReply("ping", of: ping, logger: logger) }

        let get = try #require(registry["applicant.get"])
        // A member the schema does not list, one it requires missing, one of the wrong type.
        let reply: JSONValue = ["id": "not-a-uuid", "name": 7, "secret_extra": "310104199001010011"]
        #expect(throws: RPCError(.internalError)) { try Dispatcher.checkReply(reply, of: get, logger: logger) }
        let logged = store.text
        #expect(logged.contains("reply breaks its declared result schema"))
        #expect(logged.contains("result.id: format") && logged.contains("result.name: type") && logged.contains("result.secret_extra: unknown_field"))
        #expect(logged.contains("result.company_id: required"))
        #expect(!logged.contains("310104199001010011"), "values never reach the log")
    }

    @Test("the test servers check every reply (the suite runs with it on); release builds leave it off unless asked")
    func onInTests() {
        #expect(ServerConfiguration().validateReplies)
    }
}
