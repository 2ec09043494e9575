extension ArchiveStatus {
    /// Whether the archive status may move from this one to `next`:
    ///
    /// unknown → located → retrieval_requested → at_talent_center → verified, with two
    /// shortcuts for an archive found already at the talent center (it needs no retrieval):
    /// unknown → at_talent_center and located → at_talent_center. Staying put is a no-op and
    /// allowed. Nothing goes backwards and verified is final: a wrong entry is corrected by
    /// an agency-side edit with a reason, not by a status move that would hide the history.
    public func canMove(to next: ArchiveStatus) -> Bool {
        switch (self, next) {
        case _ where self == next: true
        case (.unknown, .located), (.unknown, .atTalentCenter),
            (.located, .retrievalRequested), (.located, .atTalentCenter),
            (.retrievalRequested, .atTalentCenter),
            (.atTalentCenter, .verified):
            true
        default: false
        }
    }

    /// The statuses this one may move to, other than itself, in `allCases` order.
    public var allowedNext: [ArchiveStatus] {
        ArchiveStatus.allCases.filter { $0 != self && canMove(to: $0) }
    }

    /// Throws a ValidationError (field "status", rule "transition") naming both statuses and
    /// the allowed next ones when `canMove(to:)` is false.
    public static func validateTransition(from: ArchiveStatus, to: ArchiveStatus) throws(ValidationError) {
        guard !from.canMove(to: to) else { return }
        throw ValidationError(
            field: "status", rule: "transition",
            .statusMove(
                Sentence("an archive", zh: "人事档案"), from: (from.chineseName, from.rawValue), to: (to.chineseName, to.rawValue),
                allowed: from.allowedNext.map { ($0.chineseName, $0.rawValue) }))
    }
}
