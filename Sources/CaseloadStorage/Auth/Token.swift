import CaseloadCore
import Crypto
import Foundation

/// An API token: 256 random bits, shown to its owner once and stored only as a SHA-256 hash.
public struct Token: Sendable {
    /// The secret, `cl_` followed by 43 base64url characters. Never log it.
    public let secret: String

    /// A new token from the system's cryptographically secure generator.
    public static func generate() -> Token {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Token(secret: "cl_" + Base64URL.encode(Data(bytes)))
    }

    public init(secret: String) {
        self.secret = secret
    }

    /// What the database keeps.
    public var hash: [UInt8] { Self.hash(secret) }

    public static func hash(_ secret: String) -> [UInt8] {
        Array(SHA256.hash(data: Data(secret.utf8)))
    }
}

/// Who a token belongs to.
public struct Principal: Sendable, Hashable {
    public var agencyID: UUID
    public var userID: UUID
    public var role: Role
    public var userName: String
    public var agencyName: String
    /// A client's company: the only one whose cases they may see. Nil for every other role.
    public var companyID: UUID?

    public init(agencyID: UUID, userID: UUID, role: Role, userName: String, agencyName: String, companyID: UUID? = nil) {
        self.agencyID = agencyID
        self.userID = userID
        self.role = role
        self.userName = userName
        self.agencyName = agencyName
        self.companyID = companyID
    }
}
