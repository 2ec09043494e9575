import CaseloadCore
import Foundation
import PostgresNIO

extension ApplicantStore {
    /// An applicant's row as stored: the ID number and phone sealed under the active key, the
    /// keyed hash that finds the number, the masked forms lists show. `create`, `createMany`
    /// and `copyNew` all write these, so a row is the same whichever way it went in.
    struct SealedRow {
        var idSealed: [UInt8]
        var idKey: String
        var idLookup: [UInt8]
        var phoneSealed: [UInt8]?
        var phoneKey: String?
        var profile: String

        init(_ identity: ApplicantIdentity, profile: ApplicantProfile, cipher: PIICipher) throws {
            let id = try cipher.seal(identity.idNumber.value)
            let phone = try identity.phone.map { try cipher.seal($0.value) }
            (idSealed, idKey) = (id.sealed, id.keyID)
            idLookup = cipher.lookup(identity.idNumber.value)
            (phoneSealed, phoneKey) = (phone?.sealed, phone?.keyID)
            self.profile = try ApplicantStore.json(profile)
        }
    }

    /// Adds applicants whose ids the caller chose, and their employments, with `COPY`: for
    /// loading many at once (demo and benchmark data), not for people's input — nothing is
    /// returned and a duplicate ID number fails the whole statement.
    public func copyNew(_ applicants: [(id: UUID, applicant: NewApplicant)], cipher: PIICipher) async throws {
        guard !applicants.isEmpty else { return }
        let agency = self.agency
        var rows: [SealedRow] = []
        rows.reserveCapacity(applicants.count)
        for (_, a) in applicants { rows.append(try SealedRow(a.identity, profile: a.profile, cipher: cipher)) }
        try await connection.copy(
            into: "applicants",
            columns: ["agency_id", "applicant_id", "company_id", "name", "id_number_sealed", "id_number_key", "id_number_lookup", "id_number_masked",
                      "birth_date", "gender", "phone_sealed", "phone_key", "phone_masked", "profile", "name_pinyin", "name_initials"],
            rows: zip(applicants, rows), logger: logger
        ) { item, text in
            let ((id, a), sealed) = item
            text.field(agency); text.field(id); text.field(a.companyID); text.field(a.identity.name)
            text.field(bytes: sealed.idSealed); text.field(sealed.idKey); text.field(bytes: sealed.idLookup); text.field(a.identity.idNumber.masked)
            text.field(a.identity.idNumber.birthDate.iso); text.field(a.identity.idNumber.isMale ? "male" : "female")
            text.field(bytes: sealed.phoneSealed); text.field(sealed.phoneKey); text.field(a.identity.phone?.masked); text.field(sealed.profile)
            text.field(Pinyin.full(a.identity.name)); text.field(Pinyin.initials(a.identity.name))
        }
        try await connection.copy(into: "applicant_employments", columns: ["agency_id", "applicant_id", "company_id"], rows: applicants, logger: logger) {
            item, text in
            text.field(agency); text.field(item.id); text.field(item.applicant.companyID)
        }
    }
}
