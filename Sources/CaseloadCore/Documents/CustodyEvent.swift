/// One line of a paper's custody ledger (保管记录): a movement between the client, the
/// agency's storage, and the authorities. The ledger is append-only; `CustodyMachine` folds it.
///
/// Codable as a flat object with an `event` key, e.g.
/// `{"event": "handed_over", "authority": "talent_center", "receipt_number": "R-1"}`.
public enum CustodyEvent: Sendable, Hashable, Codable {
    /// "received": taken in from the client; `from` is the person who handed it over.
    case received(from: String)
    /// "stored": put away at a storage location (first placement after being taken in).
    case stored(location: String)
    /// "moved": from one storage location to another.
    case moved(location: String)
    /// "handed_over": given to an authority, e.g. at delivery against a receipt (收件凭证).
    case handedOver(authority: Authority, receiptNumber: String?)
    /// "forwarded": passed on by one authority to the other, e.g. diplomas sent by the
    /// acceptance point to the city center for checking and back. Recorded from what the
    /// authority says; the agency does not carry it.
    case forwarded(to: Authority)
    /// "collected": taken back from the authority by the agency, e.g. diplomas at notice printing.
    case collected(authority: Authority)
    /// "returned": given back to the client; `to` received it and `signedBy` signed for it.
    case returned(to: String, signedBy: String)
    /// "corrected": the ledger's event number `reverses` (1-based, the latest move) was
    /// recorded by mistake; the paper is where it was before it. The ledger stays
    /// append-only: the mistake and its correction both remain, with the reason.
    case corrected(reverses: Int, reason: String)

    /// The stable event name, the `event` key of the JSON form.
    public var kind: String {
        switch self {
        case .received: "received"
        case .stored: "stored"
        case .moved: "moved"
        case .handedOver: "handed_over"
        case .forwarded: "forwarded"
        case .collected: "collected"
        case .returned: "returned"
        case .corrected: "corrected"
        }
    }

    // MARK: Codable

    private enum CodingKeys: String, CodingKey {
        case event, from, location, authority, to, reverses, reason
        case receiptNumber = "receipt_number"
        case signedBy = "signed_by"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try c.decode(String.self, forKey: .event)
        switch kind {
        case "received": self = .received(from: try c.decode(String.self, forKey: .from))
        case "stored": self = .stored(location: try c.decode(String.self, forKey: .location))
        case "moved": self = .moved(location: try c.decode(String.self, forKey: .location))
        case "handed_over":
            self = .handedOver(
                authority: try c.decode(Authority.self, forKey: .authority),
                receiptNumber: try c.decodeIfPresent(String.self, forKey: .receiptNumber))
        case "forwarded": self = .forwarded(to: try c.decode(Authority.self, forKey: .to))
        case "collected": self = .collected(authority: try c.decode(Authority.self, forKey: .authority))
        case "returned":
            self = .returned(to: try c.decode(String.self, forKey: .to), signedBy: try c.decode(String.self, forKey: .signedBy))
        case "corrected":
            self = .corrected(reverses: try c.decode(Int.self, forKey: .reverses), reason: try c.decode(String.self, forKey: .reason))
        default:
            throw DecodingError.dataCorruptedError(forKey: .event, in: c, debugDescription: "unknown custody event \"\(kind)\"")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .event)
        switch self {
        case .received(let from): try c.encode(from, forKey: .from)
        case .stored(let location), .moved(let location): try c.encode(location, forKey: .location)
        case .handedOver(let authority, let receipt):
            try c.encode(authority, forKey: .authority)
            try c.encode(receipt, forKey: .receiptNumber)
        case .forwarded(let to): try c.encode(to, forKey: .to)
        case .collected(let authority): try c.encode(authority, forKey: .authority)
        case .returned(let to, let signedBy):
            try c.encode(to, forKey: .to)
            try c.encode(signedBy, forKey: .signedBy)
        case .corrected(let reverses, let reason):
            try c.encode(reverses, forKey: .reverses)
            try c.encode(reason, forKey: .reason)
        }
    }
}
