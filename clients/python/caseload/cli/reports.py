"""The progress report, written to a file (atomically, private) or stdout."""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import os
import sys
import tempfile
from typing import Any, Dict, Optional

from ..client import Connection
from .display import CLIError, print_json
from .session import Session, put


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

    def write(self, data: bytes) -> None:
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


def page_bytes(content: str, encoding: str) -> bytes:
    """A page's bytes: its text in UTF-8, or (a binary file such as xlsx) its base64 decoded;
    each page is base64 of its own bytes."""
    if encoding == "utf-8":
        return content.encode("utf-8")
    if encoding == "base64":
        try:
            return base64.b64decode(content, validate=True)
        except binascii.Error:
            raise CLIError("the server's page is not valid base64") from None
    raise CLIError(f"the server's page is in an encoding this client does not know: {encoding}")


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
        sink.write(page_bytes(content, page.get("encoding", "utf-8")))
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
