import CaseloadCore
import CaseloadProtocol
import CaseloadStorage
import Foundation

/// Binding a connection to a user and agency.
enum AuthMethods {
    struct LoginParams: Decodable, Sendable {
        var token: String
        var language: String?
    }

    struct LanguageParams: Decodable, Sendable {
        var language: String
    }

    /// The schema of a `language` param: a short string, checked by `language(_:)` so that an
    /// unknown one is a `validation_failed` naming the languages there are.
    static let languageSchema: Schema = .string(maxLength: 20, minLength: 1)

    /// The session language `name` stands for, or a refusal (field `language`, rule `enum`).
    static func language(_ name: String) throws -> Language {
        if let language = Language(rawValue: name) { return language }
        let names = Language.names
        throw ValidationError(field: "language", rule: "enum", .oneOf(names, typed: name))
    }

    /// `auth.login`'s and `auth.whoami`'s reply: the principal and the connection's language.
    static let sessionSchema: Schema = .object(principalProperties + [languageProperty])

    static let languageResult: Schema = .object([languageProperty])

    static let languageProperty: Property = .required("language", .string(enum: Language.names), "The language of this connection's error messages")

    static let principalProperties: [Property] = [
        .required("agency_id", .string(format: .uuid), "The agency this connection now acts for"),
        .required("agency_name", .string, "The agency's name"),
        .required("user_id", .string(format: .uuid), "The logged-in user"),
        .required("user_name", .string, "The user's name"),
        .required("role", .string(enum: AdminStore.roles), "The user's role in the agency"),
        .required("company_id", .nullable(.string(format: .uuid)), "A client's company; null for every other role"),
    ]

    /// `auth.login`'s and `auth.whoami`'s reply: the principal and the connection's language.
    static func sessionValue(_ p: Principal, language: Language) -> JSONValue {
        [
            "agency_id": .string(p.agencyID.lowercasedString),
            "agency_name": .string(p.agencyName),
            "user_id": .string(p.userID.lowercasedString),
            "user_name": .string(p.userName),
            "role": .string(p.role.rawValue),
            "company_id": p.companyID.map { .string($0.lowercasedString) } ?? .null,
            "language": .string(language.rawValue),
        ]
    }

    static var all: [RPCMethod] {
        [
            .define(
                "auth.login",
                summary: "Binds this connection to the user and agency of a token. Every data method requires it.",
                params: [
                    .required("token", .string(maxLength: 200, minLength: 1), "The API token (`cl_…`), shown once when created"),
                    .optional(
                        "language", languageSchema,
                        "`en` or `zh`: the language of this connection's error messages from this call on (a failed login is answered in it too); absent leaves it as it is (`en` on a new connection)"),
                ],
                result: sessionSchema,
                errors: [.unauthenticated, .validationFailed, .databaseUnavailable, .rateLimited],
                access: .anyone,
                changesSession: true
            ) { (params: LoginParams, context) -> JSONValue in
                // The language first, so a failed login is answered in the one asked for. An
                // unknown one keeps the language, but is a refused login like any other: it
                // leaves the connection logged out (as a bad token does).
                if let name = params.language {
                    do {
                        context.session.set(language: try language(name))
                    } catch {
                        context.session.set(nil)
                        throw error
                    }
                }
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
                        throw RPCError(.unauthenticated, "Unknown, expired or revoked token", zh: "令牌无效、已过期或已被吊销")
                    case .limited(let retryAfter):
                        throw RPCError(.rateLimited, data: ["retry_after_seconds": .int(max(1, retryAfter.components.seconds))])
                    }
                }
                context.session.set(principal, tokenHash: Token.hash(params.token))
                return sessionValue(principal, language: context.session.language)
            },
            .define(
                "auth.whoami", summary: "The user and agency this connection acts for, and the language of its error messages.",
                result: sessionSchema,
                roles: Role.everyone, scope: .agency
            ) { (_: NoParams, context) -> JSONValue in
                sessionValue(try context.principal(), language: context.session.language)
            },
            .define(
                "auth.set_language",
                summary: "Chooses the language (`en` or `zh`) of this connection's error messages from the next call on; works before login too. Codes, fields and rules are the same in each.",
                params: [.required("language", languageSchema, "`en` or `zh`")],
                result: languageResult,
                errors: [.validationFailed],
                access: .anyone,
                changesSession: true
            ) { (params: LanguageParams, context) -> JSONValue in
                let chosen = try language(params.language)
                context.session.set(language: chosen)
                return ["language": .string(chosen.rawValue)]
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
