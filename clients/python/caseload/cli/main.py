"""The argument parser and the entry point."""

from __future__ import annotations

import argparse
import sys
from typing import Any, Callable, Optional, Sequence

from ..errors import CaseloadError, RpcError
from .display import CLIError, PROG, error_lines
from .session import Session
from .records import cmd_applicant_add, cmd_applicant_list, cmd_applicant_show, cmd_case_advance, cmd_case_list, cmd_case_open, cmd_case_show, cmd_company_add, cmd_company_list, cmd_company_show, cmd_agenda, cmd_deadline_list, cmd_login, cmd_ping, cmd_today
from .reports import cmd_report_company


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
    leaf(commands, "login", cmd_login, "Check a token and save it with the address (and TLS settings) where both CLIs read it "
                                       "($XDG_CONFIG_HOME/caseload/login.json, mode 0600).")
    leaf(commands, "today", cmd_today, "Today's agenda (今日待办): what is due or overdue, what may be done now, late cases, originals out.")
    p = leaf(commands, "agenda", cmd_agenda, "The agenda (待办) by company, each line with the command that acts on it.")
    p.add_argument("--week", action="store_true", help="the coming 5 working days")
    p.add_argument("--days", type=int, help="working days ahead (default 0: today)")
    p.add_argument("--company", help="only this company (id or its first characters)")
    p.add_argument("--consultant", help="only this consultant's companies")

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
    p.add_argument("--format", required=True, choices=["csv", "json", "md", "html", "xlsx"], help="csv, json, md, html or xlsx")
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
