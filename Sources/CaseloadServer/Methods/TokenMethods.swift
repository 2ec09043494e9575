import CaseloadCore
import CaseloadProtocol
import CaseloadStorage
import Foundation

/// API tokens: every user manages their own; an owner manages everyone's.
enum TokenMethods {
    /// Lifetime of a token created through the server when none is asked for.
    static let defaultLifetimeDays = 90

    struct CreateParams: Decodable, Sendable {
        var label: String?
        var expiresInDays: Int?
        var userID: UUID?
        enum CodingKeys: String, CodingKey {
            case label
            case expiresInDays = "expires_in_days", userID = "user_id"
        }
    }

    struct ListParams: Decodable, Sendable {
        var userID: UUID?
        enum CodingKeys: String, CodingKey { case userID = "user_id" }
    }

    struct RevokeParams: Decodable, Sendable {
        var id: UUID
    }

    static let tokenSchema: Schema = .object([
        .required("id", .string(format: .uuid), "Token id (not the secret)"),
        .required("user_id", .string(format: .uuid), "Whose token"),
        .required("label", .nullable(.string), "What it is for"),
        .required("created_at", .string(format: .dateTime), "Created"),
        .required("expires_at", .nullable(.string(format: .dateTime)), "Stops working then; null = never"),
        .required("revoked_at", .nullable(.string(format: .dateTime)), "Revoked then; null = live"),
    ])

    static func value(_ t: TokenStore.Info) -> JSONValue {
        [
            "id": .string(t.id.lowercasedString),
            "user_id": .string(t.userID.lowercasedString),
            "label": t.label.map(JSONValue.string) ?? .null,
            "created_at": .string(t.createdAt.iso8601Timestamp),
            "expires_at": t.expiresAt.map { .string($0.iso8601Timestamp) } ?? .null,
            "revoked_at": t.revokedAt.map { .string($0.iso8601Timestamp) } ?? .null,
        ]
    }

    /// Whose tokens the caller may manage: their own, or (owners) anyone's in the agency.
    static func subject(_ requested: UUID?, principal: Principal) throws -> UUID {
        guard let requested, requested != principal.userID else { return principal.userID }
        guard principal.role == .owner else {
            throw RPCError(.forbidden, "Forbidden: only an owner manages other users' tokens", zh: "无权操作：只有所有者可以管理其他用户的令牌", data: ["field": "user_id"])
        }
        return requested
    }

    static var all: [RPCMethod] {
        [
            .define(
                "token.create",
                summary: "A new API token for you (owners: for any user), shown once in the result and stored only as a hash.",
                params: [
                    .optional("label", .string(maxLength: 100, minLength: 1), "What it is for (\"laptop\", \"import script\")"),
                    .optional("expires_in_days", .integer(minimum: 1, maximum: Int64(TokenStore.maximumLifetimeDays)), "Lifetime (default 90 days)"),
                    .optional("user_id", .string(format: .uuid), "Owners only: another user's"),
                ],
                result: .object([
                    .required("token", .string, "The secret: keep it now, it is not shown again"),
                    .required("info", tokenSchema, "What is stored about it"),
                ]),
                errors: [.notFound], mutates: true, roles: Role.everyone, scope: .agency, idempotent: false
            ) { (params: CreateParams, context) -> JSONValue in
                try await context.withAgency { tx in
                    let user = try subject(params.userID, principal: tx.principal)
                    guard try await tx.consultants.users().contains(where: { $0.id == user })
                    else { throw StorageError.notFound(entity: "user") }
                    let (secret, info) = try await tx.tokens.create(
                        for: user, label: params.label, expiresInDays: params.expiresInDays ?? defaultLifetimeDays)
                    return ["token": .string(secret), "info": value(info)] as JSONValue
                }
            },
            .define(
                "token.list",
                summary: "Your tokens (owners: any user's, or everyone's with `user_id` absent), newest first; never the secrets.",
                params: [.optional("user_id", .string(format: .uuid), "Owners only: another user's")],
                result: .object([.required("tokens", .array(tokenSchema), "Newest first")]),
                roles: Role.everyone, scope: .agency
            ) { (params: ListParams, context) -> JSONValue in
                try await context.withAgency { tx in
                    let user: UUID? = tx.principal.role == .owner ? params.userID : try subject(params.userID, principal: tx.principal)
                    let tokens = try await tx.tokens.list(user: user)
                    return ["tokens": .array(tokens.map(value))] as JSONValue
                }
            },
            .define(
                "token.revoke",
                summary: "Revokes a token at once, on every connection using it within seconds (yours; owners: anyone's).",
                params: [.required("id", .string(format: .uuid), "Token id (from token.list)")],
                result: tokenSchema,
                errors: [.notFound], mutates: true, roles: Role.everyone, scope: .agency
            ) { (params: RevokeParams, context) -> JSONValue in
                try await context.withAgency { tx in
                    let user = tx.principal.role == .owner ? nil : tx.principal.userID
                    return value(try await tx.tokens.revoke(params.id, user: user))
                }
            },
        ]
    }
}
