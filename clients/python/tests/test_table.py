"""Display widths and tables: Chinese text lines up with ASCII."""

from __future__ import annotations

from caseload.cli import day, error_lines, parse_data, when
from caseload.errors import ValidationFailed, error_class, error_from_response, RpcError
from caseload.table import display_width, render_record, render_table


def test_display_width():
    assert display_width("abc") == 3
    assert display_width("上海") == 4
    assert display_width("ｅ") == 2          # fullwidth (F)
    assert display_width("é") == 2 - 1      # e + combining acute: one column
    assert display_width("“x”") == 3         # ambiguous (A) stays narrow
    assert display_width("한국") == 4


def test_table_aligns_by_display_width():
    table = render_table(["名称 NAME", "X"], [["上海浦江软件有限公司", "1"], ["abc", "22"]])
    lines = table.splitlines()
    assert lines == [
        "名称 NAME             X",
        "--------------------  --",
        "上海浦江软件有限公司  1",
        "abc                   22",
    ]
    # Every line's second column starts at the same display column.
    starts = {display_width(line[: line.rindex(" ") + 1]) for line in lines if "  " in line}
    assert len(starts) == 1


def test_table_cells_stay_on_one_line():
    assert render_table(["a"], [["x\ny\tz"]]).splitlines()[2] == "x y z"


def test_record():
    assert render_record([("id", "1"), ("名称", "上海")]) == "id    1\n名称  上海"


def test_helpers():
    assert day("2026-10-10") == "2026-10-10 周六 Sat"
    assert when("2026-11-27T03:29:09Z") == "2026-11-27 11:29"
    assert when("2026-11-27T03:29:09.123456+00:00") == "2026-11-27 11:29"
    assert parse_data(["a=true", "b=12", 'c="0012"', "d=2026-01-01", "e=012"]) == {
        "a": True, "b": 12, "c": "0012", "d": "2026-01-01", "e": "012"}


def test_error_classes():
    e = error_from_response({"code": -32005, "message": "m", "data": {"errors": [{"field": "f", "rule": "r", "message": "x"}]}})
    assert type(e) is ValidationFailed and e.errors[0]["field"] == "f"
    assert error_lines(e) == ["caseload-py: validation_failed (-32005):", "  f: x (r)"]
    unknown = error_from_response({"code": -31999, "message": "new"})
    assert type(unknown) is RpcError and unknown.errors == [] and unknown.name is None
    assert error_class(-32601).name == "method_not_found"
    codes = {error_class(c).name for c in (-32700, -32600, -32601, -32602, -32603, -32001, -32002, -32003,
                                            -32004, -32005, -32006, -32007, -32008)}
    assert None not in codes and len(codes) == 13
