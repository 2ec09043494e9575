/// The Chinese names of the entities a `not_found` error names (`StorageError.notFound`), so
/// a session in Chinese reads "没有这个公司" rather than the table's English word.
enum EntityNames {
    static let chineseNames: [String: String] = [
        "company": "公司",
        "applicant": "申请人",
        "case": "案件",
        "document": "材料",
        "user": "用户",
        "token": "令牌",
        "location": "存放位置",
        "deadline": "期限",
        "import": "导入",
        "subscription": "订阅",
    ]

    /// The Chinese name of `entity`, or the English word when there is none.
    static func chinese(_ entity: String) -> String {
        chineseNames[entity] ?? entity
    }
}
