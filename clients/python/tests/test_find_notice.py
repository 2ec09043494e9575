"""``find`` (names, pinyin, initials) and ``notice`` (the message for a case's next step)."""

from __future__ import annotations

import pytest

from caseload.errors import InvalidParams
from helpers import CREDIT_CODE, days_ago, id_number


def _world(conn):
    company = conn.call("company.create", {
        "name": "上海明远软件科技有限公司", "credit_code": CREDIT_CODE, "district": "xuhui",
        "talent_center_status": "activated", "hr_name": "王芳",
    })
    zw = conn.call("applicant.create", {
        "company_id": company["id"], "name": "张伟", "id_number": id_number(sequence=301),
        "permit_received_date": days_ago(30),
    })
    conn.call("applicant.create", {
        "company_id": company["id"], "name": "单田芳", "id_number": id_number(sequence=302),
    })
    case = conn.call("case.open", {"applicant_id": zw["id"], "kind": "points_new"})
    return company, zw, case


def test_find_by_chinese_pinyin_and_initials(conn):
    company, zw, case = _world(conn)
    for q in ("张伟", "zhangwei", "zw", "Zhang Wei"):
        items = conn.find(q)
        assert [i["kind"] for i in items] == ["applicant", "case"], q
        assert items[0]["id"] == zw["id"]
        assert items[1]["id"] == case["id"]
        assert items[1]["case_stage_name_zh"] == "居住证"
    assert [i["applicant_name"] for i in conn.find("shan")] == ["单田芳"]
    companies = [i for i in conn.find("mingyuan") if i["kind"] == "company"]
    assert [c["id"] for c in companies] == [company["id"]]
    assert conn.find("zw", limit=1)[0]["applicant_name"] == "张伟"
    assert conn.find("nobody") == []


def test_find_refuses_a_bad_query(conn):
    with pytest.raises(InvalidParams):
        conn.find("")
    with pytest.raises(InvalidParams):
        conn.find("张" * 51)
    with pytest.raises(InvalidParams) as blank:
        conn.find("   ")
    assert "q:" in str(blank.value)


def test_notice_for_hr_and_applicant(conn):
    _, _, case = _world(conn)
    hr = conn.notice(case["id"], audience="hr")
    assert hr["step"] == "employer_ready"
    assert hr["template_source"] == "builtin"
    assert hr["text"].startswith("王芳您好")
    assert "徐汇区人才服务中心" in hr["text"]
    assert conn.notice(case["id"])["audience"] == "applicant"
    conn.call("notice.set_template", {
        "case_kind": "points_new", "step": "employer_ready", "audience": "hr", "body": "{hr_name}：请到{talent_center}。",
    })
    own = conn.notice(case["id"], audience="hr")
    assert own == {**own, "template_source": "agency", "text": "王芳：请到徐汇区人才服务中心。"}
    with pytest.raises(InvalidParams):
        conn.notice(case["id"], audience="boss")
