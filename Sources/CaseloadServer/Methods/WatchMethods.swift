import CaseloadCore
import CaseloadProtocol
import CaseloadStorage
import Foundation

/// Live updates: the server pushes `watch.event` notifications on the subscribing connection.
enum WatchMethods {
    struct SubscribeParams: Decodable, Sendable {
        var scope: String?
        var id: UUID?
        var kinds: [String]?
    }

    struct UnsubscribeParams: Decodable, Sendable {
        var subscriptionID: UUID
        enum CodingKeys: String, CodingKey { case subscriptionID = "subscription_id" }
    }

    static var all: [RPCMethod] {
        [
            .define(
                "watch.subscribe",
                summary: "Starts live events on this connection: `watch.event` notifications ({subscription_id, kind, company_id, case_id, deadline_id, document_id}) for changes you may see, made through any server; `watch.gap` when some may have been missed.",
                params: [
                    .optional("scope", .string(enum: ["caseload", "company", "case"]), "What to follow: everything you may see (default), one company, or one case"),
                    .optional("id", .string(format: .uuid), "The company or case (for those scopes)"),
                    .optional("kinds", .array(.string(enum: WatchEvent.kinds), maxItems: 10), "Only these kinds (default: all)"),
                ],
                result: .object([.required("subscription_id", .string(format: .uuid), "Names this subscription in events and in watch.unsubscribe")]),
                errors: [.validationFailed], roles: Role.everyone, scope: .agency
            ) { (params: SubscribeParams, context) -> JSONValue in
                let principal = try context.principal()
                let scope: WatchScope
                switch (params.scope ?? "caseload", params.id) {
                case ("caseload", _): scope = .caseload
                case ("company", let id?): scope = .company(id)
                case ("case", let id?): scope = .case(id)
                default: throw ValidationError(field: "id", rule: "required", message: "give the id of the \(params.scope ?? "") to follow",
                    zh: "请给出要关注的 \(params.scope ?? "") 的 id")
                }
                let id = UUID()
                let session = context.session
                context.services.events.add(
                    .init(id: id, session: session, principal: principal, scope: scope,
                          kinds: Set(params.kinds ?? WatchEvent.kinds), push: session.push))
                return ["subscription_id": .string(id.lowercasedString)]
            },
            .define(
                "watch.unsubscribe",
                summary: "Stops one subscription of this connection (closing the connection stops them all).",
                params: [.required("subscription_id", .string(format: .uuid), "From watch.subscribe")],
                result: .boolean, errors: [.notFound], roles: Role.everyone, scope: .agency
            ) { (params: UnsubscribeParams, context) -> JSONValue in
                guard context.services.events.remove(params.subscriptionID, session: ObjectIdentifier(context.session)) else {
                    throw StorageError.notFound(entity: "subscription")
                }
                return true
            },
        ]
    }
}
