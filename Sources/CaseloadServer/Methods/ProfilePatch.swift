import CaseloadCore
import CaseloadProtocol
import Foundation

/// The applicant profile fields an applicant's params name, read from the params' top level
/// beside the method's other params: absent keeps, null clears. The keys are the profile's own
/// (`ApplicantProfile.fieldNames`), so a new profile field is a param with no code here; the
/// values are checked as the profile decodes them (`applied(over:)`).
struct ProfilePatch: Decodable, Sendable {
    private(set) var fields: [String: Patch<JSONValue>] = [:]

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        for name in ApplicantProfile.fieldNames {
            let patch = try container.decode(Patch<JSONValue>.self, forKey: Key(stringValue: name))
            if patch.isPresent { fields[name] = patch }
        }
    }

    /// `base` with the named fields changed, validated (its cross-field rules included).
    func applied(over base: ApplicantProfile = ApplicantProfile()) throws -> ApplicantProfile {
        var object = try WireJSON.value(of: base).objectValue ?? [:]
        for (name, patch) in fields { object[name] = patch.applied(to: object[name]) }
        let profile = try WireJSON.convert(.object(object), to: ApplicantProfile.self)
        try profile.validate()
        return profile
    }
}
