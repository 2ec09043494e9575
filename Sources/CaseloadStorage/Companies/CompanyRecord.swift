import Foundation

/// A client company as stored. Identifier fields are normalised; `hrPhone` is personal data
/// and leaves the server masked unless revealed.
public struct CompanyRecord: Sendable, Hashable {
    public var id: UUID
    public var name: String
    public var creditCode: String?
    public var creditCodeOverride: String?
    public var orgCode: String?
    public var orgCodeOverride: String?
    public var district: String?
    public var hrName: String?
    /// The HR contact's mobile, masked (138****0001); the number itself is stored sealed.
    public var hrPhoneMasked: String?
    public var talentCenterStatus: String
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date
}

/// A position in a keyset-paginated list ordered by name: the last (name, id) seen.
public struct NameCursor: Sendable, Hashable, Codable {
    public var name: String
    public var id: UUID

    public init(name: String, id: UUID) {
        self.name = name
        self.id = id
    }
}

/// Which companies `CompanyStore.list` returns.
public struct CompanyFilter: Sendable, Hashable {
    public var district: String?
    public var talentCenterStatus: String?
    /// Case-insensitive substring of the name.
    public var nameContains: String?
    /// Only companies assigned to this user.
    public var consultantID: UUID?

    public init(district: String? = nil, talentCenterStatus: String? = nil, nameContains: String? = nil, consultantID: UUID? = nil) {
        self.district = district
        self.talentCenterStatus = talentCenterStatus
        self.nameContains = nameContains
        self.consultantID = consultantID
    }
}
