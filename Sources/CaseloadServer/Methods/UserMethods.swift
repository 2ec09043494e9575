import CaseloadCore
import CaseloadProtocol
import CaseloadStorage
import Foundation

/// The agency's users, and which client companies each consultant looks after.
enum UserMethods {
    struct AssignParams: Decodable, Sendable {
        var companyID: UUID
        var userID: UUID
        var assigned: Bool?
        enum CodingKeys: String, CodingKey {
            case assigned
            case companyID = "company_id", userID = "user_id"
        }
    }

    struct CreateParams: Decodable, Sendable {
        var name: String
        var role: Role
        var companyID: UUID?
        var tokenExpiresInDays: Int?
        enum CodingKeys: String, CodingKey {
            case name, role
            case companyID = "company_id", tokenExpiresInDays = "token_expires_in_days"
        }
    }

    struct UpdateParams: Decodable, Sendable {
        var id: UUID
        var version: Int
        var name: String?
        var role: Role?
        var companyID: UUID?
        enum CodingKeys: String, CodingKey {
            case id, version, name, role
            case companyID = "company_id"
        }
    }

    static let userSchema: Schema = .object([
        .required("id", .string(format: .uuid), "User id"),
        .required("name", .string, "Name"),
        .required("role", .string(enum: AdminStore.roles), "Role"),
        .required("company_id", .nullable(.string(format: .uuid)), "A client's company; null for every other role"),
        .currentVersion("user.update"),
    ])

    static func value(_ u: ConsultantStore.User) -> JSONValue {
        [
            "id": .string(u.id.lowercasedString), "name": .string(u.name), "role": .string(u.role.rawValue),
            "company_id": u.companyID.map { .string($0.lowercasedString) } ?? .null,
            "version": .int(Int64(u.version)),
        ]
    }

    /// A client needs exactly one company; no other role has one.
    static func checkCompany(role: Role, company: UUID?) throws {
        if role == .client, company == nil {
            throw ValidationError(field: "company_id", rule: "required", message: "a client user needs the company whose cases they follow", zh: "客户用户须指定其关注案件所属的公司")
        }
        if role != .client, company != nil {
            throw ValidationError(field: "company_id", rule: "client_only", message: "only a client user belongs to a company", zh: "只有客户用户属于某个公司")
        }
    }

    static var all: [RPCMethod] {
        [
            .define(
                "user.create",
                summary: "Adds a user to the agency with a first token, shown once in the result and never again. Owner only.",
                params: [
                    .required("name", .string(maxLength: 200, minLength: 1), "Name"),
                    .required("role", .string(enum: AdminStore.roles), "Role"),
                    .optional("company_id", .string(format: .uuid), "For a client: their company (required for clients, refused otherwise)"),
                    .optional("token_expires_in_days", .integer(minimum: 1, maximum: Int64(TokenStore.maximumLifetimeDays)), "The first token's lifetime (default 90 days)"),
                ],
                result: .object([
                    .required("user", userSchema, "The new user"),
                    .required("token", .string, "Their API token: give it to them now, it is not shown again"),
                ]),
                errors: [.validationFailed, .notFound, .conflict], mutates: true, roles: Role.owners, scope: .agency, idempotent: false
            ) { (params: CreateParams, context) -> JSONValue in
                try checkCompany(role: params.role, company: params.companyID)
                return try await context.withAgency { tx in
                    if let company = params.companyID {
                        _ = try await tx.companies.get(company)
                    }
                    let created = try await AdminStore.insertUser(
                        name: params.name, role: params.role, company: params.companyID,
                        tokenExpiresInDays: params.tokenExpiresInDays ?? TokenMethods.defaultLifetimeDays, in: tx.storage)
                    let user = ConsultantStore.User(id: created.userID, name: params.name, role: params.role, companyID: params.companyID)
                    return ["user": value(user), "token": .string(created.token)] as JSONValue
                }
            },
            .define(
                "user.update",
                summary: "Renames a user or changes their role (and a client's company). Takes effect on their open connections within seconds. Owner only.",
                params: [
                    .required("id", .string(format: .uuid), "User id"),
                    .expectedVersion(),
                    .optional("name", .string(maxLength: 200, minLength: 1), "New name"),
                    .optional("role", .string(enum: AdminStore.roles), "New role"),
                    .optional("company_id", .nullable(.string(format: .uuid)), "A client's company"),
                ],
                result: userSchema,
                errors: [.validationFailed, .notFound], mutates: true, roles: Role.owners, scope: .agency
            ) { (params: UpdateParams, context) -> JSONValue in
                try await context.withAgency { tx in
                    guard let current = try await tx.consultants.users()
                        .first(where: { $0.id == params.id })
                    else { throw StorageError.notFound(entity: "user") }
                    let role = params.role ?? current.role
                    let company = role == .client ? (params.companyID ?? current.companyID) : params.companyID
                    try checkCompany(role: role, company: company)
                    if let company, company != current.companyID {
                        // Another agency's company, or none at all, is not_found, as in user.create.
                        _ = try await tx.companies.get(company)
                    }
                    if params.id == tx.principal.userID, role != .owner {
                        throw ValidationError(field: "role", rule: "keep_owner", message: "you cannot take the owner role from yourself", zh: "不能取消自己的所有者角色")
                    }
                    let updated = ConsultantStore.User(
                        id: params.id, name: params.name ?? current.name, role: role, companyID: company, version: params.version)
                    return value(try await tx.consultants.update(updated))
                }
            },
            .define(
                "user.list", summary: "The agency's users.", result: .object([.required("users", .array(userSchema), "By name")]), scope: .agency) {
                (_: NoParams, context) -> JSONValue in
                let users = try await context.withAgency { tx in
                    try await tx.consultants.users()
                }
                return ["users": .array(users.map(value))]
            },
            .define(
                "company.assign",
                summary: "Assigns a consultant to a client company (or unassigns with `assigned: false`); the \"by consultant\" filters follow it. Owner or manager only.",
                params: [
                    .required("company_id", .string(format: .uuid), "Company"),
                    .required("user_id", .string(format: .uuid), "The consultant"),
                    .optional("assigned", .boolean, "false to unassign (default true)"),
                ],
                result: .object([.required("consultants", .array(userSchema), "Everyone now assigned to the company")]),
                errors: [.notFound, .forbidden], mutates: true, roles: Role.managers
            ) { (params: AssignParams, context) -> JSONValue in
                let users = try await context.withAgency { tx in
                    _ = try await tx.companies.get(params.companyID)
                    guard try await tx.consultants.users()
                        .contains(where: { $0.id == params.userID })
                    else { throw StorageError.notFound(entity: "user") }
                    try await tx.consultants.assign(company: params.companyID, user: params.userID, assigned: params.assigned ?? true)
                    return try await tx.consultants.consultants(company: params.companyID)
                }
                return ["consultants": .array(users.map(value))]
            },
        ]
    }
}
