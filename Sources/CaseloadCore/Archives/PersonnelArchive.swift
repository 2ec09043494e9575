/// What the agency knows about one applicant's personnel archive (人事档案): who keeps it and
/// how far its retrieval has got. The company must know where it is before the talent center
/// can verify it.
public struct PersonnelArchive: Sendable, Hashable, Codable {
    public var holderType: ArchiveHolderType
    /// The keeping office's own name, e.g. 徐汇区人才服务中心; free text.
    public var holderName: String?
    public var status: ArchiveStatus

    public init(holderType: ArchiveHolderType = .unknown, holderName: String? = nil, status: ArchiveStatus = .unknown) {
        self.holderType = holderType
        self.holderName = holderName
        self.status = status
    }

    /// Cross-field rule: a located archive, or one whose retrieval was asked for, has a known
    /// holder type (nobody can ask an unknown office for it). At the talent center the status
    /// itself says where it is, and the holder fields keep where it came from.
    public func validate() throws(ValidationError) {
        if (status == .located || status == .retrievalRequested) && holderType == .unknown {
            throw ValidationError(
                field: "holder_type", rule: "required",
                message: "an archive that is \(status.chineseName) (\(status.rawValue)) needs its holder type",
                zh: "\(status.chineseName)（\(status.rawValue)）的档案须填写存档机构类型")
        }
    }

    /// This archive with `status`, if the move is allowed and the result is consistent.
    public func moving(to status: ArchiveStatus) throws(ValidationError) -> PersonnelArchive {
        try ArchiveStatus.validateTransition(from: self.status, to: status)
        var next = self
        next.status = status
        try next.validate()
        return next
    }

    enum CodingKeys: String, CodingKey {
        case holderType = "holder_type"
        case holderName = "holder_name"
        case status
    }
}
