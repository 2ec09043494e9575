"""Terminal output that lines up Chinese text: display widths and aligned tables.

A terminal draws East Asian Wide (W) and Fullwidth (F) characters in two columns, combining
marks and zero-width characters in none. The tables match the Swift CLI's: left-aligned
columns two spaces apart, a line of dashes under the header, trailing spaces trimmed.
"""

from __future__ import annotations

import unicodedata
from typing import Iterable, List, Sequence, Tuple

__all__ = ["char_width", "display_width", "pad", "render_table", "render_record"]

_ZERO_WIDTH_CATEGORIES = {"Mn", "Me", "Cf", "Cc", "Zl", "Zp"}


def char_width(ch: str) -> int:
    """Columns one code point takes: 0, 1 or 2."""
    code = ord(ch)
    if 0x20 <= code < 0x7F:
        return 1
    if unicodedata.category(ch) in _ZERO_WIDTH_CATEGORIES:
        return 0
    if 0x1160 <= code <= 0x11FF or 0xD7B0 <= code <= 0xD7FF:  # Hangul jamo that join a syllable
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal (``display_width("上海") == 4``)."""
    return sum(char_width(ch) for ch in text)


def pad(text: str, width: int) -> str:
    """``text`` followed by spaces up to ``width`` display columns."""
    return text + " " * max(0, width - display_width(text))


def _clean(cell: object) -> str:
    text = "" if cell is None else str(cell)
    return "".join(" " if ch in "\r\n\t\v\f\x85\u2028\u2029" else ch for ch in text)


def render_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """The table as lines joined by ``\\n`` (no final newline)."""
    head = [_clean(h) for h in headers]
    body = [[_clean(c) for c in row] for row in rows]
    columns = max([len(head)] + [len(r) for r in body])
    if columns == 0:
        return ""
    widths = [1] * columns  # at least one dash per column
    for line in [head] + body:
        for i, cell in enumerate(line):
            widths[i] = max(widths[i], display_width(cell))

    def fmt(cells: List[str]) -> str:
        parts = [pad(cells[i] if i < len(cells) else "", widths[i]) for i in range(columns)]
        return "  ".join(parts).rstrip(" ")

    separator = "  ".join("-" * w for w in widths)
    return "\n".join([fmt(head), separator] + [fmt(r) for r in body])


def render_record(pairs: Sequence[Tuple[str, str]]) -> str:
    """``key  value`` lines, the keys padded to the widest key's display width."""
    width = max((display_width(k) for k, _ in pairs), default=0)
    return "\n".join(pad(k, width) + "  " + v for k, v in pairs)
