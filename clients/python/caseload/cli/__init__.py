"""``caseload-py``: the everyday commands of the ``caseload`` CLI, in Python.

Same conventions as the Swift CLI: ``CASELOAD_ADDR`` (default 127.0.0.1:7420) and
``CASELOAD_TOKEN`` (flags ``--addr``/``--token`` override), TLS with ``--tls`` / ``--tls-ca FILE``
(``CASELOAD_TLS=1`` / ``CASELOAD_TLS_CA``), aligned tables (by display width, so Chinese lines
up) or ``--json``, and the server's errors printed with one line per field and rule, exit status 1.
"""

from .display import day, error_lines, when
from .main import build_parser, main
from .session import parse_data

__all__ = ["build_parser", "day", "error_lines", "main", "parse_data", "when"]
