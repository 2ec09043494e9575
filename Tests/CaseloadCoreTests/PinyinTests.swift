import CaseloadCore
import Testing

@Suite("Pinyin of names")
struct PinyinTests {
    @Test("full pinyin and initials, toneless, ü as v")
    func basics() {
        #expect(Pinyin.full("张伟") == "zhangwei")
        #expect(Pinyin.initials("张伟") == "zw")
        #expect(Pinyin.full("吕绿") == "lvlv")
        #expect(Pinyin.full(" 王 芳 ") == "wangfang")
    }

    @Test("a surname's own reading, for the first character only, and two-character surnames")
    func surnames() {
        #expect(Pinyin.full("单田芳") == "shantianfang")
        #expect(Pinyin.full("曾志伟") == "zengzhiwei")
        #expect(Pinyin.full("解晓东") == "xiexiaodong")
        #expect(Pinyin.full("仇英") == "qiuying")
        #expect(Pinyin.full("朴树") == "piaoshu")
        #expect(Pinyin.full("区建华") == "oujianhua")
        #expect(Pinyin.full("查良") == "zhaliang")
        #expect(Pinyin.full("王单") == "wangdan")
        #expect(Pinyin.full("尉迟恭") == "yuchigong")
        #expect(Pinyin.initials("尉迟恭") == "ycg")
    }

    @Test("Latin names and the middle dot; what a query looks like")
    func latin() {
        #expect(Pinyin.full("Tom Smith") == "tomsmith")
        #expect(Pinyin.initials("Tom Smith") == "ts")
        #expect(Pinyin.full("阿依古丽·买买提") == "ayigulimaimaiti")
        #expect(Pinyin.isPinyinQuery("Zhang Wei"))
        #expect(Pinyin.isPinyinQuery("xi'an"))
        #expect(!Pinyin.isPinyinQuery("张wei"))
        #expect(!Pinyin.isPinyinQuery("138"))
        #expect(Pinyin.typed("Zhang Wei") == "zhangwei")
    }

    @Test("the generated table holds the common name characters")
    func table() {
        for name in ["李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄婷", "周杰", "吴敏", "徐丽", "孙强"] {
            #expect(Pinyin.syllables(name).count == 2, "\(name)")
        }
    }
}

@Suite("Notice templates")
struct NoticeTemplateTests {
    @Test("placeholders render; every built-in text uses only known ones")
    func render() throws {
        #expect(NoticeTemplate.render("{applicant_name}您好", values: ["applicant_name": "张伟"]) == "张伟您好")
        for kind in CaseKinds.all {
            for stage in kind.stages {
                for audience in NoticeAudience.allCases {
                    try NoticeTemplate.validate(NoticeTemplates.builtin(kind: kind.id, step: stage.id, audience: audience))
                }
            }
        }
    }

    @Test("unknown placeholders, unclosed braces, empty and too long bodies are refused, naming the rule")
    func refusals() {
        func rules(_ body: String) -> [String] {
            do {
                try NoticeTemplate.validate(body)
                return []
            } catch {
                return error.issues.map(\.rule)
            }
        }
        #expect(rules("{applicant_nam}") == ["placeholder"])
        #expect(rules("请于{by_date") == ["placeholder"])
        #expect(rules("  ") == ["required"])
        #expect(rules(String(repeating: "字", count: 2001)) == ["length"])
        do {
            try NoticeTemplate.validate("{applicant_nam}")
        } catch {
            #expect(error.issues.first?.message.contains("did you mean 'applicant_name'") == true)
        }
    }

    @Test("the values: working days counted by the calendar, unknown dates and no documents said so")
    func values() {
        let today = CalendarDate(year: 2026, month: 9, day: 28)!
        let by = CalendarDate(year: 2026, month: 10, day: 9)!
        let stage = CaseKinds.pointsNew.stage("materials_delivered")!
        let notice = CaseNotice(
            applicantName: "张伟", companyName: "上海明远软件科技有限公司", hrName: nil, district: .xuhui, caseKindName: "积分新办", step: stage,
            documents: [], fromDate: nil, byDate: by)
        let v = notice.values(today: today, calendar: .builtin)
        #expect(v["talent_center"] == "徐汇区人才服务中心")
        #expect(v["by_date"] == "2026年10月9日")
        #expect(v["working_days"] == String(ChineseCalendar.builtin.workingDaysLeft(to: by, from: today)))
        #expect(v["from_date"] == "2026年9月28日")
        #expect(v["hr_name"] == "人事老师")
        #expect(v["documents"]?.contains("无需") == true)
        var none = notice
        none.byDate = nil
        #expect(none.values(today: today, calendar: .builtin)["working_days"] == CaseNotice.unknown)
    }
}
