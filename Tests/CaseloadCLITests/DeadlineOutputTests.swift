@testable import CaseloadCLI
import CaseloadProtocol
import Foundation
import Testing

@Suite struct DeadlineOutputTests {
    @Test("protocol dates print with their weekday in the CLI's language (CaseloadCore's calendar, not a copy); anything else as it came")
    func days() {
        #expect(Labels.day("2026-10-10") == "2026-10-10 Sat")
        #expect(Labels.day("2026-10-12") == "2026-10-12 Mon")
        #expect(Labels.day("1969-12-31") == "1969-12-31 Wed")
        Language.$override.withValue(.zh) {
            #expect(Labels.day("2026-10-10") == "2026-10-10 周六")
            #expect(Labels.day("2026-10-11") == "2026-10-11 周日")
        }
        for bad in ["2026-02-29", "2026-13-01", "2026-1-01", "20261010", "x"] { #expect(Labels.day(.string(bad)) == bad, "\(bad)") }
        #expect(Labels.day(.null) == "-")
    }

    @Test("a deadline's state says overdue, provisional and expectation, in the names the server publishes")
    func states() {
        // As `system.labels` sends them (the integration tests check the CLI against a real server).
        ServerLabels.install([
            "groups": [
                ["name": "deadline_state", "labels": [["value": "missed", "zh": "已逾期", "en": .null], ["value": "open", "zh": "待办", "en": .null],
                                                      ["value": "done", "zh": "已完成", "en": .null]]],
                ["name": "deadline_kind", "labels": [["value": "expectation", "zh": "预计", "en": .null]]],
            ],
            "stages": [],
        ])
        // English: the values themselves where the domain has no English name.
        #expect(Labels.deadlineState(["state": "missed", "overdue": true, "provisional": false, "is_expectation": false]) == "missed  overdue")
        #expect(Labels.deadlineState(["state": "open", "overdue": true, "provisional": true, "is_expectation": true])
            == "open  overdue  provisional  expectation")
        #expect(Labels.deadlineState(["state": "done", "overdue": false]) == "done")
        Language.$override.withValue(.zh) {
            #expect(Labels.deadlineState(["state": "missed", "overdue": true, "provisional": false, "is_expectation": false]) == "已逾期  逾期")
            #expect(Labels.deadlineState(["state": "open", "overdue": true, "provisional": true, "is_expectation": true]) == "待办  逾期  暂定  预计")
        }
    }

    @Test("wrapping at spaces by display width; a long word keeps a line of its own")
    func wrap() {
        #expect(Output.wrap("aaa bbb ccc", width: 7) == ["  aaa bbb", "  ccc"])
        #expect(Output.wrap("国庆 国庆 国庆", width: 9) == ["  国庆 国庆", "  国庆"])
        #expect(Output.wrap("abcdefghij xy", width: 4, indent: "") == ["abcdefghij", "xy"])
        #expect(Output.wrap("", width: 4) == [])
    }

    @Test("by company: rows by date within a group, groups by their earliest date, ties by company")
    func byCompany() {
        func d(_ id: String, _ company: String, _ due: String) -> JSONValue { ["id": .string(id), "company_id": .string(company), "due_date": .string(due)] }
        let groups = DeadlineCommand.byCompany([
            d("1", "b", "2026-03-01"), d("2", "a", "2026-02-01"), d("3", "b", "2026-01-15"), d("4", "c", "2026-01-15"), d("5", "a", "2026-01-20"),
        ])
        #expect(groups.map(\.companyID) == ["b", "c", "a"])
        #expect(groups.map { $0.deadlines.compactMap { $0["id"]?.stringValue } } == [["3", "1"], ["4"], ["5", "2"]])
        #expect(DeadlineCommand.byCompany([]).isEmpty)
    }
}
