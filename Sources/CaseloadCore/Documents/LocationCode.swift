/// A storage location's short code, printed on labels and typed by staff: 1–16 characters of
/// A–Z, 0–9 and '-', e.g. `HQ-CAB2-D3`. Lowercase input is accepted and uppercased, so a label
/// and a typed code always compare equal.
public struct LocationCode: Sendable, Hashable, Codable, CustomStringConvertible {
    public static let maxLength = 16

    /// The normalised code.
    public let value: String

    /// A validated code; see `parse`.
    public init(_ raw: String, field: String = "code") throws(ValidationError) {
        value = try LocationCode.parse(raw, field: field)
    }

    /// The normalised (trimmed, uppercased) code, or a ValidationError naming `field`:
    /// rule "required" (empty), "length" (over 16), "format" (another character).
    public static func parse(_ raw: String, field: String = "code") throws(ValidationError) -> String {
        let text = raw.trimmingWhitespace
        guard !text.isEmpty else { throw ValidationError(field: field, rule: "required", message: "a location code is required", zh: "须填写位置代码") }
        guard text.count <= maxLength else {
            throw ValidationError(field: field, rule: "length", message: "must be at most \(maxLength) characters, got \(text.count)",
                zh: "最多 \(maxLength) 个字符，这里有 \(text.count) 个")
        }
        // ASCII only, checked before uppercasing: `uppercased()` would turn "ß" into "SS".
        var code = ""
        for char in text {
            let upper = char.asciiUppercased
            guard let ascii = upper.asciiValue,
                (ascii >= UInt8(ascii: "A") && ascii <= UInt8(ascii: "Z")) || upper.asciiDigitValue != nil || upper == "-"
            else {
                throw ValidationError(field: field, rule: "format", message: "may hold only A–Z, 0–9 and '-', found \"\(char)\"",
                    zh: "只能含 A–Z、0–9 和 '-'，这里有“\(char)”")
            }
            code.append(upper)
        }
        return code
    }

    public var description: String { value }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        value = try LocationCode.parse(raw)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(value)
    }
}

/// What a storage location is. Locations nest from the office down: an office holds
/// cabinets, drawers or boxes; a cabinet holds drawers or boxes; a drawer holds boxes.
public enum LocationKind: String, CaseIterable, Sendable, Hashable, Codable {
    case office, cabinet, drawer, box

    public var chineseName: String {
        switch self {
        case .office: "办公室"
        case .cabinet: "文件柜"
        case .drawer: "抽屉"
        case .box: "档案盒"
        }
    }

    /// 0 for office … 3 for box: the order of `allCases`.
    var depth: Int { LocationKind.allCases.firstIndex(of: self)! }

    /// Whether a location of kind `parent` may contain one of kind `child`: any level further
    /// down (a box may sit straight in an office), never the same level or one above.
    public static func canContain(_ parent: LocationKind, _ child: LocationKind) -> Bool {
        parent.depth < child.depth
    }

    public func canContain(_ child: LocationKind) -> Bool { LocationKind.canContain(self, child) }

    public static func parse(_ raw: String, field: String = "kind") throws(ValidationError) -> LocationKind {
        try parseEnum(raw, as: LocationKind.self, field: field)
    }
}
