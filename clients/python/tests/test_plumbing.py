"""Client plumbing the real server cannot show yet: server-pushed notifications (protocol 1 has
none), requests from the server, and TLS with certificate verification. Uses a local stub
server (tests/stub_server.py); the protocol itself is tested against the real server."""

from __future__ import annotations

import shutil
import ssl
import subprocess
import threading

import pytest

from caseload import Connection, ConnectionClosed, ServerNotification
from stub_server import StubServer


@pytest.fixture
def stub():
    server = StubServer()
    yield server
    server.close()


def test_notifications_reach_the_callback_and_the_iterator(stub):
    seen = []
    got_all = threading.Event()

    def on_note(note):
        seen.append(note)
        if len(seen) == 3:
            got_all.set()

    with Connection("127.0.0.1", stub.port, on_notification=on_note, timeout=5) as c:
        assert c.call("stub.push", {"count": 3}) == {"method": "stub.push", "params": {"count": 3}}
        assert got_all.wait(5)
        assert seen == [ServerNotification("stub.event", {"n": i}) for i in range(3)]
        notes = list(c.notifications(timeout=0.3))
        assert [n.params["n"] for n in notes] == [0, 1, 2]
        assert list(c.notifications(timeout=0.1)) == []  # the queue was drained


def test_notifications_iterator_ends_when_the_connection_closes(stub):
    c = Connection("127.0.0.1", stub.port, timeout=5)
    c.call("stub.push", {"count": 1})
    collected = []
    t = threading.Thread(target=lambda: collected.extend(c.notifications()))
    t.start()
    threading.Timer(0.3, c.close).start()
    t.join(5)
    assert not t.is_alive()
    assert [n.method for n in collected] == ["stub.event"]


def test_a_callback_that_raises_does_not_break_the_connection(stub):
    def boom(note):
        raise RuntimeError("boom")

    with Connection("127.0.0.1", stub.port, on_notification=boom, timeout=5) as c:
        c.call("stub.push", {"count": 2})
        assert c.call("stub.echo", {"x": 1})["params"] == {"x": 1}


def test_requests_from_the_server_get_method_not_found(stub):
    with Connection("127.0.0.1", stub.port, timeout=5) as c:
        reply = c.call("stub.ask")
        assert reply["error"]["code"] == -32601


def test_server_going_away_fails_waiting_calls(stub):
    c = Connection("127.0.0.1", stub.port, timeout=5)
    c.call("stub.echo")
    stub.close()
    with pytest.raises(ConnectionClosed):
        c.call("stub.echo")
    c.close()


# ------------------------------------------------------------------------ TLS


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.fail("openssl is needed to make a test certificate (apt-get install openssl)", pytrace=False)
    d = tmp_path_factory.mktemp("tls")
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(d / "key.pem"), "-out", str(d / "cert.pem"),
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )
    return d / "cert.pem", d / "key.pem"


@pytest.fixture
def tls_stub(certificate):
    cert, key = certificate
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert), str(key))
    server = StubServer(tls=context)
    yield server
    server.close()


def test_tls_with_verification(tls_stub, certificate):
    cert, _ = certificate
    context = ssl.create_default_context(cafile=str(cert))
    with Connection("localhost", tls_stub.port, tls=context, timeout=5) as c:
        assert c.call("stub.echo", {"中文": "是"})["params"] == {"中文": "是"}
        results = []
        errors = []

        def worker(n):
            try:
                for i in range(20):
                    assert c.call("stub.echo", {"n": n, "i": i})["params"] == {"n": n, "i": i}
                results.append(n)
            except BaseException as e:  # pragma: no cover
                errors.append(e)

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert not errors and sorted(results) == list(range(6))
        assert c.batch([("a", None), ("b", {"x": 1})])[1]["params"] == {"x": 1}


def test_tls_refuses_an_untrusted_certificate(tls_stub):
    with pytest.raises(ssl.SSLCertVerificationError):
        Connection("localhost", tls_stub.port, tls=ssl.create_default_context(), timeout=5)


def test_tls_refuses_the_wrong_host_name(tls_stub, certificate):
    cert, _ = certificate
    context = ssl.create_default_context(cafile=str(cert))
    with pytest.raises(ssl.SSLCertVerificationError):
        Connection("127.0.0.1", tls_stub.port, tls=context, server_hostname="caseload.example", timeout=5)
