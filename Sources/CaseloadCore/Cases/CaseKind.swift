/// A permitted move between two stages of a case kind, with the prerequisites it checks.
public struct Transition: Sendable, Hashable, Codable {
    public var from: String
    public var to: String
    /// Checked, in order, when the move is attempted; each may be overridden with a reason.
    public var rules: [Rule]

    public init(from: String, to: String, rules: [Rule] = []) {
        self.from = from
        self.to = to
        self.rules = rules
    }
}

/// A kind of case (积分新办, 积分续办, 居转户, ...) as a table of stages and transitions.
///
/// The table is data, not code, so an agency can adjust a process when the city changes it;
/// `problems()` checks a table before it is used. Side paths (return, hold, withdraw) are
/// generic and live in `CaseMachine`, not in the table.
public struct CaseKind: Sendable, Hashable, Codable {
    /// Stable snake_case id, e.g. `points_new`.
    public var id: String
    public var chineseName: String
    public var englishName: String
    /// In display order; the first is usually `initialStage`.
    public var stages: [Stage]
    public var initialStage: String
    public var transitions: [Transition]

    public init(
        id: String, chineseName: String, englishName: String, stages: [Stage], initialStage: String,
        transitions: [Transition]
    ) {
        self.id = id
        self.chineseName = chineseName
        self.englishName = englishName
        self.stages = stages
        self.initialStage = initialStage
        self.transitions = transitions
    }

    /// The stage with id `id`, if the table has one.
    public func stage(_ id: String) -> Stage? {
        stages.first { $0.id == id }
    }

    /// The transitions leaving stage `from`, in table order.
    public func transitions(from: String) -> [Transition] {
        transitions.filter { $0.from == from }
    }

    /// The transition from `from` to `to`, if the table allows it.
    public func transition(from: String, to: String) -> Transition? {
        transitions.first { $0.from == from && $0.to == to }
    }

    /// "积分新办 (Points — first application)", the form every user-facing message uses.
    public var displayName: String { "\(chineseName) (\(englishName))" }

    /// Stage ids reachable from `start` by one or more transitions.
    public func reachable(from start: String) -> Set<String> {
        var seen: Set<String> = []
        var queue = transitions(from: start).map(\.to)
        while let next = queue.popLast() {
            if seen.insert(next).inserted {
                queue += transitions(from: next).map(\.to)
            }
        }
        return seen
    }

    /// The next stage from `start` on a shortest path to `target` (the step to take now), or
    /// nil when `target` is not ahead of `start`. Ties go to the transition listed first.
    public func nextStep(from start: String, toward target: String) -> String? {
        // Breadth first, remembering each stage's first hop from `start`.
        var firstHop: [String: String] = [:]
        var frontier = transitions(from: start).map(\.to)
        for stage in frontier where firstHop[stage] == nil { firstHop[stage] = stage }
        while !frontier.isEmpty {
            if let hop = firstHop[target] { return hop }
            var next: [String] = []
            for stage in frontier {
                for t in transitions(from: stage) where firstHop[t.to] == nil && t.to != start {
                    firstHop[t.to] = firstHop[stage]
                    next.append(t.to)
                }
            }
            frontier = next
        }
        return firstHop[target]
    }

    /// Stages a case at `current` may be returned (退回) to: those that come before it on some
    /// path from the initial stage, i.e. every stage other than `current` from which `current`
    /// can be reached, in table order.
    public func earlierStages(than current: String) -> [Stage] {
        let fromInitial = reachable(from: initialStage).union([initialStage])
        return stages.filter { stage in
            stage.id != current && fromInitial.contains(stage.id) && reachable(from: stage.id).contains(current)
        }
    }
}
