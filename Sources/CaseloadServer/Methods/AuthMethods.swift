import CaseloadCore
import CaseloadProtocol
import CaseloadStorage
import Foundation

/// Binding a connection to a user and agency.
enum AuthMethods {
    struct LoginParams: Decodable, Sendable {
        var token: String
    }

    static let principalSchema: Schema = .object([
        .required("agency_id", .string(format: .uuid), "The agency this connection now acts for"),
        .required("agency_name", .string, "The agency's name"),
        .required("user_id", .string(format: .uuid), "The logged-in user"),
        .required("user_name", .string, "The user's name"),
        .required("role", .string(enum: AdminStore.roles), "The user's role in the agency"),
        .required("company_id", .nullable(.string(format: .uuid)), "A client's company; null for every other role"),
    ])

    static func principalValue(_ p: Principal) -> JSONValue {
        [
            "agency_id": .string(p.agencyID.uuidString.lowercased()),
            "agency_name": .string(p.agencyName),
            "user_id": .string(p.userID.uuidString.lowercased()),
            "user_name": .string(p.userName),
            "role": .string(p.role.rawValue),
            "company_id": p.companyID.map { .string($0.uuidString.lowercased()) } ?? .null,
        ]
    }

    static var all: [RPCMethod] {
        [
            .define(
                "auth.login",
                summary: "Binds this connection to the user and agency of a token. Every data method requires it.",
                params: [.required("token", .string(maxLength: 200, minLength: 1), "The API token (`cl_…`), shown once when created")],
                result: principalSchema,
                errors: [.unauthenticated, .databaseUnavailable, .rateLimited],
                access: .anyone,
                changesSession: true
            ) { (params: LoginParams, context) -> JSONValue in
                // The token is checked first, so a valid one always logs in; the throttle only
                // decides how a failure is answered (LoginThrottle).
                let principal = try await context.database.withConnection { connection in
                    try await AuthStore.authenticate(secret: params.token, on: connection, logger: context.logger)
                }
                guard let principal else {
                    context.session.set(nil)
                    let address = context.session.remoteAddress
                    context.logger.notice("failed login", metadata: ["remote": "\(address)"])
                    switch context.services.loginThrottle.failed(address) {
                    case .delayed(let wait):
                        try await Task.sleep(for: wait)
                        throw RPCError(.unauthenticated, "Unknown, expired or revoked token")
                    case .limited(let retryAfter):
                        throw RPCError(.rateLimited, data: ["retry_after_seconds": .int(max(1, retryAfter.components.seconds))])
                    }
                }
                context.session.set(principal, tokenHash: Token.hash(params.token))
                return principalValue(principal)
            },
            .define(
                "auth.whoami", summary: "The user and agency this connection acts for.", result: principalSchema, roles: Role.everyone, scope: .agency
            ) { (_: NoParams, context) -> JSONValue in
                principalValue(try context.principal())
            },
            .define(
                "auth.logout", summary: "Unbinds this connection from its user; it may log in again.",
                result: .boolean, access: .anyone, changesSession: true
            ) { (_: NoParams, context) in
                context.session.set(nil)
                return true
            },
        ]
    }
}
