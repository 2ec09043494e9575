/// The rules of a paper's custody: which ledger events can follow which holder. Each refusal
/// is a contradiction in the ledger (returning a diploma the talent center still has, handing
/// over a paper never received), the kind of mistake that loses an original.
///
/// | holder                 | allowed events                                   |
/// |------------------------|--------------------------------------------------|
/// | nil (not received)     | received                                         |
/// | client, returned       | received (again)                                 |
/// | agency, no location    | stored, handed_over, returned                    |
/// | agency, at a location  | moved (elsewhere), handed_over, returned         |
/// | an authority           | collected (by that authority), forwarded (to the other) |
public enum CustodyMachine {
    /// The holder after `event`, or a ValidationError when the event contradicts `holder`
    /// (field "event", rule "custody", naming the current holder in Chinese and English).
    /// Names must not be blank (rule "required"); locations must be valid `LocationCode`s
    /// (field "location") and are stored normalised.
    public static func apply(_ event: CustodyEvent, to holder: Holder?) throws(ValidationError) -> Holder {
        switch event {
        case .received(let from):
            try requireName(from, field: "from")
            switch holder {
            // Re-receiving after a return is normal: the client brings the paper back for a
            // renewal or a resubmission.
            case nil, .client?, .returned?: return .agency(locationCode: nil)
            default: throw refusal(event, holder, Sentence("it can be received only from the client, not while it is elsewhere", zh: "只能从客户处收取，材料在别处时不能收取"))
            }

        case .stored(let location):
            let code = try LocationCode.parse(location, field: "location")
            guard case .agency(let current)? = holder else {
                throw refusal(event, holder, Sentence("only a paper the agency holds can be stored", zh: "只有本机构持有的材料才能入柜"))
            }
            // "stored" is the first placement; a paper already in a drawer is "moved", so the
            // ledger keeps saying where it came from.
            if let current { throw refusal(event, holder, Sentence("it is already stored at \(current); record a move instead", zh: "已存放在 \(current)；请改为记录移动")) }
            return .agency(locationCode: code)

        case .moved(let location):
            let code = try LocationCode.parse(location, field: "location")
            guard case .agency(let current)? = holder else {
                throw refusal(event, holder, Sentence("only a paper the agency holds can be moved", zh: "只有本机构持有的材料才能移动"))
            }
            guard let current else { throw refusal(event, holder, Sentence("it has no storage location yet; record it as stored instead", zh: "还没有存放位置；请改为记录入柜")) }
            if current == code { throw refusal(event, holder, Sentence("it is already at \(code)", zh: "已在 \(code)")) }
            return .agency(locationCode: code)

        case .handedOver(let authority, _):
            guard holder?.isWithAgency == true else {
                throw refusal(event, holder, Sentence("only a paper the agency holds can be handed over to the \(authority.englishName)", zh: "只有本机构持有的材料才能交给\(authority.chineseName)"))
            }
            return Holder(authority)

        case .forwarded(let to):
            guard let from = holder?.authority, from != to else {
                throw refusal(event, holder, Sentence("only the other authority can forward a paper to the \(to.englishName)", zh: "只有另一家机关才能把材料转给\(to.chineseName)"))
            }
            return Holder(to)

        case .collected(let authority):
            guard holder?.authority == authority else {
                throw refusal(
                    event, holder, Sentence("it can be collected only from the authority that holds it, not from the \(authority.englishName)", zh: "只能从持有材料的机关领回，不能从\(authority.chineseName)领回"))
            }
            // Collected papers are in hand until someone puts them away.
            return .agency(locationCode: nil)

        case .returned(let to, let signedBy):
            try requireName(to, field: "to")
            try requireName(signedBy, field: "signed_by")
            guard holder?.isWithAgency == true else {
                throw refusal(event, holder, Sentence("only a paper the agency holds can be returned to the client", zh: "只有本机构持有的材料才能退还客户"))
            }
            return .returned

        case .corrected:
            // Where a correction leaves the paper depends on the ledger before the mistake.
            throw ValidationError(
                field: "event", rule: "custody", message: "a correction is applied to the whole ledger (CustodyMachine.correcting)",
                zh: "更正针对整本台账（CustodyMachine.correcting）")
        }
    }

    /// The holder after correcting the latest move of `ledger` (oldest first): where the paper
    /// was before it. Only the latest move can be reversed (later ones first: a move made
    /// after the mistake built on it), and not a correction itself (record the move again).
    /// Returns the correction event and the holder it leaves.
    public static func correcting(_ ledger: [CustodyEvent], reason: String) throws(ValidationError) -> (event: CustodyEvent, holder: Holder?) {
        if reason.trimmingWhitespace.isEmpty { throw ValidationError(field: "reason", rule: "required", message: "say why the move was a mistake", zh: "请说明这次移动为什么有误") }
        guard let last = ledger.last else {
            throw ValidationError(field: "event", rule: "custody", message: "the paper has no move to correct", zh: "这份材料没有可更正的记录")
        }
        if case .corrected = last {
            throw ValidationError(
                field: "event", rule: "custody", message: "the latest entry is already a correction; record the move again instead",
                zh: "最新一条已经是更正；请重新记录这次移动")
        }
        let before = try current(Array(ledger.dropLast()))
        return (.corrected(reverses: ledger.count, reason: reason), before)
    }

    /// Folds a ledger from "not received", oldest first. A contradiction anywhere throws the
    /// issue of the first bad event, its message prefixed with the event's 1-based position.
    public static func current(_ events: [CustodyEvent]) throws(ValidationError) -> Holder? {
        var holder: Holder? = nil
        // Where the paper was after each entry, for corrections (which undo the latest move).
        var after: [Holder?] = []
        for (index, event) in events.enumerated() {
            do throws(ValidationError) {
                if case .corrected(let reverses, _) = event {
                    guard reverses == index, index >= 1 else {
                        throw ValidationError(field: "event", rule: "custody", message: "a correction reverses the entry just before it", zh: "更正只能撤销紧挨在它之前的一条")
                    }
                    holder = index >= 2 ? after[index - 2] : nil
                } else {
                    holder = try apply(event, to: holder)
                }
                after.append(holder)
            } catch {
                throw ValidationError(
                    error.issues.map {
                        FieldIssue(field: $0.field, rule: $0.rule, message: "event \(index + 1): \($0.message)", zh: "第 \(index + 1) 条记录：\($0.chinese)")
                    })
            }
        }
        return holder
    }

    /// The event kinds that may follow `holder`, for messages and for offering actions.
    public static func allowedEvents(after holder: Holder?) -> [String] {
        switch holder {
        case nil, .client?, .returned?: ["received"]
        case .agency(nil)?: ["stored", "handed_over", "returned"]
        case .agency(_?)?: ["moved", "handed_over", "returned"]
        case .talentCenter?, .cityVerificationCenter?: ["collected", "forwarded"]
        }
    }

    private static func refusal(_ event: CustodyEvent, _ holder: Holder?, _ reason: Sentence) -> ValidationError {
        let allowed = allowedEvents(after: holder)
        return ValidationError(
            field: "event", rule: "custody",
            message: "cannot record \(event.kind): the paper is \(holder.displayName); \(reason.en) "
                + "(allowed now: \(allowed.joined(separator: ", ")))",
            zh: "不能记录 \(event.kind)：材料当前状态为“\(holder?.chineseName ?? "尚未收取")”；\(reason.zh)"
                + "（现在可以记录：\(allowed.joined(separator: "、"))）")
    }

    private static func requireName(_ name: String, field: String) throws(ValidationError) {
        if name.trimmingWhitespace.isEmpty {
            throw ValidationError(field: field, rule: "required", message: "must name the person", zh: "须写明是谁")
        }
    }
}
