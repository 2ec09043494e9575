"""TLS against a real server: a second caseload-server on the session's database, serving a
certificate from a private CA that deploy/dev-tls-cert.sh makes (with openssl) for this run."""

from __future__ import annotations

import os
import ssl
import subprocess
import time
from pathlib import Path

import pytest

from caseload import Connection
from conftest import REPO_ROOT, ServerProcess


def make_certificates(directory: Path) -> Path:
    proc = subprocess.run([str(REPO_ROOT / "deploy" / "dev-tls-cert.sh"), str(directory)], capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        pytest.fail(f"deploy/dev-tls-cert.sh failed (is openssl installed?): {proc.stderr}", pytrace=False)
    return directory


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_certificates(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def tls_server(caseload_server, certificates: Path):
    env = dict(caseload_server.env,
               CASELOAD_TLS_CERTIFICATE=str(certificates / "server.pem"),
               CASELOAD_TLS_PRIVATE_KEY=str(certificates / "server.key"))
    server = ServerProcess(str(caseload_server.bin_path / "caseload-server"), caseload_server.app_db_url, env,
                           caseload_server.tmp / "tls-server.log")
    server.start(port=0)
    yield server
    server.stop()


def cli(caseload_py, server: ServerProcess, *args: str, **env: str) -> subprocess.CompletedProcess:
    full_env = dict(os.environ, CASELOAD_ADDR=server.addr, PYTHONIOENCODING="utf-8", CASELOAD_CONFIG_FILE="/nonexistent/caseload-login.json", **env)
    full_env.pop("CASELOAD_TOKEN", None)
    return subprocess.run(caseload_py + list(args), env=full_env, capture_output=True, text=True, timeout=60)


def test_connection_trusting_the_ca_logs_in_over_tls(tls_server, certificates, token):
    context = ssl.create_default_context(cafile=str(certificates / "ca.pem"))
    with Connection(tls_server.host, tls_server.port, tls=context, timeout=10) as conn:
        conn.login(token)
        assert conn.call("system.ping") == "pong"
        assert conn.call("auth.whoami")["role"] == "owner"
        assert "tls" in repr(conn)


def test_connection_not_trusting_the_ca_fails_verification(tls_server):
    with pytest.raises(ssl.SSLCertVerificationError):
        Connection(tls_server.host, tls_server.port, tls=True, timeout=10)


def test_connection_verifying_another_name_fails(tls_server, certificates):
    context = ssl.create_default_context(cafile=str(certificates / "ca.pem"))
    with pytest.raises(ssl.SSLCertVerificationError) as e:
        Connection(tls_server.host, tls_server.port, tls=context, server_hostname="caseload.example.com", timeout=10)
    assert "caseload.example.com" in e.value.verify_message


def test_cli_tls_ca(caseload_py, tls_server, certificates):
    ca = str(certificates / "ca.pem")
    ok = cli(caseload_py, tls_server, "ping", "--tls-ca", ca)
    assert ok.returncode == 0 and "pong from" in ok.stdout, ok.stderr
    by_env = cli(caseload_py, tls_server, "ping", CASELOAD_TLS_CA=ca)
    assert by_env.returncode == 0, by_env.stderr
    by_name = cli(caseload_py, tls_server, "ping", "--tls-ca", ca, "--tls-server-name", "localhost")
    assert by_name.returncode == 0, by_name.stderr


def test_cli_refuses_an_untrusted_or_misnamed_server(caseload_py, tls_server, certificates):
    untrusted = cli(caseload_py, tls_server, "ping", "--tls")
    assert untrusted.returncode == 1
    assert "certificate does not verify" in untrusted.stderr and "Traceback" not in untrusted.stderr
    misnamed = cli(caseload_py, tls_server, "ping", "--tls-ca", str(certificates / "ca.pem"), "--tls-server-name", "caseload.example.com")
    assert misnamed.returncode == 1 and "caseload.example.com" in misnamed.stderr
    missing = cli(caseload_py, tls_server, "ping", "--tls-ca", str(certificates / "nope.pem"))
    assert missing.returncode == 1 and "nope.pem" in missing.stderr and "Traceback" not in missing.stderr


def test_plaintext_cli_against_tls_server_fails_quickly(caseload_py, tls_server):
    started = time.monotonic()
    plain = cli(caseload_py, tls_server, "ping")
    assert plain.returncode == 1 and "no Caseload server answers at" in plain.stderr
    assert time.monotonic() - started < 20
