"""Error messages in the session's language: same code, field and rule, Chinese sentences."""

from __future__ import annotations

import pytest

from caseload import Connection, NotFound, ValidationFailed
from helpers import BAD_CREDIT_CODE


def _bad_company(conn):
    with pytest.raises(ValidationFailed) as caught:
        conn.call("company.create", {"name": "上海语言测试有限公司", "credit_code": BAD_CREDIT_CODE})
    return caught.value


def test_login_in_chinese_gives_chinese_errors(caseload_server, token):
    with Connection(caseload_server.host, caseload_server.port, timeout=30) as c:
        assert c.login(token, language="zh")["language"] == "zh"
        zh = _bad_company(c)
        assert "统一社会信用代码" in zh.message and "校验" in zh.message
        assert [(e["field"], e["rule"]) for e in zh.errors] == [("credit_code", "checksum")]
        with pytest.raises(NotFound) as missing:
            c.call("company.get", {"id": "00000000-0000-0000-0000-000000000000"})
        assert "未找到" in missing.value.message

        assert c.set_language("en") == {"language": "en"}
        en = _bad_company(c)
        assert en.code == zh.code
        assert [(e["field"], e["rule"]) for e in en.errors] == [("credit_code", "checksum")]
        assert "check character" in en.message


def test_unknown_language_is_refused(caseload_server, token):
    with Connection(caseload_server.host, caseload_server.port, timeout=30) as c:
        with pytest.raises(ValidationFailed) as caught:
            c.login(token, language="fr")
        assert [(e["field"], e["rule"]) for e in caught.value.errors] == [("language", "enum")]
