"""The whole everyday flow against a real server: company, applicant, case, deadlines, report."""

from __future__ import annotations

import csv
import io
import json

import pytest

from caseload import Conflict, ValidationFailed
from helpers import CREDIT_CODE, ID_NUMBER, days_ago, id_number


def test_full_flow_with_the_library(conn, tmp_path):
    me = conn.call("auth.whoami")
    assert me["role"] == "owner"

    company = conn.call("company.create", {
        "name": "上海浦江软件有限公司",
        "credit_code": CREDIT_CODE.lower(),  # normalised by the server
        "district": "浦东新区",
        "talent_center_status": "activated",
    })
    assert company["credit_code"] == CREDIT_CODE
    assert company["district"] == "pudong"
    assert company["talent_center_status"] == "activated"
    assert company["version"] == 1

    applicant = conn.call("applicant.create", {
        "company_id": company["id"],
        "name": "张三",
        "id_number": ID_NUMBER,
        "phone": "13800138001",
        "permit_received_date": days_ago(30),
    })
    assert applicant["id_number"] != ID_NUMBER and applicant["id_number"].endswith("002X")  # masked
    assert applicant["birth_date"] == "1949-12-31"
    assert applicant["phone"] == "138****8001"

    case = conn.call("case.open", {"applicant_id": applicant["id"], "kind": "points_new"})
    assert case["stage"] == "residence_permit"
    assert case["recorded"]["residence_permit"]["permit_received_date"] == days_ago(30)
    assert "employer_ready" in case["next_stages"]

    case = conn.call("case.advance", {"id": case["id"], "version": case["version"], "to": "employer_ready"})
    assert case["stage"] == "employer_ready"
    assert case["stage_name_zh"] == "单位注册开通"
    assert case["next_stages"] == ["account"]

    # A stale version is a conflict carrying the current one.
    with pytest.raises(Conflict) as stale:
        conn.call("case.advance", {"id": case["id"], "version": case["version"] - 1, "to": "account"})
    assert stale.value.current_version == case["version"]

    # The company is activated and the permit came 30 days ago: the account may be created.
    case = conn.call("case.advance", {"id": case["id"], "version": case["version"], "to": "account"})
    assert case["stage"] == "account"

    deadlines = conn.call("deadline.list", {"case_id": case["id"]})["deadlines"]
    assert deadlines, "opening a points_new case with a permit date derives deadlines"
    account = [d for d in deadlines if d["rule"] == "account_opens"]
    assert len(account) == 1
    assert account[0]["base_date"] == days_ago(30)
    assert "working days" in account[0]["explanation"]
    assert all(d["case_id"] == case["id"] for d in deadlines)

    listed = conn.call("case.list", {"company_id": company["id"]})
    assert [c["id"] for c in listed["cases"]] == [case["id"]]
    assert listed["next_cursor"] is None

    # The report, paged by next_cursor.
    chunks = []
    params = {"company_id": company["id"], "format": "md"}
    while True:
        page = conn.call("report.company", params)
        chunks.append(page["content"])
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    report = "".join(chunks)
    assert "张三" in report and "上海浦江软件有限公司" in report
    assert ID_NUMBER not in report  # masked in reports too


def test_advance_refused_names_the_rule(conn):
    company = conn.call("company.create", {"name": "未开通公司", "credit_code": CREDIT_CODE})  # unregistered
    applicant = conn.call("applicant.create", {
        "company_id": company["id"], "name": "李四", "id_number": id_number(), "permit_received_date": days_ago(30),
    })
    case = conn.call("case.open", {"applicant_id": applicant["id"], "kind": "points_new"})
    case = conn.call("case.advance", {"id": case["id"], "version": case["version"], "to": "employer_ready"})
    with pytest.raises(ValidationFailed) as refused:
        conn.call("case.advance", {"id": case["id"], "version": case["version"], "to": "account"})
    rules = {e["rule"] for e in refused.value.errors}
    assert "company_activated" in rules
    assert all(e["field"] == "to" for e in refused.value.errors)


def run_cli(caseload_py, caseload_server, token, *args, check=True):
    import os
    import subprocess

    # No saved login of this machine's user leaks in (tests that want one set their own file).
    env = dict(os.environ, CASELOAD_ADDR=caseload_server.addr, CASELOAD_TOKEN=token,
               CASELOAD_CONFIG_FILE=os.environ.get("CASELOAD_TEST_LOGIN_FILE", "/nonexistent/caseload-login.json"))
    proc = subprocess.run(caseload_py + list(args), env=env, capture_output=True, text=True, timeout=60)
    if check and proc.returncode != 0:
        raise AssertionError(f"caseload-py {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return proc


def test_full_flow_with_the_cli(caseload_py, caseload_server, token, tmp_path):
    cli = lambda *a, **k: run_cli(caseload_py, caseload_server, token, *a, **k)  # noqa: E731

    out = cli("ping").stdout
    assert out.startswith(f"pong from {caseload_server.addr} (server ")

    # No server there: one plain sentence, no traceback, no socket error text.
    import os
    import subprocess
    down = subprocess.run(caseload_py + ["ping"], env=dict(os.environ, CASELOAD_ADDR="127.0.0.1:1", CASELOAD_TOKEN=token),
                          capture_output=True, text=True, timeout=60)
    assert down.returncode == 1 and "Traceback" not in down.stderr
    assert down.stderr.startswith("caseload-py: no Caseload server answers at 127.0.0.1:1 (nothing is listening there).")

    company = json.loads(cli("company", "add", "--name", "上海浦江软件有限公司", "--credit-code", CREDIT_CODE,
                             "--district", "浦东", "--status", "activated", "--json").stdout)
    assert company["talent_center_status"] == "activated"

    shown = cli("company", "show", company["id"]).stdout
    assert "name 名称               上海浦江软件有限公司" in shown  # keys aligned by display width

    table = cli("company", "list").stdout.splitlines()
    assert table[0].startswith("ID  ") and "名称 NAME" in table[0]
    assert set(table[1]) <= {"-", " "}
    assert company["id"] in table[2] and "上海浦江软件有限公司" in table[2]

    applicants = []
    for n, name in enumerate(["张三", "王小明"]):
        a = json.loads(cli("applicant", "add", "--company", company["id"], "--name", name,
                           "--id-number", id_number(sequence=100 + n), "--permit-received", days_ago(20), "--json").stdout)
        applicants.append(a)
    listing = cli("applicant", "list", "--company", company["id"]).stdout
    assert "张三" in listing and "王小明" in listing

    cases = []
    for a in applicants:
        c = json.loads(cli("case", "open", "--applicant", a["id"], "--kind", "points_new", "--json").stdout)
        assert c["stage"] == "residence_permit"
        cases.append(c)
    advanced = cli("case", "advance", cases[0]["id"], "--to", "employer_ready").stdout
    assert "单位注册开通 Employer ready  (employer_ready)" in advanced
    # Value names come from the server's system.labels, not from a copy in the client.
    assert "办理中 active" in cli("case", "show", cases[0]["id"]).stdout
    shown = json.loads(cli("case", "show", cases[0]["id"], "--json").stdout)
    assert shown["stage"] == "employer_ready" and shown["version"] == 2
    case_table = cli("case", "list", "--company", company["id"]).stdout
    assert "单位注册开通 Employer ready" in case_table and "居住证 Residence permit" in case_table

    deadlines = json.loads(cli("deadline", "list", "--company", company["id"], "--json").stdout)
    assert {d["case_id"] for d in deadlines} == {c["id"] for c in cases}
    assert all(d["rule"] == "account_opens" for d in deadlines)
    deadline_table = cli("deadline", "list", "--company", company["id"]).stdout
    assert "到期 DUE" in deadline_table and "account" not in deadline_table.splitlines()[0]
    # Lines name people and print ids short; a short id is taken back.
    assert "申请人 APPLICANT" in deadline_table and "单位 COMPANY" in deadline_table and "积分新办" in deadline_table
    assert all(d["applicant_name"] in deadline_table for d in deadlines)
    short_id = deadlines[0]["id"].split("-", 1)[0]
    assert any(line.startswith(short_id + " ") for line in deadline_table.splitlines())
    assert json.loads(cli("case", "show", cases[0]["id"][:8], "--json").stdout)["id"] == cases[0]["id"]

    # The agenda: the same server method as `caseload today`, each line with its command.
    agenda = json.loads(cli("agenda", "--week", "--json").stdout)
    assert agenda["companies"] and all(g["items"] for g in agenda["companies"])
    today_text = cli("today").stdout
    assert today_text.startswith("待办 AGENDA  ")
    week_text = cli("agenda", "--week").stdout
    assert "操作 COMMAND" in week_text and "caseload " in week_text

    # Report in pages of one case: each chunk written as it arrives, file renamed into place.
    out_csv = tmp_path / "report.csv"
    done = cli("report", "company", company["id"], "--format", "csv", "--out", str(out_csv), "--page-size", "1").stdout
    assert done.startswith(f"wrote {out_csv} (2 rows, ")
    raw = out_csv.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM, for Excel
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0].startswith("申请人")
    names = sorted(r[0] for r in rows[1:] if r)
    assert names == sorted(["张三", "王小明"])
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]

    out_json = tmp_path / "report.json"
    summary = json.loads(cli("report", "company", company["id"], "--format", "json", "--out", str(out_json),
                             "--page-size", "1", "--json").stdout)
    assert summary["rows"] == 2 and summary["bytes"] == out_json.stat().st_size
    assert "王小明" in out_json.read_text(encoding="utf-8")
    json.loads(out_json.read_text(encoding="utf-8"))  # the pages join into one JSON document

    html = cli("report", "company", company["id"], "--format", "html", "--out", "-").stdout
    assert "<html" in html.lower() and "张三" in html


def test_cli_errors_print_field_and_rule(caseload_py, caseload_server, token):
    proc = run_cli(caseload_py, caseload_server, token,
                   "company", "add", "--name", "错码公司", "--credit-code", "91350200776049653B", check=False)
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    assert lines[0] == "caseload-py: validation_failed (-32005):"
    assert lines[1].startswith("  credit_code: ") and lines[1].endswith(" (checksum)")

    proc = run_cli(caseload_py, caseload_server, token, "company", "show", "00000000-0000-0000-0000-000000000000", check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip() == "caseload-py: Not found: no such company in your agency [not_found]"

    proc = run_cli(caseload_py, caseload_server, "", "company", "list", check=False)
    assert proc.returncode == 1 and "no token" in proc.stderr

    proc = run_cli(caseload_py, caseload_server, "cl_not_a_real_token", "company", "list", check=False)
    assert proc.returncode == 1 and "[unauthenticated]" in proc.stderr


def test_login_is_saved_for_both_clis(caseload_py, caseload_server, token, tmp_path):
    """`caseload-py login` checks the token and saves it where both CLIs read it (mode 0600);
    later commands need neither the address nor the token."""
    import os
    import stat
    import subprocess

    login_file = tmp_path / "login.json"
    base = dict(os.environ, CASELOAD_CONFIG_FILE=str(login_file))
    base.pop("CASELOAD_TOKEN", None)
    base.pop("CASELOAD_ADDR", None)
    done = subprocess.run(caseload_py + ["login", "--addr", caseload_server.addr, "--token", token], env=base,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Logged in to ") and str(login_file) in done.stdout
    assert stat.S_IMODE(login_file.stat().st_mode) == 0o600
    saved = json.loads(login_file.read_text())
    assert saved == {"addr": caseload_server.addr, "token": token}  # the Swift CLI's format
    listed = subprocess.run(caseload_py + ["company", "list", "--json"], env=base, capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0, listed.stderr
    assert isinstance(json.loads(listed.stdout), list)
    # A bad token is refused and nothing is saved over the good one.
    bad = subprocess.run(caseload_py + ["login", "--addr", caseload_server.addr, "--token", "cl_wrong"], env=base,
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1 and json.loads(login_file.read_text())["token"] == token
