import Foundation
import CaseloadCore
import Testing

/// The events that end dates, as rule data: walked along every path of every case kind.
@Suite("Dates discharged by their events")
struct DischargeTests {
    /// Every path through `kind`'s stage table from its initial stage to a terminal stage.
    static func paths(of kind: CaseKind) -> [[String]] {
        var out: [[String]] = []
        func walk(_ path: [String]) {
            guard let last = path.last else { return }
            let next = kind.transitions(from: last).map(\.to).filter { !path.contains($0) }
            if next.isEmpty || kind.stage(last)?.isTerminal == true {
                out.append(path)
                return
            }
            for stage in next { walk(path + [stage]) }
        }
        walk([kind.initialStage])
        return out
    }

    @Test("along every path of every kind, no date waiting for a stage is left pending once the case has passed that stage")
    func noOpenDateLeftBehind() {
        var checked = 0
        for kind in CaseKinds.all {
            let rules = DeadlineRules.defaults.filter { $0.applies(toCaseKind: kind.id) }
            for path in Self.paths(of: kind) {
                for (index, stage) in path.enumerated() {
                    let passed = Set(path.prefix(index + 1))
                    let status: CaseStatus = kind.stage(stage)?.isTerminal == true ? .closed : .active
                    let facts = DischargeFacts(kind: kind, stage: stage, status: status)
                    for rule in rules {
                        for case .stageReached(let target) in rule.dischargedBy where passed.contains(target) {
                            checked += 1
                            #expect(
                                rule.settlement(for: facts)?.state == .satisfied,
                                "\(kind.id) \(path.joined(separator: "→")): \(rule.id) waits for \(target), passed at \(stage), yet is still pending")
                        }
                        if status == .closed {
                            #expect(rule.settlement(for: facts) != nil, "\(kind.id): \(rule.id) still pending on a closed case")
                        }
                    }
                }
            }
        }
        #expect(checked > 20)
    }

    @Test("before its stage a date stays pending; a withdrawn case cancels what its events had not satisfied")
    func pendingUntilItsEvent() throws {
        let kind = CaseKinds.pointsNew
        let opens = try #require(DeadlineRules.rule(id: "account_opens"))
        #expect(opens.settlement(for: DischargeFacts(kind: kind, stage: "employer_ready", status: .active)) == nil)
        #expect(opens.settlement(for: DischargeFacts(kind: kind, stage: "account", status: .active))?.state == .satisfied)
        // Reached counts through later stages too (a case opened, or moved, past it).
        #expect(opens.settlement(for: DischargeFacts(kind: kind, stage: "verification", status: .onHold))?.state == .satisfied)
        let withdrawn = opens.settlement(for: DischargeFacts(kind: kind, stage: "employer_ready", status: .withdrawn))
        #expect(withdrawn == .cancelled(reason: "the case was withdrawn (已撤回)"))
        // Satisfied wins over cancelled when the step had happened before the case ended.
        #expect(opens.settlement(for: DischargeFacts(kind: kind, stage: "account", status: .withdrawn))?.state == .satisfied)
    }

    @Test("originals collected and an approved renewal discharge their dates; nothing else does")
    func otherEvents() throws {
        let collect = try #require(DeadlineRules.rule(id: "originals_collect"))
        let approved = DischargeFacts(kind: CaseKinds.pointsNew, stage: "approved", status: .active)
        #expect(collect.settlement(for: approved) == nil)
        var back = approved
        back.originalsCollected = true
        #expect(collect.settlement(for: back)?.state == .satisfied)
        for id in ["renewal_reminder_30", "renewal_reminder_7", "points_expire", "lapse_60", "lapse_90"] {
            let rule = try #require(DeadlineRules.rule(id: id))
            #expect(rule.settlement(for: DischargeFacts()) == nil, "\(id)")
            #expect(rule.settlement(for: DischargeFacts(renewalApproved: true))?.state == .satisfied, "\(id)")
        }
        #expect(Discharge.renewalApprovedStages == ["approved", "notice_printed", "closed"])
    }

    @Test("every window and expectation has an event that ends it (else it would stay open for good)")
    func everyWindowEnds() {
        for rule in DeadlineRules.defaults where rule.kind != .due {
            #expect(!rule.dischargedBy.isEmpty, "\(rule.id)")
        }
    }

    @Test("discharge events are codable as flat objects and refused when unknown")
    func codable() throws {
        let events: [Discharge] = [.stageReached("account"), .originalsCollected, .renewalApproved]
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(events), as: UTF8.self)
        #expect(json == #"[{"event":"stage_reached","stage":"account"},{"event":"originals_collected"},{"event":"renewal_approved"}]"#)
        #expect(try JSONDecoder().decode([Discharge].self, from: Data(json.utf8)) == events)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Discharge.self, from: Data(#"{"event":"moon_phase"}"#.utf8)) }
        // A rule naming a stage its kinds do not have is refused.
        var rule = DeadlineRules.defaults[0]
        rule.dischargedBy = [.stageReached("nowhere")]
        #expect(throws: ValidationError.self) { try DeadlineRules.validate([rule]) }
    }
}
