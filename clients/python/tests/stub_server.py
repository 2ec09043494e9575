"""A tiny line-delimited JSON-RPC server for testing client plumbing the real server does not
exercise (yet): notifications pushed by the server, and TLS. It is NOT a stand-in for the
Caseload server in any test of the protocol's behaviour."""

from __future__ import annotations

import json
import socket
import ssl
import threading
from typing import List, Optional


class StubServer:
    """Answers every request with ``{"method": …, "params": …}``. A request ``stub.push`` with
    ``{"count": N}`` first sends N notifications ``stub.event`` with ``{"n": i}``, then answers.
    A request ``stub.ask`` makes the server send a request of its own to the client and answer
    with the client's reply."""

    def __init__(self, tls: Optional[ssl.SSLContext] = None):
        self.tls = tls
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.clients: List[socket.socket] = []
        self._stop = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self._stop:
            try:
                sock, _ = self.listener.accept()
            except OSError:
                return
            if self.tls is not None:
                try:
                    sock = self.tls.wrap_socket(sock, server_side=True)
                except (ssl.SSLError, OSError):
                    sock.close()
                    continue
            self.clients.append(sock)
            threading.Thread(target=self._serve, args=(sock,), daemon=True).start()

    def _serve(self, sock: socket.socket) -> None:
        lock = threading.Lock()
        asked: dict = {}

        def send(message) -> None:
            with lock:
                sock.sendall(json.dumps(message, ensure_ascii=False).encode() + b"\n")

        try:
            for raw in sock.makefile("rb"):
                message = json.loads(raw)
                if isinstance(message, list):  # a batch: echo each request, in order
                    send([{"jsonrpc": "2.0", "id": m["id"], "result": {"method": m["method"], "params": m.get("params")}}
                          for m in message if "id" in m])
                    continue
                if "method" not in message:  # the client's reply to stub.ask
                    asked.pop(message.get("id"), lambda m: None)(message)
                    continue
                if "id" not in message:
                    continue
                method, params = message["method"], message.get("params")
                if method == "stub.push":
                    for i in range(params["count"]):
                        send({"jsonrpc": "2.0", "method": "stub.event", "params": {"n": i}})
                if method == "stub.ask":
                    request_id = message["id"]
                    asked["srv-1"] = lambda reply, rid=request_id: send({"jsonrpc": "2.0", "id": rid, "result": reply})
                    send({"jsonrpc": "2.0", "id": "srv-1", "method": "client.hello"})
                    continue
                send({"jsonrpc": "2.0", "id": message["id"], "result": {"method": method, "params": params}})
        except (OSError, ValueError, ssl.SSLError):
            pass
        finally:
            try:
                sock.close()
            except OSError:
                pass

    def close(self) -> None:
        self._stop = True
        self.listener.close()
        for sock in self.clients:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
