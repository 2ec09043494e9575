"""The everyday commands: ping, companies, applicants, cases, deadlines."""

from __future__ import annotations

import argparse
import os
from typing import Any, Dict

from ..client import Connection
from .display import CLIError, PENDING_STATES, case_name, day, labels, late, named, print_json, print_record, print_table, short, stage, stage_data, text, when
from .session import Session, change, pages, parse_data, put, save_login


def cmd_login(args: argparse.Namespace, s: Session) -> None:
    """Checks the token and saves it with the address where both CLIs read it."""
    if not s.token:
        raise CLIError("give the token with --token or CASELOAD_TOKEN")
    me = s.run(lambda c: c.call("auth.whoami"))
    tls = None
    if s.tls is not None:
        tls = {k: v for k, v in {"ca": os.path.abspath(args.tls_ca) if getattr(args, "tls_ca", None) else None,
                                  "serverName": s.server_name}.items() if v}
    path = save_login(f"{s.host}:{s.port}", s.token, tls)
    if s.json:
        return print_json(me)
    print(f"Logged in to {text(me.get('agency_name'))} as {text(me.get('user_name'))} ({text(me.get('role'))}); saved to {path}")


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
        ("company 单位", "  ".join(v for v in (a.get("company_short_name"), a.get("company_id")) if isinstance(v, str) and v)),
        ("education 学历", named(a.get("education_level"), labels("education"))
         + ("  (专升本 upgraded from associate)" if a.get("upgraded_from_associate") is True else "")),
        ("skill 技能/职称", named(a.get("skill_level"), labels("skill"))),
        ("permit 居住证", f"{text(a.get('permit_number'))}  received 领取 {text(a.get('permit_received_date'))}"
                        f"  expires 到期 {text(a.get('permit_expiry_date'))}"),
        ("insurance 社保", f"{insurance} months" if insurance is not None else "-"),
        ("contribution base 缴费基数", named(a.get("contribution_base"), labels("contribution_base"))),
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
            [text(a.get("id")), text(a.get("name")), text(a.get("id_number")), text(a.get("company_short_name")),
             named(a.get("education_level"), labels("education")), text(a.get("permit_expiry_date"))]
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
        ("status 状态", named(c.get("status"), labels("case_status"))),
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
        ["ID", "申请人 APPLICANT", "单位 COMPANY", "类型 KIND", "阶段 STAGE", "天数 DAYS", "逾期 LATE", "STATUS"],
        [
            [short(c.get("id")), text((c.get("applicant") or {}).get("name")), text(c.get("company_short_name")),
             text(c.get("kind_name")), stage(c), text(c.get("days_in_stage")), late(c), text(c.get("status"))]
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
    parts = [named(d.get("state"), labels("deadline_state"))]
    if d.get("overdue") is True:
        parts.append("逾期 overdue")
    if d.get("provisional") is True:
        parts.append("暂定 provisional")
    kind = d.get("kind") or ("expectation" if d.get("is_expectation") is True else "due")
    if kind != "due":
        parts.append(named(kind, labels("deadline_kind")))
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
            short(d.get("id")), day(d.get("due_date")), text(d.get("working_days_left")) if pending else "", text(d.get("title")),
            text(d.get("applicant_name")), text(d.get("company_short_name")), case_name(d.get("case_kind"), d.get("case_stage_name_zh")),
            deadline_state(d),
        ])
    if not rows:
        return print("(no deadlines)")
    print_table(["ID", "到期 DUE", "剩余 LEFT", "事项 WHAT", "申请人 APPLICANT", "单位 COMPANY", "案件 CASE", "状态 STATE"], rows)
    if len(fetched) == (args.limit or 200):
        print("(more: use --limit)")


AGENDA_COMMANDS = {
    "deadline.done": lambda p: f"deadline done {short(p.get('id'))}",
    "case.advance": lambda p: f"case advance {short(p.get('id'))} --to {text(p.get('to'))}",
    "document.collect": lambda p: f"doc collect {short(p.get('id'))} --authority {text(p.get('authority'))}",
    "case.get": lambda p: f"case show {short(p.get('id'))}",
}


def agenda_command(action: Any) -> str:
    """The command that makes the call an agenda line's ``action`` names."""
    if not isinstance(action, dict):
        return ""
    render = AGENDA_COMMANDS.get(action.get("method"))
    return f"caseload {render(action.get('params') or {})}" if render else text(action.get("method"))


def show_agenda(args: argparse.Namespace, s: Session, days: int) -> None:
    params: Dict[str, Any] = {"days": days}
    put(params, "company_id", getattr(args, "company", None))
    put(params, "consultant_id", getattr(args, "consultant", None))
    agenda = s.run(lambda c: c.call("agenda.get", params))
    if s.json:
        return print_json(agenda)
    kinds = labels("agenda_item")
    counts = [f"{kinds.get(k, k)} {k} {n}" for k, n in (agenda.get("counts") or {}).items() if n]
    span = day(agenda.get("date")) if agenda.get("until") == agenda.get("date") else f"{day(agenda.get('date'))} – {day(agenda.get('until'))}"
    print(f"待办 AGENDA  {span}  " + (", ".join(counts) if counts else "(nothing to do)"))
    for group in agenda.get("companies") or []:
        items = group.get("items") or []
        print()
        print(f"单位 COMPANY {text(group.get('company_short_name'))}  ({len(items)})")
        print_table(
            ["", "日期 DATE", "天 DAYS", "事项 WHAT", "申请人 APPLICANT", "案件 CASE", "操作 COMMAND"],
            [
                [f"{kinds.get(i.get('kind'), i.get('kind'))} {i.get('kind')}" + (" 已提醒" if i.get("reminded_today") else ""),
                 day(i.get("date")) if i.get("date") else "", text(i.get("days")), text(i.get("title")), text(i.get("applicant_name")),
                 case_name(i.get("case_kind"), i.get("case_stage_name_zh")), agenda_command(i.get("action"))]
                for i in items
            ],
        )


def cmd_today(args: argparse.Namespace, s: Session) -> None:
    show_agenda(args, s, 0)


def cmd_agenda(args: argparse.Namespace, s: Session) -> None:
    show_agenda(args, s, args.days if args.days is not None else (5 if args.week else 0))
