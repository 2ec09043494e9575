/// The Chinese sentence for each rule, shown for an issue that carries no Chinese of its own
/// (`FieldIssue.zh`): less specific than the issue's English, never wrong about the rule.
///
/// One place, as data: a test checks that every rule name used in the sources has an entry.
/// The sentences name no value, so they never echo an ID or phone number.
extension FieldIssue {
    public static let chineseFallback: [String: String] = [
        // The params schema (Schema.issues) and the JSON-RPC layer.
        "required": "必填",
        "type": "类型不对",
        "format": "格式不对",
        "range": "超出允许的范围",
        "enum": "不是允许的取值之一",
        "min_length": "太短",
        "max_length": "太长",
        "minimum": "太小",
        "maximum": "太大",
        "max_items": "项数太多",
        "unknown_field": "不是这个方法的参数",
        "nul": "不能含有 NUL 字符",
        "by_name": "params 必须是按名称给出参数的对象",
        "more": "还有更多问题未列出",
        "database": "有一个值超出了数据库能保存的范围",
        "cursor": "不是这组参数的查询返回的游标：请不带游标重新开始",
        "ambiguous_prefix": "这个前缀对应不止一条记录：请多给几位字符",
        "unique": "已被另一条记录使用",
        "same_params": "这个 idempotency_key 已用于参数不同的另一次调用",
        "finished": "这次导入已结束",
        "not_empty": "还存放着材料或其他位置",
        // Identifiers and profiles.
        "checksum": "校验位不对",
        "length": "长度不对",
        "birth_date": "出生日期不对",
        "date": "日期不对",
        "district": "不是上海的区",
        "education_level": "学历不对",
        "mismatch": "与相关的记录不符",
        "duplicate": "重复",
        "header": "表头不对",
        "unknown": "无法识别",
        // Cases, stages and their rules.
        "transition": "案件当前阶段不能这样变更",
        "case_status": "案件状态不允许这样操作",
        "stage": "不是这类案件的阶段",
        "kind": "不是已知的案件类型",
        "requires": "需要同时给出它所依赖的参数",
        "not_required": "不是这个案件的材料清单要求的",
        "duplicate_case": "这位申请人已有一个同类的进行中的案件",
        "checklist": "材料清单尚未齐全",
        "keep_owner": "不能取消自己的所有者角色",
        "needs_entity": "给出 entity_id 时须同时给出 entity",
        "client_only": "只有客户用户属于某个公司",
        // Documents and their custody.
        "custody": "原件当前的保管状态不允许这样操作",
        "return": "案件不能退回到这个阶段",
        "after_received": "须晚于收到的日期",
        "containment": "这种位置不能放在那种位置之下",
    ]
}
