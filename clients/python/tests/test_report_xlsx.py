"""The xlsx report, written by caseload-py against a real server and read back by real readers:
openpyxl (as Excel reads it: sheets, typed cells, frozen header, autofilter, widths) and
LibreOffice headless (which converts it to CSV; `make test` installs it)."""

from __future__ import annotations

import csv
import datetime
import json
import os
import shutil
import subprocess
import unicodedata
import zipfile
from pathlib import Path

import openpyxl
import pytest

from caseload import Connection
from conftest import run
from test_flow import run_cli

CASES = 45


def display_width(text: str) -> int:
    """Columns a string takes in a fixed-width grid: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


@pytest.fixture
def seeded(caseload_server):
    """A fresh agency with one demo company of CASES cases; its token and the company id."""
    agency = caseload_server.create_agency()
    run([str(caseload_server.bin_path / "caseload-server"), "admin", "seed-demo", "--agency", agency["agency_id"],
         "--companies", "1", "--applicants", str(CASES), "--database-url", caseload_server.admin_db_url],
        env=caseload_server.env, timeout=300)
    with Connection(caseload_server.host, caseload_server.port, timeout=30) as conn:
        conn.login(agency["token"])
        company = conn.call("company.list")["companies"][0]["id"]
        report = json.loads("".join(page_contents(conn, {"company_id": company, "format": "json"})))
    return agency["token"], company, report["sections"][0]["rows"]


def page_contents(conn, params):
    params = dict(params)
    while True:
        page = conn.call("report.company", params)
        yield page["content"]
        if page["next_cursor"] is None:
            return
        params["cursor"] = page["next_cursor"]


def write_xlsx(caseload_py, caseload_server, token, company, path: Path) -> None:
    done = run_cli(caseload_py, caseload_server, token, "report", "company", company, "--format", "xlsx",
                   "--out", str(path), "--page-size", "7").stdout
    assert done.startswith(f"wrote {path} ({CASES} rows, ")
    assert path.read_bytes()[:4] == b"PK\x03\x04"


def test_xlsx_reads_back_in_openpyxl_with_typed_cells(caseload_py, caseload_server, seeded, tmp_path):
    token, company, rows = seeded
    path = tmp_path / "进度报告.xlsx"
    write_xlsx(caseload_py, caseload_server, token, company, path)

    # The container: every CRC right (zipfile checks them), the cases sheet deflated although
    # it was streamed across seven calls.
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        sheet_entry = archive.getinfo("xl/worksheets/sheet2.xml")
        assert sheet_entry.compress_type == zipfile.ZIP_DEFLATED
        assert sheet_entry.compress_size * 4 < sheet_entry.file_size, (sheet_entry.compress_size, sheet_entry.file_size)

    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["概要 Summary", "案件 Cases"]
    summary = {r[0]: r[1] for r in book["概要 Summary"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert summary["案件 Cases"] == CASES  # a number, not text
    assert isinstance(summary["逾期案件 Late cases"], int)

    sheet = book["案件 Cases"]
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["申请人 Applicant", "身份证 ID number", "单位 Company"]
    assert sheet.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(header))}{CASES + 1}"
    assert sheet.max_row == CASES + 1
    column = {name: i for i, name in enumerate(header)}

    dates = 0
    for json_row, cells in zip(rows, sheet.iter_rows(min_row=2, values_only=True)):
        assert cells[column["申请人 Applicant"]] == json_row["applicant"]
        assert cells[column["身份证 ID number"]] == json_row["id_number"]
        assert cells[column["天数 Days in stage"]] == int(json_row["days_in_stage"])  # a number
        due = cells[column["下一期限 Next deadline"]]
        if json_row["next_deadline"]:
            # A date cell (openpyxl gives datetimes for date-formatted numbers), the JSON's date.
            assert isinstance(due, datetime.datetime), due
            assert json_row["next_deadline"].startswith(due.date().isoformat())
            dates += 1
        else:
            assert due is None
        missing = cells[column["缺少材料数 Missing"]]
        assert missing == (len(json_row["missing_documents"].split("; ")) if json_row["missing_documents"] else 0)
    assert dates > 0
    # Date cells carry a date format, so Excel shows 2026-12-01, not 46357.
    first_date = next(c for c in sheet[openpyxl.utils.get_column_letter(column["下一期限 Next deadline"] + 1)][1:] if c.value)
    assert first_date.is_date and first_date.number_format == "yyyy-mm-dd"

    # Columns fit their Chinese text (a CJK character is two columns wide): each is as wide as
    # its widest cell, header included, up to 60; longer text wraps in its cell.
    for index, name in enumerate(header):
        letter = openpyxl.utils.get_column_letter(index + 1)
        width = sheet.column_dimensions[letter].width
        widest = max(display_width(str(c.value)) for c in sheet[letter] if c.value is not None)
        assert width >= min(widest, 60), f"{name}: width {width} < {widest}"
        if widest > width:
            assert all(c.alignment.wrap_text for c in sheet[letter][1:] if isinstance(c.value, str)), name


def test_xlsx_converts_in_libreoffice(caseload_py, caseload_server, seeded, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (Debian libreoffice-calc-nogui; deploy/ensure-deps.sh --print installs it)")
    token, company, rows = seeded
    path = tmp_path / "report.xlsx"
    write_xlsx(caseload_py, caseload_server, token, company, path)
    out = tmp_path / "converted"
    # Every sheet to its own UTF-8 CSV (filter options: comma, quote, UTF-8, …, sheet -1 = all).
    proc = subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--convert-to",
         "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1", "--outdir", str(out), str(path)],
        capture_output=True, text=True, timeout=180, env=dict(os.environ, HOME=str(tmp_path)))
    assert proc.returncode == 0, proc.stderr
    converted = {p.name: p for p in out.iterdir()}
    cases_csv = next((p for name, p in converted.items() if "Cases" in name), None)
    assert cases_csv is not None, f"LibreOffice wrote {sorted(converted)}: {proc.stdout} {proc.stderr}"
    table = list(csv.reader(cases_csv.open(encoding="utf-8")))
    assert table[0][0] == "申请人 Applicant"
    assert len(table) == CASES + 1
    assert [r[0] for r in table[1:]] == [r["applicant"] for r in rows]
    # The dates come out as dates in the sheet's format, not as serial numbers.
    due = [r[8] for r in table[1:] if r[8]]
    assert due and all(len(d) == 10 and d[4] == "-" and d[7] == "-" for d in due), due[:3]
