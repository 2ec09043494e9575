import CaseloadCore
import Testing

@Suite struct CompanyNameTests {
    @Test("the short name drops the city and the legal form, and keeps what tells companies apart")
    func short() {
        #expect(CompanyName.short("上海明远软件科技有限公司") == "明远软件科技")
        #expect(CompanyName.short("上海市浦东新区建设股份有限公司") == "浦东新区建设")
        #expect(CompanyName.short("上海华信数据有限责任公司 2") == "华信数据 2")
        #expect(CompanyName.short("上海某某有限公司北京分公司") == "某某北京分公司")
        #expect(CompanyName.short("Acme Shanghai Co., Ltd.") == "Acme Shanghai")
        // Nothing to drop, or nothing left: as registered.
        #expect(CompanyName.short("新东家") == "新东家")
        #expect(CompanyName.short("上海有限公司") == "上海有限公司")
    }
}

extension CompanyNameTests {
    @Test("spaces, tabs and ideographic spaces at either end go, inner ones stay; blank stays as registered")
    func trimming() {
        #expect(CompanyName.short("  上海明远软件科技有限公司\t") == "明远软件科技")
        #expect(CompanyName.short("\u{3000}上海 明远 有限公司\u{3000}") == "明远")
        #expect(CompanyName.short("Acme  Co., Ltd. Beijing Branch") == "Acme   Beijing Branch")
        #expect(CompanyName.short("   ") == "   ")
        #expect(CompanyName.short("") == "")
    }
}
