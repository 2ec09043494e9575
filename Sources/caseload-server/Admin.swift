import ArgumentParser
import CaseloadCore
import CaseloadServer
import CaseloadStorage
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

struct Admin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Operator commands, run with the admin database URL. Each prints one JSON line.",
        subcommands: [CreateAgency.self, CreateUser.self, GenerateKeys.self, RotateKey.self, SeedDemo.self])

    struct CreateAgency: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an agency and its owner; prints the owner's token once.")
        @OptionGroup var database: AdminDatabaseOptions
        @Option(help: "The agency's name.") var name: String
        @Option(help: "The owner's name.") var owner = "owner"

        func run() async throws {
            let logger = makeLogger(.warning)
            let created = try await withAdminConnection(url: try database.url(), logger: logger) { connection in
                try await AdminStore.createAgency(name: name, ownerName: owner, on: connection, logger: logger)
            }
            printJSON(created)
        }
    }

    struct GenerateKeys: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print new keys for personal data at rest as environment lines (keep them secret and backed up: without them, ID numbers and phones cannot be read).")
        @Option(help: "The new key's id (keep ids unique across rotations).") var keyID = "k1"

        func run() {
            let keys = PIICipher.generateKeys(keyID: keyID)
            print("CASELOAD_PII_KEY=\(keys.piiKey)")
            print("CASELOAD_PII_LOOKUP_KEY=\(keys.lookupKey)")
        }
    }

    struct CreateUser: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user in an agency; prints the user's token once.")
        @OptionGroup var database: AdminDatabaseOptions
        @Option(help: "The agency id.") var agency: String
        @Option(help: "The user's name.") var name: String
        @Option(help: "owner, manager, consultant, viewer or client.") var role: Role
        @Option(help: "For a client: the id of their company.") var company: String?
        @Option(help: "The token's lifetime in days (default: no expiry).") var tokenDays: Int?

        func validate() throws {
            guard UUID(uuidString: agency) != nil else { throw ValidationError("--agency must be an agency id (a UUID)") }
            guard (role == .client) == (company != nil) else { throw ValidationError("--company is required for a client, and only for a client") }
            if let company, UUID(uuidString: company) == nil { throw ValidationError("--company must be a company id (a UUID)") }
            if let tokenDays, !(1...3650).contains(tokenDays) { throw ValidationError("--token-days must be 1 to 3650") }
        }

        func run() async throws {
            let logger = makeLogger(.warning)
            let agencyID = UUID(uuidString: agency)!
            let created = try await withAdminConnection(url: try database.url(), logger: logger) { connection in
                try await AdminStore.createUser(
                    agency: agencyID, name: name, role: role, company: company.flatMap(UUID.init(uuidString:)), tokenExpiresInDays: tokenDays,
                    on: connection, logger: logger)
            }
            printJSON(created)
        }
    }
}

func printJSON<T: Encodable>(_ value: T) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self))
}

extension Role: ExpressibleByArgument {}
