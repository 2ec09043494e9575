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

    static let userSchema: Schema = .object([
        .required("id", .string(format: .uuid), "User id"),
        .required("name", .string, "Name"),
        .required("role", .string(enum: AdminStore.roles), "Role"),
    ])

    static func value(_ u: ConsultantStore.User) -> JSONValue {
        ["id": .string(u.id.uuidString.lowercased()), "name": .string(u.name), "role": .string(u.role)]
    }

    static var all: [RPCMethod] {
        [
            .define("user.list", summary: "The agency's users.", result: .object([.required("users", .array(userSchema), "By name")])) {
                (_: NoParams, context) -> JSONValue in
                let users = try await context.withAgency { principal, connection in
                    try await ConsultantStore.users(agency: principal.agencyID, on: connection, logger: context.logger)
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
                errors: [.notFound, .forbidden], mutates: true
            ) { (params: AssignParams, context) -> JSONValue in
                let principal = try context.principal()
                guard ["owner", "manager"].contains(principal.role) else { throw RPCError(.forbidden, "Forbidden: assigning consultants is for owners and managers") }
                let users = try await context.withAgency { principal, connection in
                    _ = try await CompanyStore.get(params.companyID, agency: principal.agencyID, on: connection, logger: context.logger)
                    guard try await ConsultantStore.users(agency: principal.agencyID, on: connection, logger: context.logger)
                        .contains(where: { $0.id == params.userID })
                    else { throw StorageError.notFound(entity: "user") }
                    try await ConsultantStore.assign(
                        company: params.companyID, user: params.userID, assigned: params.assigned ?? true, agency: principal.agencyID,
                        on: connection, logger: context.logger)
                    return try await ConsultantStore.consultants(company: params.companyID, agency: principal.agencyID, on: connection, logger: context.logger)
                }
                return ["consultants": .array(users.map(value))]
            },
        ]
    }
}
