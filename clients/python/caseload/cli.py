"""``caseload-py``: the everyday commands of the ``caseload`` CLI, in Python.

Same conventions as the Swift CLI: ``CASELOAD_ADDR`` (default 127.0.0.1:7420) and
``CASELOAD_TOKEN`` (flags ``--addr``/``--token`` override), TLS with ``--tls`` / ``--tls-ca FILE``
(``CASELOAD_TLS=1`` / ``CASELOAD_TLS_CA``), aligned tables (by display width, so Chinese lines
up) or ``--json``, and the server's errors printed with one line per field and rule, exit status 1.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import re
import ssl
import sys
import tempfile
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from .client import DEFAULT_ADDRESS, Connection, parse_address
from .errors import CaseloadError, ConnectionClosed, RpcError
from .table import display_width, render_record, render_table

PROG = "caseload-py"


class CLIError(Exception):
    """A problem the CLI explains itself (not the server's error)."""


# --------------------------------------------------------------------------- output helpers


def text(value: Any) -> str:
    """A JSON value as table text: strings bare, null as ``-``, booleans yes/no."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True))


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    print(render_table(headers, rows))


def print_record(pairs: Sequence[Tuple[str, str]]) -> None:
    print(render_record(pairs))


def error_lines(error: RpcError) -> List[str]:
    """The Swift CLI's error format: a header, then ``  field: message (rule)`` per entry."""
    entries = error.errors
    if not entries:
        lines = [f"{PROG}: {error.message} [{error.name or error.code}]"]
    else:
        lines = [f"{PROG}: {error.name or 'error'} ({error.code}):"]
        for entry in entries:
            lines.append(f"  {text(entry.get('field'))}: {text(entry.get('message'))} ({text(entry.get('rule'))})")
    if isinstance(error.data, dict) and "current_version" in error.data:
        lines.append(f"  current version: {text(error.data['current_version'])}")
    return lines


EDUCATION = {"associate": "大专", "bachelor": "本科", "bachelor_degree": "本科+学士", "master": "硕士", "doctor": "博士"}
SKILL = {
    "level5": "五级/初级工", "level4": "四级/中级工", "level3": "三级/高级工", "level2": "二级/技师", "level1": "一级/高级技师",
    "intermediate_title": "中级职称", "senior_title": "高级职称",
}
CONTRIBUTION_BASE = {"at_least_0.8": "≥0.8 倍", "at_least_1": "≥1 倍", "at_least_2": "≥2 倍", "at_least_3": "≥3 倍"}
CASE_STATUS = {"active": "办理中", "on_hold": "暂停", "withdrawn": "已撤回", "closed": "已办结"}
DEADLINE_STATE = {
    "waiting": "未到期", "open": "待办", "done": "已完成", "waived": "已免除", "missed": "已逾期", "satisfied": "已办结", "cancelled": "已取消",
}
DEADLINE_KIND = {"due": "截止", "window": "起始", "expectation": "预期"}
PENDING_STATES = ("waiting", "open", "missed")
WEEKDAYS = ["周一 Mon", "周二 Tue", "周三 Wed", "周四 Thu", "周五 Fri", "周六 Sat", "周日 Sun"]
_SHANGHAI = _dt.timezone(_dt.timedelta(hours=8))
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")


def named(value: Any, names: Dict[str, str]) -> str:
    """``本科 bachelor`` for a known value, the value itself otherwise, ``-`` for null."""
    if not isinstance(value, str):
        return text(value)
    return f"{names[value]} {value}" if value in names else value


def when(value: Any) -> str:
    """A protocol date-time as ``YYYY-MM-DD HH:MM`` in Shanghai time."""
    if not isinstance(value, str):
        return text(value)
    m = _ISO.match(value)
    if not m:
        return value
    y, mo, d, h, mi = (int(m.group(i)) for i in range(1, 6))
    sec = int(m.group(6) or 0)
    zone = m.group(7)
    if zone in (None, "Z"):
        tz = _dt.timezone.utc
    else:
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        tz = _dt.timezone(sign * _dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    try:
        moment = _dt.datetime(y, mo, d, h, mi, sec, tzinfo=tz)
    except ValueError:
        return value
    return moment.astimezone(_SHANGHAI).strftime("%Y-%m-%d %H:%M")


def day(value: Any) -> str:
    """A protocol date with its weekday: ``2026-10-10 周六 Sat``."""
    if not isinstance(value, str):
        return text(value)
    try:
        date = _dt.date.fromisoformat(value)
    except ValueError:
        return value
    return f"{value} {WEEKDAYS[date.weekday()]}"


def short(value: Any) -> str:
    """The first block of a uuid, enough to tell rows apart in a table."""
    return value.split("-", 1)[0] if isinstance(value, str) else text(value)


def stage(c: Dict[str, Any]) -> str:
    return f"{text(c.get('stage_name_zh'))} {text(c.get('stage_name_en'))}"


def late(c: Dict[str, Any]) -> str:
    return "逾期 late" if c.get("late") is True else ""


def stage_data(value: Any) -> str:
    if not isinstance(value, dict) or not value:
        return ""
    return ", ".join(f"{k}={v if isinstance(v, str) else text(v)}" for k, v in sorted(value.items()))


def parse_data(items: Sequence[str]) -> Dict[str, Any]:
    """``--data key=value``: true/false → boolean, digits → integer, ``"…"`` or anything else → text."""
    data: Dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise CLIError(f"--data needs key=value, not '{item}'")
        if raw in ("true", "false"):
            data[key] = raw == "true"
        elif len(raw) >= 2 and raw.startswith('"') and raw.endswith('"'):
            data[key] = raw[1:-1]
        elif raw.isascii() and raw.isdigit() and (raw == "0" or not raw.startswith("0")) and int(raw) < 2**63:
            data[key] = int(raw)
        else:
            data[key] = raw
    return data


def put(params: Dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        params[key] = value


# --------------------------------------------------------------------------- connection


class Session:
    """Resolved address and token, and a way to run a body on a logged-in connection."""

    def __init__(self, args: argparse.Namespace):
        self.json = bool(getattr(args, "json", False))
        raw = getattr(args, "addr", None) or os.environ.get("CASELOAD_ADDR") or DEFAULT_ADDRESS
        try:
            self.host, self.port = parse_address(raw)
        except ValueError as e:
            raise CLIError(str(e)) from None
        token = getattr(args, "token", None) or os.environ.get("CASELOAD_TOKEN") or None
        self.token = token
        self.tls = tls_context(args)
        self.server_name = getattr(args, "tls_server_name", None) or os.environ.get("CASELOAD_TLS_SERVER_NAME") or None

    def run(self, body: Callable[[Connection], Any], require_login: bool = True) -> Any:
        if require_login and not self.token:
            raise CLIError("no token: set CASELOAD_TOKEN or pass --token")
        try:
            with Connection(self.host, self.port, tls=self.tls, server_hostname=self.server_name) as conn:
                if self.token:
                    conn.login(self.token)
                return body(conn)
        except ssl.SSLCertVerificationError as e:
            raise CLIError(f"cannot talk to the server at {self.host}:{self.port} over TLS: "
                           f"its certificate does not verify ({e.verify_message})") from None
        except ssl.SSLError as e:
            raise CLIError(f"cannot talk to the server at {self.host}:{self.port} over TLS ({e})") from None
        except ConnectionClosed as e:
            raise CLIError(f"cannot talk to the server at {self.host}:{self.port} ({e}); is caseload-server running?") from None


def tls_context(args: argparse.Namespace) -> Optional[ssl.SSLContext]:
    """A verifying TLS context (a private CA's file, else the system's CAs), or None for plain TCP."""
    ca = getattr(args, "tls_ca", None) or os.environ.get("CASELOAD_TLS_CA") or None
    env_on = os.environ.get("CASELOAD_TLS", "").lower() not in ("", "0", "false", "no", "off")
    if not (getattr(args, "tls", False) or env_on or ca):
        return None
    try:
        context = ssl.create_default_context(cafile=ca)
    except (OSError, ssl.SSLError) as e:
        raise CLIError(f"cannot use the CA file {ca}: {e}") from None
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def pages(conn: Connection, method: str, params: Dict[str, Any], key: str, all_pages: bool) -> Tuple[List[Any], bool]:
    params = dict(params)
    items: List[Any] = []
    while True:
        page = conn.call(method, params)
        items += page.get(key) or []
        nxt = page.get("next_cursor")
        if not isinstance(nxt, str):
            return items, False
        if not all_pages:
            return items, True
        params["cursor"] = nxt


def change(conn: Connection, method: str, record_id: str, version: Optional[int], get_method: str, params: Dict[str, Any]) -> Any:
    params = dict(params, id=record_id)
    params["version"] = version if version is not None else conn.call(get_method, {"id": record_id}).get("version")
    return conn.call(method, params)


# --------------------------------------------------------------------------- commands


def cmd_ping(args: argparse.Namespace, s: Session) -> None:
    def body(conn: Connection) -> Any:
        conn.call("system.ping")
        return conn.call("system.version")

    version = s.run(body, require_login=False)
    if s.json:
        return print_json(version)
    print(f"pong from {s.host}:{s.port} (server {text(version.get('server'))}, protocol {text(version.get('protocol'))})")


def show_company(c: Dict[str, Any], as_json: bool) -> None:
    if as_json:
        return print_json(c)

    def overridden(field: str) -> str:
        reason = c.get(field + "_override")
        return f"  (checksum overridden: {reason})" if reason is not None else ""

    print_record([
        ("id", text(c.get("id"))),
        ("name 名称", text(c.get("name"))),
        ("credit code 信用代码", text(c.get("credit_code")) + overridden("credit_code")),
        ("org code 组织机构代码", text(c.get("org_code")) + overridden("org_code")),
        ("district 区", text(c.get("district_name"))),
        ("HR 人事", f"{text(c.get('hr_name'))}  {text(c.get('hr_phone'))}"),
        ("talent center 人才中心", text(c.get("talent_center_status"))),
        ("version", text(c.get("version"))),
        ("updated", text(c.get("updated_at"))),
    ])


def cmd_company_add(args: argparse.Namespace, s: Session) -> None:
    params: Dict[str, Any] = {"name": args.name}
    for key in ("credit_code", "credit_code_override", "org_code", "org_code_override", "district", "hr_name", "hr_phone"):
        put(params, key, getattr(args, key))
    put(params, "talent_center_status", args.status)
    show_company(s.run(lambda c: c.call("company.create", params)), s.json)


def cmd_company_list(args: argparse.Namespace, s: Session) -> None:
    params: Dict[str, Any] = {"limit": args.limit}
    put(params, "district", args.district)
    put(params, "talent_center_status", args.status)
    put(params, "query", args.query)
    companies, more = s.run(lambda c: pages(c, "company.list", params, "companies", args.all))
    if s.json:
        return print_json(companies)
    print_table(
        ["ID", "名称 NAME", "信用代码 CREDIT CODE", "区 DISTRICT", "人才中心 STATUS", "HR"],
        [
            [text(c.get("id")), text(c.get("name")), c.get("credit_code") or text(c.get("org_code")), text(c.get("district_name")),
             text(c.get("talent_center_status")), f"{text(c.get('hr_name'))} {text(c.get('hr_phone'))}"]
            for c in companies
        ],
    )
    if more:
        print("(more: use --all, or --limit)")


def cmd_company_show(args: argparse.Namespace, s: Session) -> None:
    show_company(s.run(lambda c: c.call("company.get", {"id": args.id})), s.json)


def show_applicant(a: Dict[str, Any], as_json: bool) -> None:
    if as_json:
        return print_json(a)

    def yes(key: str) -> str:
        v = a.get(key)
        return "yes" if v is True else ("no" if v is False else "-")

    deductions = [d for d in (a.get("deductions") or []) if isinstance(d, str)]
    insurance = a.get("social_insurance_months")
    print_record([
        ("id", text(a.get("id"))),
        ("name 姓名", text(a.get("name"))),
        ("ID number 身份证", text(a.get("id_number"))),
        ("born 出生", f"{text(a.get('birth_date'))}  {text(a.get('gender'))}"),
        ("phone 电话", text(a.get("phone"))),
        ("company 单位", text(a.get("company_id"))),
        ("education 学历", named(a.get("education_level"), EDUCATION)
         + ("  (专升本 upgraded from associate)" if a.get("upgraded_from_associate") is True else "")),
        ("skill 技能/职称", named(a.get("skill_level"), SKILL)),
        ("permit 居住证", f"{text(a.get('permit_number'))}  received 领取 {text(a.get('permit_received_date'))}"
                        f"  expires 到期 {text(a.get('permit_expiry_date'))}"),
        ("insurance 社保", f"{insurance} months" if insurance is not None else "-"),
        ("contribution base 缴费基数", named(a.get("contribution_base"), CONTRIBUTION_BASE)),
        ("shortage major 紧缺专业", yes("shortage_major")),
        ("fresh graduate 应届生", yes("fresh_graduate")),
        ("spouse hukou years 配偶户籍年限", text(a.get("spouse_hukou_years"))),
        ("remote district years 远郊年限", text(a.get("remote_district_years"))),
        ("dispatched 劳务派遣", yes("dispatched")),
        ("deductions 减分", ", ".join(deductions) if deductions else "-"),
        ("version", text(a.get("version"))),
        ("updated", when(a.get("updated_at"))),
    ])


def cmd_applicant_add(args: argparse.Namespace, s: Session) -> None:
    params: Dict[str, Any] = {"company_id": args.company, "name": args.name, "id_number": args.id_number}
    put(params, "phone", args.phone)
    put(params, "education_level", args.education)
    put(params, "skill_level", args.skill)
    put(params, "permit_number", args.permit_number)
    put(params, "permit_received_date", args.permit_received)
    put(params, "permit_expiry_date", args.permit_expiry)
    put(params, "social_insurance_months", args.insurance_months)
    put(params, "contribution_base", args.contribution_base)
    show_applicant(s.run(lambda c: c.call("applicant.create", params)), s.json)


def cmd_applicant_list(args: argparse.Namespace, s: Session) -> None:
    params: Dict[str, Any] = {"limit": args.limit}
    put(params, "company_id", args.company)
    put(params, "consultant_id", args.consultant)
    put(params, "query", args.query)
    put(params, "id_number", args.id_number)
    applicants, more = s.run(lambda c: pages(c, "applicant.list", params, "applicants", args.all))
    if s.json:
        return print_json(applicants)
    print_table(
        ["ID", "姓名 NAME", "身份证 ID NUMBER", "单位 COMPANY", "学历 EDUCATION", "居住证到期 PERMIT EXPIRY"],
        [
            [text(a.get("id")), text(a.get("name")), text(a.get("id_number")), short(a.get("company_id")),
             named(a.get("education_level"), EDUCATION), text(a.get("permit_expiry_date"))]
            for a in applicants
        ],
    )
    if more:
        print("(more: use --all, or --limit)")


def cmd_applicant_show(args: argparse.Namespace, s: Session) -> None:
    show_applicant(s.run(lambda c: c.call("applicant.get", {"id": args.id})), s.json)


def show_case(c: Dict[str, Any], as_json: bool) -> None:
    if as_json:
        return print_json(c)
    applicant = c.get("applicant") or {}
    due = f"  (due 期限 {when(c.get('stage_due_at'))})" if c.get("stage_due_at") is not None else ""
    lateness = late(c)
    pairs = [
        ("id", text(c.get("id"))),
        ("applicant 申请人", f"{text(applicant.get('name'))}  {text(applicant.get('id_number'))}  ({text(applicant.get('id'))})"),
        ("company 单位", text(c.get("company_id"))),
        ("kind 类型", text(c.get("kind_name"))),
        ("stage 阶段", f"{stage(c)}  ({text(c.get('stage'))})"),
        ("status 状态", named(c.get("status"), CASE_STATUS)),
        ("days in stage 天数", text(c.get("days_in_stage")) + due + (f"  {lateness}" if lateness else "")),
        ("next stages 下一步", ", ".join(text(x) for x in (c.get("next_stages") or []))),
    ]
    recorded = {k: stage_data(v) for k, v in (c.get("recorded") or {}).items() if stage_data(v)}
    if not recorded:
        pairs.append(("recorded 已记录", "-"))
    for i, key in enumerate(sorted(recorded)):
        pairs.append(("recorded 已记录" if i == 0 else "", f"{key}: {recorded[key]}"))
    pairs += [
        ("version", text(c.get("version"))),
        ("opened 立案", when(c.get("opened_at"))),
        ("closed 结束", when(c.get("closed_at"))),
    ]
    print_record(pairs)


def cmd_case_open(args: argparse.Namespace, s: Session) -> None:
    params = {"applicant_id": args.applicant, "kind": args.kind, "data": parse_data(args.data)}
    show_case(s.run(lambda c: c.call("case.open", params)), s.json)


def cmd_case_list(args: argparse.Namespace, s: Session) -> None:
    params: Dict[str, Any] = {"limit": args.limit}
    put(params, "company_id", args.company)
    put(params, "consultant_id", args.consultant)
    put(params, "applicant_id", args.applicant)
    put(params, "kind", args.kind)
    put(params, "stage", args.stage)
    put(params, "status", args.status)
    if args.late:
        params["late"] = True
    cases, more = s.run(lambda c: pages(c, "case.list", params, "cases", args.all))
    if s.json:
        return print_json(cases)
    print_table(
        ["ID", "申请人 APPLICANT", "类型 KIND", "阶段 STAGE", "天数 DAYS", "逾期 LATE", "STATUS"],
        [
            [text(c.get("id")), text((c.get("applicant") or {}).get("name")), text(c.get("kind_name")), stage(c),
             text(c.get("days_in_stage")), late(c), text(c.get("status"))]
            for c in cases
        ],
    )
    if more:
        print("(more: use --all, or --limit)")


def cmd_case_show(args: argparse.Namespace, s: Session) -> None:
    show_case(s.run(lambda c: c.call("case.get", {"id": args.id})), s.json)


def cmd_case_advance(args: argparse.Namespace, s: Session) -> None:
    params: Dict[str, Any] = {"to": args.to, "data": parse_data(args.data)}
    if args.override and not args.reason:
        raise CLIError("--override needs --reason: why the rules are overridden")
    if args.reason and not args.override:
        raise CLIError("--reason goes with --override (for returns, withdrawals and holds use their own commands)")
    if args.override:
        params["override"] = {"rules": args.override, "reason": args.reason}
    show_case(s.run(lambda c: change(c, "case.advance", args.id, args.version, "case.get", params)), s.json)


def deadline_state(d: Dict[str, Any]) -> str:
    parts = [named(d.get("state"), DEADLINE_STATE)]
    if d.get("overdue") is True:
        parts.append("逾期 overdue")
    if d.get("provisional") is True:
        parts.append("暂定 provisional")
    kind = d.get("kind") or ("expectation" if d.get("is_expectation") is True else "due")
    if kind != "due":
        parts.append(named(kind, DEADLINE_KIND))
    return "  ".join(parts)


def cmd_deadline_list(args: argparse.Namespace, s: Session) -> None:
    if args.state and (args.overdue or args.upcoming is not None) and args.state not in PENDING_STATES:
        raise CLIError(f"--overdue and --upcoming list only pending deadlines (waiting, open, missed), not --state {args.state}")
    if args.include_missed and args.upcoming is None:
        raise CLIError("--include-missed goes with --upcoming")
    params: Dict[str, Any] = {}
    put(params, "upcoming_working_days", args.upcoming)
    if args.include_missed:
        params["include_missed"] = True
    if args.overdue:
        params["overdue"] = True
    put(params, "state", args.state)
    put(params, "company_id", args.company)
    put(params, "consultant_id", args.consultant)
    put(params, "case_id", args.case)
    put(params, "applicant_id", args.applicant)
    put(params, "rule", args.rule)
    if args.provisional:
        params["provisional"] = True
    put(params, "limit", args.limit)
    fetched = s.run(lambda c: c.call("deadline.list", params).get("deadlines") or [])
    deadlines = [d for d in fetched if d.get("state") == args.state] if args.state else fetched
    if s.json:
        return print_json(deadlines)
    rows = []
    for d in deadlines:
        pending = d.get("state") in PENDING_STATES
        rows.append([
            text(d.get("id")), day(d.get("due_date")), text(d.get("working_days_left")) if pending else "", text(d.get("title")),
            f"{short(d.get('applicant_id'))} / {short(d.get('case_id'))}", deadline_state(d),
        ])
    if not rows:
        return print("(no deadlines)")
    print_table(["ID", "到期 DUE", "剩余 LEFT", "事项 WHAT", "申请人/案件 APPLICANT/CASE", "状态 STATE"], rows)
    if len(fetched) == (args.limit or 200):
        print("(more: use --limit)")


class ReportSink:
    """Report pages go to standard output, or to a temporary file beside ``path`` that
    :meth:`close` renames into place (and :meth:`discard` removes), so a failed report never
    leaves a partial file that looks whole."""

    def __init__(self, path: Optional[str]):
        self.path = path
        self.bytes = 0
        self.partial: Optional[str] = None
        if path is None:
            self.handle = sys.stdout.buffer
            return
        if os.path.isdir(path):
            raise CLIError(f"{path} is a directory; give a file name with --out")
        directory = os.path.dirname(os.path.abspath(path))
        try:
            fd, self.partial = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".part", dir=directory)
        except OSError as e:
            raise CLIError(f"cannot create {path} (is the directory there, and writable?): {e.strerror}") from None
        self.handle = os.fdopen(fd, "wb")

    def write(self, content: str) -> None:
        data = content.encode("utf-8")
        try:
            self.handle.write(data)
            self.handle.flush()
        except OSError as e:
            raise CLIError(f"cannot write {self.path or 'standard output'}: {e.strerror}") from None
        self.bytes += len(data)

    def close(self) -> None:
        if self.path is None or self.partial is None:
            return
        try:
            self.handle.flush()
            os.fsync(self.handle.fileno())
            self.handle.close()
            os.chmod(self.partial, 0o644 & ~_umask())
            os.replace(self.partial, self.path)
        except OSError as e:
            self.discard()
            raise CLIError(f"cannot write {self.path}: {e.strerror}") from None

    def discard(self) -> None:
        if self.partial is None:
            return
        try:
            self.handle.close()
        except OSError:
            pass
        try:
            os.unlink(self.partial)
        except OSError:
            pass


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_report(conn: Connection, method: str, params: Dict[str, Any], sink: ReportSink) -> int:
    """Calls ``method`` page by page (``next_cursor``), writing each page's content as it comes.
    Returns the number of rows."""
    params = dict(params)
    previous: Optional[str] = None
    rows = 0
    while True:
        page = conn.call(method, params)
        content = page.get("content")
        if not isinstance(content, str):
            raise CLIError("the server's page has no content")
        sink.write(content)
        rows = page.get("rows_done", rows)
        nxt = page.get("next_cursor")
        if not isinstance(nxt, str):
            return rows
        if nxt == previous:
            raise CLIError("the server returned the same page cursor twice; stopped")
        previous = nxt
        params["cursor"] = nxt


def cmd_report_company(args: argparse.Namespace, s: Session) -> None:
    params: Dict[str, Any] = {"company_id": args.company_id, "format": args.format}
    put(params, "kind", args.kind)
    put(params, "stage", args.stage)
    put(params, "status", args.status)
    if args.late:
        params["late"] = True
    put(params, "page_size", args.page_size)
    to_stdout = args.out == "-"
    sink = ReportSink(None if to_stdout else args.out)
    try:
        rows = s.run(lambda c: write_report(c, "report.company", params, sink))
        sink.close()
    except BaseException:
        sink.discard()
        raise
    name = "standard output" if to_stdout else args.out
    if s.json:
        summary = json.dumps({"out": args.out, "format": args.format, "rows": rows, "bytes": sink.bytes}, ensure_ascii=False)
        if to_stdout:
            print(summary, file=sys.stderr)
        else:
            print_json({"out": args.out, "format": args.format, "rows": rows, "bytes": sink.bytes})
        return
    line = f"wrote {name} ({rows} row{'' if rows == 1 else 's'}, {sink.bytes} bytes)"
    print(line, file=sys.stderr if to_stdout else sys.stdout)


# --------------------------------------------------------------------------- argument parsing


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--addr", default=argparse.SUPPRESS, help="server address host:port (env CASELOAD_ADDR; default 127.0.0.1:7420)")
    common.add_argument("--token", default=argparse.SUPPRESS, help="API token (env CASELOAD_TOKEN, preferred: flags show in `ps`)")
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print machine-readable JSON instead of a table")
    common.add_argument("--tls", action="store_true", default=argparse.SUPPRESS, help="connect with TLS, trusting the system's CAs (env CASELOAD_TLS=1)")
    common.add_argument("--tls-ca", dest="tls_ca", metavar="FILE", default=argparse.SUPPRESS,
                        help="connect with TLS, trusting only the CA certificates in this PEM file (env CASELOAD_TLS_CA)")
    common.add_argument("--tls-server-name", dest="tls_server_name", metavar="NAME", default=argparse.SUPPRESS,
                        help="the name the server's certificate must carry (default: the host; env CASELOAD_TLS_SERVER_NAME)")

    parser = argparse.ArgumentParser(
        prog=PROG,
        parents=[common],
        description="Talk to a Caseload server: client companies, applicants, cases, deadlines, reports.",
        epilog="Set CASELOAD_ADDR (default 127.0.0.1:7420) and CASELOAD_TOKEN. Add --json to any command for JSON.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    def leaf(group: Any, name: str, handler: Callable[..., None], help_text: str) -> argparse.ArgumentParser:
        p = group.add_parser(name, parents=[common], help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    def group(name: str, help_text: str) -> Any:
        p = commands.add_parser(name, help=help_text, description=help_text)
        sub = p.add_subparsers(dest="subcommand", metavar="SUBCOMMAND")
        sub.required = True
        return sub

    leaf(commands, "ping", cmd_ping, "Check that the server answers (no login needed).")

    company = group("company", "Client companies (用人单位).")
    p = leaf(company, "add", cmd_company_add, "Add a client company.")
    p.add_argument("--name", required=True, help="registered name (单位名称)")
    p.add_argument("--credit-code", dest="credit_code", help="unified social credit code (统一社会信用代码)")
    p.add_argument("--credit-code-override", dest="credit_code_override", help="reason to accept a credit code that fails its checksum")
    p.add_argument("--org-code", dest="org_code", help="organization code (组织机构代码), XXXXXXXX-X")
    p.add_argument("--org-code-override", dest="org_code_override", help="reason to accept an organization code that fails its checksum")
    p.add_argument("--district", help="district: pudong, xuhui, … or 浦东新区, 徐汇区, …")
    p.add_argument("--hr-name", dest="hr_name", help="HR contact's name")
    p.add_argument("--hr-phone", dest="hr_phone", help="HR contact's mobile number")
    p.add_argument("--status", help="talent-center status: unregistered, registered_online, activated, change_pending")
    p = leaf(company, "list", cmd_company_list, "List client companies by name.")
    p.add_argument("--district", help="only this district (code, e.g. pudong)")
    p.add_argument("--status", help="only this talent-center status")
    p.add_argument("--query", help="only names containing this text")
    p.add_argument("--limit", type=int, default=50, help="companies per page (default 50)")
    p.add_argument("--all", action="store_true", help="fetch every page, not just the first")
    p = leaf(company, "show", cmd_company_show, "Show one client company.")
    p.add_argument("id", help="company id")

    applicant = group("applicant", "Applicants (申请人): employees of client companies.")
    p = leaf(applicant, "add", cmd_applicant_add, "Add an applicant under a client company.")
    p.add_argument("--company", required=True, help="the employer's company id")
    p.add_argument("--name", required=True, help="name as on the ID card")
    p.add_argument("--id-number", dest="id_number", required=True, help="resident ID number (居民身份证号码), 18 characters")
    p.add_argument("--phone", help="mobile number")
    p.add_argument("--education", help="associate, bachelor, bachelor_degree, master, doctor")
    p.add_argument("--skill", help="level5 … level1, intermediate_title, senior_title")
    p.add_argument("--permit-number", dest="permit_number", help="residence permit number (居住证号)")
    p.add_argument("--permit-received", dest="permit_received", help="date the residence permit was received, YYYY-MM-DD")
    p.add_argument("--permit-expiry", dest="permit_expiry", help="date the residence permit expires, YYYY-MM-DD")
    p.add_argument("--insurance-months", dest="insurance_months", type=int, help="full months of Shanghai social insurance")
    p.add_argument("--contribution-base", dest="contribution_base", help="at_least_0.8, at_least_1, at_least_2, at_least_3")
    p = leaf(applicant, "list", cmd_applicant_list, "List applicants by name.")
    p.add_argument("--company", help="only this company's applicants")
    p.add_argument("--consultant", help="only applicants of companies assigned to this user")
    p.add_argument("--query", help="only names containing this text")
    p.add_argument("--id-number", dest="id_number", help="only the applicant with exactly this ID number")
    p.add_argument("--limit", type=int, default=50, help="applicants per page (default 50)")
    p.add_argument("--all", action="store_true", help="fetch every page, not just the first")
    p = leaf(applicant, "show", cmd_applicant_show, "Show one applicant (ID number and phone masked).")
    p.add_argument("id", help="applicant id")

    case = group("case", "Cases (办件): one applicant's matter moving through the government's stages.")
    data_help = 'stage data key=value (repeatable): true/false → boolean, digits → integer, "…" or anything else → text'
    p = leaf(case, "open", cmd_case_open, "Open a case for an applicant at its kind's first stage.")
    p.add_argument("--applicant", required=True, help="applicant id")
    p.add_argument("--kind", required=True, help="points_new, points_renewal, hukou_transfer, talent_introduction")
    p.add_argument("--data", action="append", default=[], help=data_help)
    p = leaf(case, "list", cmd_case_list, "List cases, oldest first.")
    p.add_argument("--company", help="only this company's cases")
    p.add_argument("--consultant", help="only cases of companies assigned to this user")
    p.add_argument("--applicant", help="only this applicant's cases")
    p.add_argument("--kind", help="only this kind")
    p.add_argument("--stage", help="only cases in this stage (id, e.g. submitted_online)")
    p.add_argument("--status", help="only this status: active, on_hold, withdrawn, closed")
    p.add_argument("--late", action="store_true", help="only active cases past the time allowed in their stage")
    p.add_argument("--limit", type=int, default=50, help="cases per page (default 50)")
    p.add_argument("--all", action="store_true", help="fetch every page, not just the first")
    p = leaf(case, "show", cmd_case_show, "Show one case: stage, data recorded per stage, next stages.")
    p.add_argument("id", help="case id")
    p = leaf(case, "advance", cmd_case_advance, "Move a case to a next stage, with that stage's data.")
    p.add_argument("id", help="case id")
    p.add_argument("--version", type=int, help="the version you last saw (default: read just before)")
    p.add_argument("--to", required=True, help="target stage id (see next stages in `case show`)")
    p.add_argument("--data", action="append", default=[], help=data_help)
    p.add_argument("--override", action="append", default=[], help="a rule to override (repeatable; needs --reason)")
    p.add_argument("--reason", help="why the rules are overridden (recorded)")

    deadline = group("deadline", "Deadlines (期限), counted in Chinese working days.")
    p = leaf(deadline, "list", cmd_deadline_list, "List deadlines by due date.")
    p.add_argument("--upcoming", type=int, metavar="WORKING_DAYS", help="only waiting and open dates within this many working days")
    p.add_argument("--include-missed", action="store_true", help="with --upcoming: the missed due dates too")
    p.add_argument("--overdue", action="store_true", help="only due dates still pending after their day")
    p.add_argument("--state", help="only this state: waiting, open, missed, done, waived, satisfied, cancelled")
    p.add_argument("--company", help="only this company's")
    p.add_argument("--consultant", help="only companies assigned to this user")
    p.add_argument("--case", help="only this case's")
    p.add_argument("--applicant", help="only this applicant's")
    p.add_argument("--rule", help="only deadlines of this rule")
    p.add_argument("--provisional", action="store_true", help="only dates counted into a year the calendar does not know")
    p.add_argument("--limit", type=int, help="how many (default 200)")

    report = group("report", "Write a report to a file, page by page as it arrives.")
    p = leaf(report, "company", cmd_report_company, "One client company: its applicants and their cases.")
    p.add_argument("company_id", metavar="ID", help="company id")
    p.add_argument("--format", required=True, choices=["csv", "json", "md", "html"], help="csv, json, md or html")
    p.add_argument("--out", required=True, help="the file to write (replaced if it exists), or - for standard output")
    p.add_argument("--kind", help="only this case kind")
    p.add_argument("--stage", help="only cases in this stage")
    p.add_argument("--status", help="only this status")
    p.add_argument("--late", action="store_true", help="only late cases")
    p.add_argument("--page-size", dest="page_size", type=int, help="cases per page from the server (default: the server's)")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        session = Session(args)
        args.handler(args, session)
    except RpcError as e:
        print("\n".join(error_lines(e)), file=sys.stderr)
        return 1
    except CLIError as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return 1
    except CaseloadError as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
