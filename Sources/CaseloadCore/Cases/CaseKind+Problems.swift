extension CaseKind {
    /// Checks the table: unique stage ids, names non-empty, initial exists, every transition's
    /// ends exist, every stage reachable from the initial one, at least one terminal stage
    /// reachable from every non-terminal stage, rules refer to existing stages/fields.
    /// Returns all problems as sentences (empty = valid).
    public func problems() -> [String] {
        var problems: [String] = []
        let name = id.isEmpty ? "case kind" : "case kind \(id)"
        if id.trimmingWhitespace.isEmpty { problems.append("the case kind has no id") }
        if chineseName.trimmingWhitespace.isEmpty { problems.append("\(name) has no Chinese name") }
        if englishName.trimmingWhitespace.isEmpty { problems.append("\(name) has no English name") }
        if stages.isEmpty { problems.append("\(name) has no stages") }

        var ids: Set<String> = []
        for (index, stage) in stages.enumerated() {
            let label = stage.id.isEmpty ? "stage #\(index + 1)" : "stage \(stage.id)"
            if stage.id.trimmingWhitespace.isEmpty { problems.append("\(label) has no id") }
            if !ids.insert(stage.id).inserted { problems.append("stage id \(stage.id) is used more than once") }
            if stage.chineseName.trimmingWhitespace.isEmpty { problems.append("\(label) has no Chinese name") }
            if stage.englishName.trimmingWhitespace.isEmpty { problems.append("\(label) has no English name") }
            if let days = stage.allowedDays, days <= 0 {
                problems.append("\(label) allows \(days) days; a limit must be positive or absent")
            }
            var fieldNames: Set<String> = []
            for field in stage.fields {
                if field.name.trimmingWhitespace.isEmpty { problems.append("\(label) has a field with no name") }
                if !fieldNames.insert(field.name).inserted {
                    problems.append("\(label) records field \(field.name) more than once")
                }
                if field.label.trimmingWhitespace.isEmpty { problems.append("field \(stage.id).\(field.name) has no label") }
            }
        }

        if stage(initialStage) == nil { problems.append("the initial stage \(initialStage) is not a stage of \(name)") }

        var pairs: Set<[String]> = []
        for transition in transitions {
            let arrow = "\(transition.from) → \(transition.to)"
            if stage(transition.from) == nil { problems.append("transition \(arrow) starts at unknown stage \(transition.from)") }
            if stage(transition.to) == nil { problems.append("transition \(arrow) ends at unknown stage \(transition.to)") }
            if transition.from == transition.to { problems.append("transition \(arrow) goes nowhere") }
            if !pairs.insert([transition.from, transition.to]).inserted { problems.append("transition \(arrow) is listed more than once") }
            if stage(transition.from)?.isTerminal == true { problems.append("transition \(arrow) leaves terminal stage \(transition.from)") }
            problems += ruleProblems(transition, arrow: arrow)
        }

        // Reachability only makes sense once the initial stage exists.
        if stage(initialStage) != nil {
            let reached = reachable(from: initialStage).union([initialStage])
            for stage in stages where !reached.contains(stage.id) {
                problems.append("stage \(stage.id) cannot be reached from the initial stage \(initialStage)")
            }
        }
        let terminals = Set(stages.filter(\.isTerminal).map(\.id))
        if terminals.isEmpty {
            problems.append("\(name) has no terminal stage, so no case of it could ever close")
        } else {
            for stage in stages where !stage.isTerminal && reachable(from: stage.id).isDisjoint(with: terminals) {
                problems.append("no terminal stage can be reached from stage \(stage.id), so a case there could never close")
            }
        }
        return problems
    }

    private func ruleProblems(_ transition: Transition, arrow: String) -> [String] {
        transition.rules.compactMap { rule in
            switch rule {
            case .workingDaysAfter(_, _, let days) where days < 0:
                return "rule \(rule.id) on \(arrow) counts \(days) working days; it must be 0 or more"
            case .pointsAtLeast(let points) where points < 0:
                return "rule \(rule.id) on \(arrow) needs \(points) points; it must be 0 or more"
            default:
                break
            }
            guard let (stageID, fieldName) = rule.recordedField else { return nil }
            guard let stage = stage(stageID) else {
                return "rule \(rule.id) on \(arrow) reads unknown stage \(stageID)"
            }
            guard let field = stage.field(fieldName) else {
                return "rule \(rule.id) on \(arrow) reads \(stageID).\(fieldName), which that stage does not record"
            }
            if let type = rule.recordedFieldType, field.type != type {
                return "rule \(rule.id) on \(arrow) needs \(stageID).\(fieldName) to be a \(type.rawValue), but it is a \(field.type.rawValue)"
            }
            return nil
        }
    }
}
