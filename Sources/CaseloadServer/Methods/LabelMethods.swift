import CaseloadCore
import CaseloadProtocol

/// `system.labels`: the names clients show for protocol values, from `LabelCatalogue`, so no
/// client keeps a copy of them. Static: built once, no login, no database.
enum LabelMethods {
    static let labelSchema: Schema = .object([
        .required("value", .string, "The value on the wire"),
        .required("zh", .string, "Its Chinese name"),
        .required("en", .nullable(.string), "Its English name, where the domain has one"),
    ])

    static func value(_ label: Label) -> JSONValue {
        ["value": .string(label.value), "zh": .string(label.chineseName), "en": label.englishName.map(JSONValue.string) ?? .null]
    }

    /// The whole catalogue as the method returns it, made once.
    static let catalogue: JSONValue = [
        "groups": .array(LabelCatalogue.groups.map { ["name": .string($0.name), "labels": .array($0.labels.map(value))] }),
        "stages": .array(LabelCatalogue.stages.map { ["kind": .string($0.kind), "labels": .array($0.labels.map(value))] }),
    ]

    static var all: [RPCMethod] {
        [
            .define(
                "system.labels",
                summary: "The names of protocol values in Chinese and English, by group (case_kind, case_status, education, document_type, deadline_state, …) and each case kind's stages: what clients show. No login needed.",
                result: .object([
                    .required(
                        "groups",
                        .array(.object([.required("name", .string, "The group: which field's values"), .required("labels", .array(labelSchema), "In definition order")])),
                        "Value names by group"),
                    .required(
                        "stages",
                        .array(.object([.required("kind", .string, "A case kind"), .required("labels", .array(labelSchema), "Its stages in order")])),
                        "Stage names per case kind"),
                ]),
                access: .anyone
            ) { (_: NoParams, _) -> JSONValue in catalogue },
        ]
    }
}
