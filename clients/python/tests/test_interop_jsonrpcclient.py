"""Interoperability: an off-the-shelf JSON-RPC 2.0 library from PyPI talks to the server.

`jsonrpcclient` (pinned in requirements-test.txt) builds the requests and parses the
responses; the only code here is the transport the protocol defines: a TCP socket, one JSON
message per line. None of the caseload package is used.
"""

from __future__ import annotations

import json
import socket
from importlib import metadata
from pathlib import Path

import pytest

# Installed by deploy/test.sh: a missing library is an error, never a skip.
from jsonrpcclient import Error, Ok, notification, parse, request

REQUIREMENTS = Path(__file__).resolve().parent.parent / "requirements-test.txt"


class LineTransport:
    """Line-delimited JSON over TCP, as docs/protocol.md "Transport and framing" describes."""

    def __init__(self, host: str, port: int):
        self.sock = socket.create_connection((host, port), timeout=15)
        self.reader = self.sock.makefile("rb")

    def send(self, message) -> None:
        self.sock.sendall(json.dumps(message, ensure_ascii=False).encode("utf-8") + b"\n")

    def receive(self):
        line = self.reader.readline()
        assert line.endswith(b"\n"), "the server ends every message with a newline"
        return json.loads(line)

    def exchange(self, message):
        self.send(message)
        return parse(self.receive())

    def close(self) -> None:
        self.reader.close()
        self.sock.close()


@pytest.fixture
def wire(caseload_server):
    t = LineTransport(caseload_server.host, caseload_server.port)
    yield t
    t.close()


def test_the_pinned_library_is_what_runs():
    pins = dict(line.split("==") for line in REQUIREMENTS.read_text().split() if "==" in line)
    assert metadata.version("jsonrpcclient") == pins["jsonrpcclient"]


def test_login_and_a_call(wire, token):
    anonymous = wire.exchange(request("company.list"))
    assert isinstance(anonymous, Error) and anonymous.code == -32001

    login = request("auth.login", params={"token": token})
    response = wire.exchange(login)
    assert isinstance(response, Ok), response
    assert response.id == login["id"]
    assert response.result["role"] == "owner"

    created = wire.exchange(request("company.create", params={"name": "互通公司", "credit_code": "91350200776049653A"}))
    assert isinstance(created, Ok) and created.result["credit_code"] == "91350200776049653A"


def test_batch_with_a_notification(wire, token):
    assert isinstance(wire.exchange(request("auth.login", params={"token": token})), Ok)
    batch = [
        request("system.ping"),
        notification("system.ping"),
        request("company.list", params={"limit": 5}),
        request("no.such.method"),
    ]
    wire.send(batch)
    responses = list(parse(wire.receive()))
    assert len(responses) == 3  # the notification is not answered
    by_id = {r.id: r for r in responses}
    assert [r.id for r in responses] == [batch[0]["id"], batch[2]["id"], batch[3]["id"]]
    assert by_id[batch[0]["id"]] == Ok("pong", batch[0]["id"])
    assert isinstance(by_id[batch[2]["id"]], Ok) and by_id[batch[2]["id"]].result["next_cursor"] is None
    assert isinstance(by_id[batch[3]["id"]], Error) and by_id[batch[3]["id"]].code == -32601


def test_error_responses(wire, token):
    missing = wire.exchange(request("no.such.method"))
    assert isinstance(missing, Error)
    assert (missing.code, missing.message) == (-32601, "Method not found: no.such.method")

    assert isinstance(wire.exchange(request("auth.login", params={"token": token})), Ok)
    invalid = wire.exchange(request("company.create", params={"name": "错码公司", "credit_code": "91350200776049653B"}))
    assert isinstance(invalid, Error) and invalid.code == -32005
    assert invalid.data["errors"][0]["field"] == "credit_code"
    assert invalid.data["errors"][0]["rule"] == "checksum"

    # Positional params are not accepted: params are by name.
    positional = wire.exchange(request("system.ping", params=(5,)))
    assert isinstance(positional, Error) and positional.code == -32602
