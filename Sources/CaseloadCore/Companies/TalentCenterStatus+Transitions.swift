extension TalentCenterStatus {
    /// Whether a company may move from this status to `next`: unregistered → registered_online
    /// → activated; activated → change_pending (information change) → activated. Staying put is
    /// a no-op and allowed. Nothing goes back to unregistered: registration is not undone, only
    /// re-reviewed.
    public func canMove(to next: TalentCenterStatus) -> Bool {
        switch (self, next) {
        case _ where self == next: true
        case (.unregistered, .registeredOnline), (.registeredOnline, .activated),
            (.activated, .changePending), (.changePending, .activated):
            true
        default: false
        }
    }

    /// Throws a ValidationError (field "talent_center_status", rule "transition") naming both
    /// statuses when `canMove(to:)` is false.
    public static func validateTransition(from: TalentCenterStatus, to: TalentCenterStatus) throws(ValidationError) {
        guard !from.canMove(to: to) else { return }
        let allowed = allCases.filter { $0 != from && from.canMove(to: $0) }
        throw ValidationError(
            field: "talent_center_status", rule: "transition",
            message: "a company cannot go from \(from.chineseName) (\(from.rawValue)) to \(to.chineseName) (\(to.rawValue)); "
                + "from \(from.rawValue) it can go to \(allowed.map(\.rawValue).joined(separator: ", "))", zh: "公司不能从\(from.chineseName)（\(from.rawValue)）变为\(to.chineseName)（\(to.rawValue)）；从 \(from.rawValue) 只能变为 \(allowed.map(\.rawValue).joined(separator: "、"))")
    }
}
