@testable import CaseloadCLI
import CaseloadProtocol
import Foundation
import Testing

@Suite struct LanguageTests {
    @Test("the language: --lang, else CASELOAD_LANG, else the first non-empty of LC_ALL, LC_MESSAGES, LANG; zh… is Chinese")
    func resolution() {
        #expect(Language.resolve(flag: .en, environment: ["CASELOAD_LANG": "zh", "LANG": "zh_CN.UTF-8"]) == .en)
        #expect(Language.resolve(flag: nil, environment: ["CASELOAD_LANG": "zh", "LC_ALL": "en_US.UTF-8"]) == .zh)
        #expect(Language.resolve(flag: nil, environment: ["CASELOAD_LANG": "", "LANG": "zh_CN.UTF-8"]) == .zh)
        #expect(Language.resolve(flag: nil, environment: ["LC_ALL": "", "LC_MESSAGES": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"]) == .zh)
        #expect(Language.resolve(flag: nil, environment: ["LC_ALL": "C", "LANG": "zh_CN.UTF-8"]) == .en)
        #expect(Language.resolve(flag: nil, environment: ["LANG": "zh-Hans"]) == .zh)
        #expect(Language.resolve(flag: nil, environment: [:]) == .en)
    }

    @Test("--lang is found before parsing, as --lang X or --lang=X, the last one winning, not after --")
    func flag() {
        #expect(Language.flagValue(in: ["case", "list", "--lang", "zh"]) == "zh")
        #expect(Language.flagValue(in: ["--lang=en", "case", "list"]) == "en")
        #expect(Language.flagValue(in: ["--lang", "zh", "--lang", "en"]) == "en")
        #expect(Language.flagValue(in: ["case", "note", "x", "--", "--lang", "zh"]) == nil)
        #expect(Language.flagValue(in: ["case", "list", "--lang"]) == nil)
        #expect(Language.flagValue(in: ["case", "list"]) == nil)
    }

    @Test("texts and value names follow the language; a name the server does not give prints as the value")
    func texts() {
        ServerLabels.install([
            "groups": [["name": "case_status", "labels": [["value": "active", "zh": "办理中", "en": .null]]],
                       ["name": "holder_kind", "labels": [["value": "agency", "zh": "本机构", "en": "with the agency"]]]],
            "stages": [["kind": "points_new", "labels": [["value": "account", "zh": "新办账户", "en": "Account created"]]]],
        ])
        let c: JSONValue = ["stage_name_zh": "网上提交", "stage_name_en": "Submitted online", "late": true]
        #expect(L(en: "applicant", zh: "申请人") == "applicant")
        #expect(Labels.named("active", Labels.status) == "active")
        #expect(Labels.named("agency", Labels.holderKind) == "with the agency")
        #expect(Labels.named("unknown_value", Labels.status) == "unknown_value")
        #expect(Labels.stage(c) == "Submitted online" && Labels.late(c) == "late")
        #expect(Output.text(.bool(true)) == "yes")
        #expect(Labels.caseName(["case_kind": "points_new", "case_stage_name_zh": "新办账户"]) == "points_new Account created")
        Language.$override.withValue(.zh) {
            #expect(L(en: "applicant", zh: "申请人") == "申请人")
            #expect(Labels.named("active", Labels.status) == "办理中")
            #expect(Labels.stage(c) == "网上提交" && Labels.late(c) == "逾期")
            #expect(Output.text(.bool(false)) == "否")
            #expect(Labels.caseName(["case_kind": "points_new", "case_stage_name_zh": "新办账户"]) == "points_new 新办账户")
        }
    }

    @Test("times print in Shanghai whatever the machine's zone")
    func shanghai() {
        #expect(Labels.time("2026-03-01T16:30:00Z") == "2026-03-02 00:30")
        #expect(Labels.time("2026-03-01T08:30:00.123+08:00") == "2026-03-01 08:30")
        #expect(Labels.time(Date(timeIntervalSince1970: 0), seconds: true) == "1970-01-01 08:00:00")
        #expect(Labels.time(.null) == "-")
        #expect(Labels.time("not a time") == "not a time")
    }

    @Test("an unknown subcommand, at any level, is refused naming the nearest; known words and options pass")
    func didYouMean() {
        let top = CommandSuggestion.refusal(for: ["compnay", "list"])
        #expect(top?.contains("unknown command 'compnay' for 'caseload'") == true)
        #expect(top?.contains("(did you mean 'company'?)") == true)
        #expect(CommandSuggestion.refusal(for: ["case", "lsit"])?.contains("'caseload case' (did you mean 'list'?)") == true)
        #expect(CommandSuggestion.refusal(for: ["case", "lsit"])?.contains("did you mean 'list'?") == true)
        #expect(CommandSuggestion.refusal(for: ["case", "time-allowed", "sett"])?.contains("did you mean") != true)  // a default subcommand takes words
        #expect(CommandSuggestion.refusal(for: ["document", "whre"])?.contains("did you mean 'where'?") == true)  // through an alias
        #expect(CommandSuggestion.refusal(for: ["xyzzy"])?.contains("did you mean") == false)
        for fine in [["case", "list"], ["doc", "where", "abc"], ["--help"], ["case", "--help"], ["help", "case"], [], ["case", "advance", "x", "--to", "y"]] {
            #expect(CommandSuggestion.refusal(for: fine) == nil, "\(fine)")
        }
        Language.$override.withValue(.zh) {
            #expect(CommandSuggestion.refusal(for: ["compnay"])?.contains("（是不是 'company'？）") == true)
        }
    }
}
