"""A real Caseload server for the Python client's tests.

Needs (deploy/test.sh sets both):
  CASELOAD_TEST_ADMIN_DATABASE_URL  superuser URL of a throw-away PostgreSQL cluster
  CASELOAD_BIN_PATH                 directory holding the built caseload-server

The session creates a fresh database, migrates it (creating the caseload_server login role),
generates PII keys and serves on 127.0.0.1 on a free port. Each test that needs data gets a
fresh agency (and so its own token), so tests never see each other's rows.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Dict, List, Optional
from urllib.parse import urlsplit, urlunsplit

import pytest

from caseload import Connection

HERE = Path(__file__).resolve().parent
PACKAGE_DIR = HERE.parent  # clients/python
REPO_ROOT = PACKAGE_DIR.parent.parent


def _require_env(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        pytest.fail(
            f"{name} is not set. Run the Python client's tests with `make test` (deploy/test.sh), "
            f"or export CASELOAD_TEST_ADMIN_DATABASE_URL (a superuser URL) and CASELOAD_BIN_PATH "
            f"(the directory of caseload-server).",
            pytrace=False,
        )
    return value


def with_database(url: str, database: str, user: Optional[str] = None) -> str:
    """``url`` pointing at ``database`` (and, when given, as ``user`` without a password)."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if user is not None:
        netloc = user + "@" + netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, netloc, "/" + database, parts.query, parts.fragment))


def run(cmd: List[str], env: Optional[Dict[str, str]] = None, timeout: float = 120) -> str:
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])} … failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


class ServerProcess:
    """One ``caseload-server serve`` process; ``start``/``stop`` may be repeated (same port)."""

    def __init__(self, binary: str, database_url: str, env: Dict[str, str], log_path: Path):
        self.binary = binary
        self.database_url = database_url
        self.env = env
        self.log_path = log_path
        self.proc: Optional[subprocess.Popen] = None
        self.host = "127.0.0.1"
        self.port = 0

    @property
    def addr(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self, port: Optional[int] = None, timeout: float = 30) -> None:
        want = self.port if port is None else port
        last_error = ""
        for _ in range(20):  # the port may still be held briefly after a restart
            log = open(self.log_path, "ab")
            self.proc = subprocess.Popen(
                [self.binary, "serve", "--listen", f"127.0.0.1:{want}", "--database-url", self.database_url],
                env=self.env,
                stdout=subprocess.PIPE,
                stderr=log,
            )
            log.close()
            line = self._read_listening_line(timeout)
            if line is not None:
                self.port = int(line.rsplit(":", 1)[1])
                # Keep draining stdout so the server never blocks on a full pipe.
                threading.Thread(target=self._drain, args=(self.proc,), daemon=True).start()
                return
            self.proc.wait(timeout=10)
            last_error = self.log_path.read_text(errors="replace")[-2000:]
            time.sleep(0.25)
        raise RuntimeError(f"caseload-server did not start on 127.0.0.1:{want}:\n{last_error}")

    def _read_listening_line(self, timeout: float) -> Optional[str]:
        assert self.proc is not None and self.proc.stdout is not None
        result: List[str] = []
        prefix = "caseload-server listening on "

        def reader() -> None:
            assert self.proc is not None and self.proc.stdout is not None
            for raw in self.proc.stdout:
                text = raw.decode("utf-8", "replace").strip()
                if text.startswith(prefix):
                    result.append(text[len(prefix):])
                    return

        t = threading.Thread(target=reader, daemon=True)
        t.start()
        t.join(timeout)
        if result:
            return result[0]
        if self.proc.poll() is None:
            self.proc.kill()
            raise RuntimeError(f"caseload-server printed no listening line within {timeout} s")
        return None

    @staticmethod
    def _drain(proc: subprocess.Popen) -> None:
        assert proc.stdout is not None
        for _ in proc.stdout:
            pass

    def stop(self, timeout: float = 20) -> None:
        """SIGTERM (graceful: in-flight requests finish), then SIGKILL if it hangs."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


class CaseloadTestServer:
    """What tests need: the server's address, and fresh agencies' tokens."""

    def __init__(self, bin_path: Path, admin_db_url: str, app_db_url: str, env: Dict[str, str], server: ServerProcess, tmp: Path):
        self.bin_path = bin_path
        self.admin_db_url = admin_db_url
        self.app_db_url = app_db_url
        self.env = env
        self.server = server
        self.tmp = tmp

    @property
    def host(self) -> str:
        return self.server.host

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def addr(self) -> str:
        return self.server.addr

    def create_agency(self, name: Optional[str] = None) -> Dict[str, str]:
        """A new agency and its owner: ``{"agency_id", "token", "user_id", "role"}``."""
        out = run(
            [str(self.bin_path / "caseload-server"), "admin", "create-agency",
             "--name", name or f"测试机构 {uuid.uuid4().hex[:8]}", "--database-url", self.admin_db_url],
            env=self.env,
        )
        for line in out.splitlines():
            line = line.strip()
            if line.startswith("{"):
                return json.loads(line)
        raise RuntimeError(f"create-agency printed no JSON line: {out!r}")

    def new_server(self, name: str) -> ServerProcess:
        """Another server process on the same database (for restart tests)."""
        return ServerProcess(str(self.bin_path / "caseload-server"), self.app_db_url, self.env, self.tmp / f"{name}.log")


@pytest.fixture(scope="session")
def caseload_server(tmp_path_factory: pytest.TempPathFactory):
    admin_url = _require_env("CASELOAD_TEST_ADMIN_DATABASE_URL")
    bin_path = Path(_require_env("CASELOAD_BIN_PATH"))
    binary = bin_path / "caseload-server"
    if not os.access(binary, os.X_OK):
        pytest.fail(f"{binary} is not an executable; build first (swift build)", pytrace=False)
    psql = shutil.which("psql")
    if psql is None:
        pytest.fail("psql is not on PATH (deploy/ensure-deps.sh installs postgresql-client)", pytrace=False)

    tmp = tmp_path_factory.mktemp("caseload-server")
    database = f"caseload_py_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    run([psql, admin_url, "-v", "ON_ERROR_STOP=1", "-qc", f'CREATE DATABASE "{database}"'])
    admin_db_url = with_database(admin_url, database)
    env = dict(os.environ)
    server: Optional[ServerProcess] = None
    try:
        run([str(binary), "migrate", "--database-url", admin_db_url, "--app-role", "caseload_server"], env=env)
        keys = {}
        for line in run([str(binary), "admin", "generate-keys"], env=env).splitlines():
            name, sep, value = line.partition("=")
            if sep and name.startswith("CASELOAD_PII_"):
                keys[name] = value
        assert set(keys) == {"CASELOAD_PII_KEY", "CASELOAD_PII_LOOKUP_KEY"}, keys.keys()
        env.update(keys)
        env["CASELOAD_LOG_LEVEL"] = "warning"
        app_db_url = with_database(admin_url, database, user="caseload_server")
        server = ServerProcess(str(binary), app_db_url, env, tmp / "server.log")
        server.start(port=0)
        yield CaseloadTestServer(bin_path, admin_db_url, app_db_url, env, server, tmp)
    finally:
        if server is not None:
            server.stop()
        subprocess.run(
            [psql, admin_url, "-qc", f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'],
            capture_output=True, timeout=60,
        )


@pytest.fixture
def agency(caseload_server: CaseloadTestServer) -> Dict[str, str]:
    """A fresh agency (so credit codes and ID numbers never collide between tests)."""
    return caseload_server.create_agency()


@pytest.fixture
def token(agency: Dict[str, str]) -> str:
    return agency["token"]


@pytest.fixture
def conn(caseload_server: CaseloadTestServer, token: str):
    """A connection logged in as a fresh agency's owner."""
    with Connection(caseload_server.host, caseload_server.port, timeout=30) as c:
        c.login(token)
        yield c


@pytest.fixture(scope="session")
def caseload_py() -> List[str]:
    """The installed ``caseload-py`` console script (pip install clients/python)."""
    candidates = [Path(sys.executable).parent / "caseload-py"]
    found = shutil.which("caseload-py")
    if found:
        candidates.append(Path(found))
    for candidate in candidates:
        if candidate.exists() and os.access(candidate, os.X_OK):
            return [str(candidate)]
    pytest.fail("caseload-py is not installed: run `pip install clients/python` in this environment", pytrace=False)

