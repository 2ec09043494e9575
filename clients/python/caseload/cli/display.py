"""How the CLI prints: text of values, tables, records, errors, names of codes, dates in Shanghai."""

from __future__ import annotations

import datetime as _dt
import json
import re
from typing import Any, Dict, List, Sequence, Tuple

from ..errors import RpcError
from ..table import render_record, render_table


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


# The names of protocol values come from the server (``system.labels``), loaded with the first
# connection (``Session.run``); before that, or from a server without the method, values print bare.
_LABELS: Dict[str, Dict[str, str]] = {}


def install_labels(catalogue: Any) -> None:
    """Keeps a ``system.labels`` result's groups by name (stage names come with each case)."""
    def names(labels: Any) -> Dict[str, str]:
        return {l["value"]: l["zh"] for l in labels or [] if isinstance(l, dict) and "value" in l and "zh" in l}

    _LABELS.clear()
    for group in (catalogue or {}).get("groups", []):
        _LABELS[group.get("name", "")] = names(group.get("labels"))


def labels(group: str) -> Dict[str, str]:
    """The Chinese names of a group's values (empty until loaded)."""
    return _LABELS.get(group, {})


def labels_loaded() -> bool:
    return bool(_LABELS)


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
    """The first block of a uuid, enough to tell rows apart in a table (the server takes it
    back wherever an id is)."""
    return value.split("-", 1)[0] if isinstance(value, str) else text(value)


def case_name(kind: Any, stage_zh: Any) -> str:
    """A case in a line: ``积分新办 受理``; ``-`` for none (an applicant's own date)."""
    if not isinstance(kind, str):
        return "-"
    return " ".join(x for x in [labels("case_kind").get(kind, kind), stage_zh if isinstance(stage_zh, str) else None] if x)


def stage(c: Dict[str, Any]) -> str:
    return f"{text(c.get('stage_name_zh'))} {text(c.get('stage_name_en'))}"


def late(c: Dict[str, Any]) -> str:
    return "逾期 late" if c.get("late") is True else ""


def stage_data(value: Any) -> str:
    if not isinstance(value, dict) or not value:
        return ""
    return ", ".join(f"{k}={v if isinstance(v, str) else text(v)}" for k, v in sorted(value.items()))
