"""Connection behaviour against the real server: errors, batches, threads, timeouts, reconnect."""

from __future__ import annotations

import threading
import time

import pytest

from caseload import (
    CallTimeout,
    Connection,
    ConnectionClosed,
    InvalidParams,
    MethodNotFound,
    Notify,
    NotFound,
    RequestTooLarge,
    RpcError,
    Unauthenticated,
    ValidationFailed,
)
from helpers import BAD_CREDIT_CODE, CREDIT_CODE


@pytest.fixture
def anon(caseload_server):
    with Connection(caseload_server.host, caseload_server.port, timeout=10) as c:
        yield c


# ------------------------------------------------------------------------ error mapping


def test_unknown_method_is_method_not_found(anon):
    with pytest.raises(MethodNotFound) as e:
        anon.call("no.such.method")
    assert e.value.code == -32601
    assert e.value.name == "method_not_found"
    assert e.value.message == "Method not found: no.such.method"
    assert isinstance(e.value, RpcError)


def test_bad_credit_code_is_validation_failed_with_field_and_rule(conn):
    with pytest.raises(ValidationFailed) as e:
        conn.call("company.create", {"name": "错码公司", "credit_code": BAD_CREDIT_CODE})
    assert e.value.code == -32005
    assert e.value.errors[0]["field"] == "credit_code"
    assert e.value.errors[0]["rule"] == "checksum"
    assert e.value.errors[0]["message"]
    assert "credit_code" in str(e.value)


def test_schema_mismatch_is_invalid_params(conn):
    with pytest.raises(InvalidParams) as e:
        conn.call("company.create", {"name": "X", "colour": "red"})
    assert e.value.errors == [{"field": "colour", "rule": "unknown_field", "message": "is not a parameter of this method"}]


def test_without_login_is_unauthenticated(anon, token):
    with pytest.raises(Unauthenticated) as e:
        anon.call("company.list")
    assert e.value.code == -32001
    with pytest.raises(Unauthenticated):
        anon.login("cl_no_such_token")
    assert anon.token is None
    assert anon.login(token)["role"] == "owner"
    assert anon.call("company.list")["companies"] == []


def test_not_found_carries_data(conn):
    with pytest.raises(NotFound) as e:
        conn.call("company.get", {"id": "00000000-0000-0000-0000-000000000000"})
    assert e.value.data == {"entity": "company"}


def test_too_long_a_line_is_refused_before_sending(conn):
    with pytest.raises(RequestTooLarge) as e:
        conn.call("company.list", {"query": "x" * (1 << 20)})
    assert e.value.data["sent"] is False
    assert conn.call("system.ping") == "pong"  # the connection is unharmed


# ------------------------------------------------------------------------ batches


def test_batch_with_a_notification_keeps_request_order(conn):
    company = conn.call("company.create", {"name": "批量公司", "credit_code": CREDIT_CODE})
    results = conn.batch([
        ("company.get", {"id": company["id"]}),
        Notify("system.ping"),
        ("no.such.method", None),
        ("company.list", {"limit": 1}),
        ("system.ping", {"delay_ms": 200}),  # finishes last, still answered in its slot
        ("company.create", {"name": "错码公司", "credit_code": BAD_CREDIT_CODE}),
    ])
    assert len(results) == 6
    assert results[0]["id"] == company["id"]
    assert results[1] is None
    assert isinstance(results[2], MethodNotFound)
    assert [c["id"] for c in results[3]["companies"]] == [company["id"]]
    assert results[4] == "pong"
    assert isinstance(results[5], ValidationFailed) and results[5].errors[0]["field"] == "credit_code"


def test_batch_of_notifications_only_returns_at_once(conn):
    assert conn.batch([Notify("system.ping"), Notify("system.ping", {"delay_ms": 10})]) == [None, None]
    conn.notify("system.ping")
    assert conn.call("system.ping") == "pong"


def test_empty_batch_is_refused_locally(conn):
    with pytest.raises(ValueError):
        conn.batch([])


# ------------------------------------------------------------------------ concurrency


def test_concurrent_calls_from_threads_are_matched_by_id(conn):
    company = conn.call("company.create", {"name": "并发公司", "credit_code": CREDIT_CODE})
    errors = []
    results = {}

    def worker(n: int) -> None:
        try:
            for i in range(10):
                delay = (n * 7 + i * 13) % 50
                assert conn.call("system.ping", {"delay_ms": delay}) == "pong"
                got = conn.call("company.get", {"id": company["id"]})
                assert got["id"] == company["id"]
                with pytest.raises(NotFound):
                    conn.call("applicant.get", {"id": "00000000-0000-0000-0000-00000000000%d" % (i % 10)})
            results[n] = True
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert len(results) == 8


def test_replies_out_of_order(conn):
    order = []

    def slow() -> None:
        conn.call("system.ping", {"delay_ms": 600})
        order.append("slow")

    t = threading.Thread(target=slow)
    t.start()
    time.sleep(0.1)
    conn.call("system.ping")
    order.append("fast")
    t.join(10)
    assert order == ["fast", "slow"]


# ------------------------------------------------------------------------ timeouts


def test_call_timeout(conn):
    started = time.monotonic()
    with pytest.raises(CallTimeout) as e:
        conn.call("system.ping", {"delay_ms": 2000}, timeout=0.5)
    assert time.monotonic() - started < 1.5
    assert e.value.method == "system.ping" and e.value.timeout == 0.5
    assert isinstance(e.value, TimeoutError)
    # The late answer is dropped; the connection goes on working.
    assert conn.call("system.ping") == "pong"
    time.sleep(1.7)
    assert conn.call("auth.whoami")["role"] == "owner"


def test_connection_default_timeout(caseload_server):
    with Connection(caseload_server.host, caseload_server.port, timeout=0.3) as c:
        with pytest.raises(CallTimeout):
            c.call("system.ping", {"delay_ms": 1500})
        assert c.call("system.ping", {"delay_ms": 10}, timeout=5) == "pong"
        with pytest.raises(CallTimeout):
            c.batch([("system.ping", {"delay_ms": 1500}), ("system.ping", None)])


# ------------------------------------------------------------------------ closing and reconnecting


def test_close_and_context_manager(caseload_server):
    with Connection(caseload_server.host, caseload_server.port) as c:
        assert c.connected
        waiting = []
        t = threading.Thread(target=lambda: waiting.append(_capture(lambda: c.call("system.ping", {"delay_ms": 3000}))))
        t.start()
        time.sleep(0.2)
    t.join(5)
    assert not c.connected
    assert isinstance(waiting[0], ConnectionClosed)  # a waiting call is released at close
    with pytest.raises(ConnectionClosed):
        c.call("system.ping")
    c.close()  # idempotent


def _capture(fn):
    try:
        return fn()
    except BaseException as e:
        return e


def test_dial_failure_is_connection_closed():
    with pytest.raises(ConnectionClosed) as e:
        Connection("127.0.0.1", 1, timeout=2)
    assert "127.0.0.1:1" in str(e.value)


def _wait_until(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_reconnect_after_the_server_restarts(caseload_server, token):
    server = caseload_server.new_server("restart")
    server.start(port=0)
    try:
        c = Connection(server.host, server.port, timeout=10)
        me = c.login(token)
        assert c.call("auth.whoami") == me

        # Graceful stop: the server closes our idle connection.
        server.stop()
        assert _wait_until(lambda: not c.connected), "the client notices the server closed the connection"
        with pytest.raises(ConnectionClosed):
            c.call("auth.whoami")

        # Same port again; reconnect() dials and logs in again with the last token.
        server.start(port=server.port)
        c.reconnect()
        assert c.connected
        assert c.call("auth.whoami")["user_id"] == me["user_id"]

        # And once more, letting the call reconnect by itself.
        server.stop()
        assert _wait_until(lambda: not c.connected)
        server.start(port=server.port)
        assert c.call("auth.whoami", retry_on_disconnect=True)["user_id"] == me["user_id"]
        c.close()
        with pytest.raises(ConnectionClosed):
            c.reconnect()
    finally:
        server.stop()


def test_reconnect_gives_up_when_nobody_listens(caseload_server, token):
    server = caseload_server.new_server("gone")
    server.start(port=0)
    c = Connection(server.host, server.port, timeout=5)
    try:
        c.login(token)
        server.stop()
        with pytest.raises(ConnectionClosed):
            c.reconnect(attempts=2, delay=0.05)
    finally:
        c.close()
        server.stop()
