import CaseloadCore
import Foundation  // JSONEncoder/JSONDecoder only.
import Testing

@Suite struct CaseKindTableTests {
    @Test(arguments: CaseKinds.all)
    func builtInKindHasNoProblems(kind: CaseKind) {
        #expect(kind.problems() == [], "\(kind.id)")
    }

    @Test func builtInIdsAndLookup() {
        #expect(CaseKinds.all.map(\.id) == ["points_new", "points_renewal", "hukou_transfer", "talent_introduction"])
        #expect(CaseKinds.kind("points_renewal")?.chineseName == "积分续办")
        #expect(CaseKinds.kind("nope") == nil)
        #expect(CaseKinds.pointsNew.stages.map(\.id) == [
            "residence_permit", "employer_ready", "account", "information_entered", "submitted_online",
            "materials_delivered", "verification", "accepted", "approved", "notice_printed", "closed",
        ])
        for kind in CaseKinds.all where kind.id != "points_new" && kind.id != "points_renewal" {
            #expect((5...8).contains(kind.stages.count), "\(kind.id)")
        }
    }

    @Test func noticeOnlyAfterApproval() {
        let kind = CaseKinds.pointsNew
        #expect(kind.transitions.filter { $0.to == "notice_printed" }.map(\.from) == ["approved"])
    }

    @Test func tablesRoundTripThroughJSON() throws {
        let data = try JSONEncoder().encode(CaseKinds.all)
        #expect(try JSONDecoder().decode([CaseKind].self, from: data) == CaseKinds.all)
        let rule = try JSONEncoder().encode(Rule.workingDaysAfter(stage: "s", field: "f", days: 3))
        let object = try JSONSerialization.jsonObject(with: rule) as? [String: Any]
        #expect(object?["rule"] as? String == "working_days_after")
        #expect(object?["days"] as? Int == 3)
    }

    // MARK: Malformed tables

    /// A small valid table: a → b → done.
    func tiny() -> CaseKind {
        CaseKind(
            id: "tiny", chineseName: "小", englishName: "Tiny",
            stages: [
                Stage(id: "a", chineseName: "甲", englishName: "A", fields: [StageField(name: "when", type: .date, required: true, label: "when")]),
                Stage(id: "b", chineseName: "乙", englishName: "B"),
                Stage(id: "done", chineseName: "完", englishName: "Done", isTerminal: true),
            ],
            initialStage: "a",
            transitions: [Transition(from: "a", to: "b"), Transition(from: "b", to: "done")])
    }

    func expectProblem(_ kind: CaseKind, containing text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let problems = kind.problems()
        #expect(problems.contains { $0.contains(text) }, "expected a problem containing \"\(text)\" in \(problems)",
                sourceLocation: sourceLocation)
    }

    @Test func tinyIsValid() {
        #expect(tiny().problems() == [])
    }

    @Test func unreachableStage() {
        var kind = tiny()
        kind.stages.append(Stage(id: "island", chineseName: "岛", englishName: "Island"))
        kind.transitions.append(Transition(from: "island", to: "done"))
        expectProblem(kind, containing: "stage island cannot be reached from the initial stage a")
    }

    @Test func missingName() {
        var kind = tiny()
        kind.stages[1].chineseName = ""
        expectProblem(kind, containing: "stage b has no Chinese name")
        kind.englishName = " "
        expectProblem(kind, containing: "has no English name")
    }

    @Test func danglingTransition() {
        var kind = tiny()
        kind.transitions.append(Transition(from: "b", to: "nowhere"))
        expectProblem(kind, containing: "transition b → nowhere ends at unknown stage nowhere")
    }

    @Test func duplicateStageId() {
        var kind = tiny()
        kind.stages.append(Stage(id: "b", chineseName: "乙", englishName: "B again"))
        expectProblem(kind, containing: "stage id b is used more than once")
    }

    @Test func noTerminalStage() {
        var kind = tiny()
        kind.stages[2].isTerminal = false
        expectProblem(kind, containing: "has no terminal stage")
    }

    @Test func stageThatCannotClose() {
        var kind = tiny()
        kind.stages.append(Stage(id: "trap", chineseName: "陷", englishName: "Trap"))
        kind.transitions.append(Transition(from: "a", to: "trap"))
        expectProblem(kind, containing: "no terminal stage can be reached from stage trap")
    }

    @Test func missingInitialStage() {
        var kind = tiny()
        kind.initialStage = "zero"
        expectProblem(kind, containing: "the initial stage zero is not a stage")
    }

    @Test func rulesMustReferToRealFields() {
        var kind = tiny()
        kind.transitions[1].rules = [
            .recordedTrue(stage: "a", field: "when"),  // wrong type: a date
            .notBeforeRecordedDate(stage: "ghost", field: "when"),
            .workingDaysAfter(stage: "a", field: "missing", days: 3),
        ]
        expectProblem(kind, containing: "needs a.when to be a bool, but it is a date")
        expectProblem(kind, containing: "reads unknown stage ghost")
        expectProblem(kind, containing: "reads a.missing, which that stage does not record")
    }
}

@Suite struct NextStepTests {
    @Test("the step to take now toward a stage: the first hop of a shortest path, nil when the stage is not ahead")
    func nextStep() {
        let kind = CaseKinds.pointsNew
        #expect(kind.nextStep(from: "residence_permit", toward: "employer_ready") == "employer_ready")
        #expect(kind.nextStep(from: "residence_permit", toward: "account") == "employer_ready")
        #expect(kind.nextStep(from: "employer_ready", toward: "account") == "account")
        #expect(kind.nextStep(from: "account", toward: "account") == nil)
        #expect(kind.nextStep(from: "account", toward: "residence_permit") == nil)
        let renewal = CaseKinds.pointsRenewal
        #expect(renewal.nextStep(from: "online_review", toward: "accepted") == "paper_materials")
        #expect(renewal.nextStep(from: "online_review", toward: "closed") == "approved")
    }
}
