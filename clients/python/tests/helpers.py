"""Test data helpers: valid identifiers and dates."""

from __future__ import annotations

import datetime as dt

CREDIT_CODE = "91350200776049653A"  # a real-format unified social credit code with a valid check character
BAD_CREDIT_CODE = "91350200776049653B"
ID_NUMBER = "11010519491231002X"

_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK = "10X98765432"


def id_number(birth: str = "19900307", sequence: int = 123, region: str = "110101") -> str:
    """A resident ID number with a correct check character (GB 11643)."""
    body = f"{region}{birth}{sequence:03d}"
    assert len(body) == 17
    return body + _CHECK[sum(int(c) * w for c, w in zip(body, _WEIGHTS)) % 11]


def days_ago(n: int) -> str:
    return (dt.date.today() - dt.timedelta(days=n)).isoformat()
