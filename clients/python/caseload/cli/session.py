"""Input and the connection: stage data from the command line, the session (address, token, TLS), paging, versioned changes."""

from __future__ import annotations

import argparse
import json
import os
import ssl
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from ..client import DEFAULT_ADDRESS, Connection, parse_address
from ..errors import ConnectionClosed, RpcError
from .display import CLIError, install_labels, labels_loaded


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


def login_path() -> str:
    """Where ``caseload login`` (either CLI) keeps the address and token: the same file for both."""
    explicit = os.environ.get("CASELOAD_CONFIG_FILE")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, "caseload", "login.json")


def saved_login() -> Dict[str, Any]:
    """The saved login ({} when there is none or it cannot be read)."""
    try:
        with open(login_path(), encoding="utf-8") as f:
            saved = json.load(f)
        return saved if isinstance(saved, dict) else {}
    except (OSError, ValueError):
        return {}


def save_login(addr: str, token: str, tls: Optional[Dict[str, Any]]) -> str:
    """Saves the login for both CLIs, in a file only its owner can read (created 0600 before writing)."""
    path = login_path()
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump({k: v for k, v in {"addr": addr, "token": token, "tls": tls}.items() if v is not None}, f)
    return path


class Session:
    """Resolved address and token, and a way to run a body on a logged-in connection. Flags
    first, then the environment, then the login ``caseload login`` saved."""

    def __init__(self, args: argparse.Namespace):
        self.json = bool(getattr(args, "json", False))
        explicit = getattr(args, "addr", None) or os.environ.get("CASELOAD_ADDR") or None
        saved = saved_login()
        raw = explicit or saved.get("addr") or DEFAULT_ADDRESS
        try:
            self.host, self.port = parse_address(raw)
        except ValueError as e:
            raise CLIError(str(e)) from None
        token = getattr(args, "token", None) or os.environ.get("CASELOAD_TOKEN") or saved.get("token") or None
        self.token = token
        # A saved login's TLS belongs to its address: not applied when the address comes from elsewhere.
        saved_tls = saved.get("tls") if explicit is None and isinstance(saved.get("tls"), dict) else None
        self.tls = tls_context(args, saved_tls)
        self.server_name = (getattr(args, "tls_server_name", None) or os.environ.get("CASELOAD_TLS_SERVER_NAME")
                            or (saved_tls or {}).get("serverName") or None)

    def run(self, body: Callable[[Connection], Any], require_login: bool = True) -> Any:
        if require_login and not self.token:
            raise CLIError("no token: set CASELOAD_TOKEN, pass --token, or run `caseload-py login`")
        try:
            with Connection(self.host, self.port, tls=self.tls, server_hostname=self.server_name) as conn:
                if self.token:
                    conn.login(self.token)
                if not labels_loaded():
                    try:
                        install_labels(conn.call("system.labels"))
                    except RpcError:
                        pass  # an older server: values print as they are
                return body(conn)
        except ssl.SSLCertVerificationError as e:
            raise CLIError(f"cannot talk to the server at {self.host}:{self.port} over TLS: "
                           f"its certificate does not verify ({e.verify_message})") from None
        except ssl.SSLError as e:
            raise CLIError(f"cannot talk to the server at {self.host}:{self.port} over TLS ({e})") from None
        except ConnectionClosed as e:
            # One plain sentence: what failed and what to check.
            reason = str(e).split(": ", 1)[-1] if str(e).startswith("cannot connect to ") else "the server closed the connection"
            raise CLIError(f"no Caseload server answers at {self.host}:{self.port} ({reason}). Is caseload-server running there "
                           "(and if it uses TLS, did you pass --tls-ca)? The address comes from --addr or CASELOAD_ADDR.") from None


def tls_context(args: argparse.Namespace, saved: Optional[Dict[str, Any]] = None) -> Optional[ssl.SSLContext]:
    """A verifying TLS context (a private CA's file, else the system's CAs), or None for plain TCP."""
    ca = getattr(args, "tls_ca", None) or os.environ.get("CASELOAD_TLS_CA") or (saved or {}).get("ca") or None
    env_on = os.environ.get("CASELOAD_TLS", "").lower() not in ("", "0", "false", "no", "off")
    if not (getattr(args, "tls", False) or env_on or ca or saved is not None):
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
