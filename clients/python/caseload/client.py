"""A connection to a Caseload server: JSON-RPC 2.0, one message per line, over TCP (or TLS).

One background thread reads the connection and hands each response to the call waiting for
its id, so several threads may call at once on one ``Connection``; the server runs requests
of one connection concurrently and answers in any order. Notifications the server sends are
given to ``on_notification`` (on the reader thread) and queued for :meth:`Connection.notifications`.
"""

from __future__ import annotations

import collections
import itertools
import json
import logging
import socket
import ssl
import threading
import time
from typing import Any, Callable, Deque, Dict, Iterator, List, NamedTuple, Optional, Sequence, Tuple, Union

from .errors import (
    CallTimeout,
    ConnectionClosed,
    ProtocolViolation,
    RequestTooLarge,
    RpcError,
    error_from_response,
)

__all__ = ["Connection", "Notify", "ServerNotification", "parse_address", "DEFAULT_ADDRESS"]


def connect_failure(error: OSError) -> str:
    """Why a connection failed, in words a user reads (not the socket's error text)."""
    if isinstance(error, socket.gaierror):
        return "the host name does not resolve"
    if isinstance(error, ConnectionRefusedError):
        return "nothing is listening there"
    if isinstance(error, (socket.timeout, TimeoutError)):
        return "no answer in time"
    if isinstance(error, ConnectionResetError):
        return "the connection was reset"
    return (error.strerror or str(error)).lower()

log = logging.getLogger("caseload")

DEFAULT_ADDRESS = "127.0.0.1:7420"
#: The server's default maximum line length (``max_line_bytes``, docs/protocol.md "Limits").
DEFAULT_MAX_LINE_BYTES = 1_048_576
# Replies (report pages) can be long; refuse only absurd ones rather than buffer without end.
_MAX_REPLY_BYTES = 512 * 1024 * 1024

_DEFAULT = object()  # "use the connection's timeout"


class ServerNotification(NamedTuple):
    """A notification the server sent: a method name and its params (or ``None``)."""

    method: str
    params: Any


class Notify(NamedTuple):
    """A notification inside :meth:`Connection.batch`: sent, never answered (its slot is ``None``)."""

    method: str
    params: Any = None


def parse_address(address: str) -> Tuple[str, int]:
    """``"host:port"`` (``"[::1]:7420"`` for IPv6) as ``(host, port)``; an empty host is 127.0.0.1."""
    host, sep, port_text = address.rpartition(":")
    if not sep or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ValueError(f"address must be host:port, not {address!r}")
    host = host.strip("[]")
    return (host or "127.0.0.1", int(port_text))


# --------------------------------------------------------------------------- transports


class _PlainTransport:
    def __init__(self, sock: socket.socket):
        self.sock = sock

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def recv(self) -> bytes:
        return self.sock.recv(65536)

    def shutdown(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def close(self) -> None:
        self.sock.close()


class _TLSTransport:
    """TLS through memory BIOs: the reader thread decrypts while other threads encrypt and
    send, without ever using one OpenSSL object from two threads at once."""

    def __init__(self, sock: socket.socket, context: ssl.SSLContext, server_hostname: Optional[str]):
        self.sock = sock
        self._in = ssl.MemoryBIO()
        self._out = ssl.MemoryBIO()
        self._obj = context.wrap_bio(self._in, self._out, server_side=False, server_hostname=server_hostname)
        self._lock = threading.Lock()  # guards the SSLObject and the BIOs
        self._send_lock = threading.Lock()  # keeps encrypted records in order on the socket
        while True:  # handshake (verification of the certificate happens here)
            try:
                self._obj.do_handshake()
                break
            except ssl.SSLWantReadError:
                self._flush_locked_free()
                raw = sock.recv(65536)
                if not raw:
                    raise ConnectionClosed("the server closed the connection during the TLS handshake")
                self._in.write(raw)
        self._flush_locked_free()

    def _flush_locked_free(self) -> None:
        out = self._out.read()
        if out:
            self.sock.sendall(out)

    def send(self, data: bytes) -> None:
        with self._send_lock:
            with self._lock:
                self._obj.write(data)
                out = self._out.read()
            self.sock.sendall(out)

    def recv(self) -> bytes:
        while True:
            with self._lock:
                try:
                    data = self._obj.read(65536)
                except ssl.SSLWantReadError:
                    data = None
                except ssl.SSLZeroReturnError:
                    return b""
                pending_out = self._out.pending
            if pending_out:  # e.g. a TLS 1.3 key update answered while reading
                with self._send_lock:
                    with self._lock:
                        out = self._out.read()
                    if out:
                        self.sock.sendall(out)
            if data:
                return data
            raw = self.sock.recv(65536)
            if not raw:
                return b""
            with self._lock:
                self._in.write(raw)

    def shutdown(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def close(self) -> None:
        self.sock.close()


# --------------------------------------------------------------------------- one socket


class _Pending:
    __slots__ = ("event", "response", "error")

    def __init__(self) -> None:
        self.event = threading.Event()
        self.response: Optional[dict] = None
        self.error: Optional[BaseException] = None


class _Link:
    """One dialled connection: its transport, reader thread and the calls waiting on it."""

    def __init__(self, transport, on_message: Callable[["_Link", Any], None], name: str):
        self.transport = transport
        self._on_message = on_message
        self._lock = threading.Lock()
        self._pending: Dict[Any, _Pending] = {}
        self.closed = False
        self.close_reason = ""
        self.thread = threading.Thread(target=self._read_loop, name=name, daemon=True)
        self.thread.start()

    # ---- calls
    def register(self, request_id: Any) -> _Pending:
        with self._lock:
            if self.closed:
                raise ConnectionClosed(self.close_reason)
            pending = _Pending()
            self._pending[request_id] = pending
            return pending

    def forget(self, request_id: Any) -> None:
        with self._lock:
            self._pending.pop(request_id, None)

    def send(self, line: bytes) -> None:
        if self.closed:
            raise ConnectionClosed(self.close_reason)
        try:
            self.transport.send(line)
        except (OSError, ssl.SSLError) as e:
            self.close(f"sending failed: {e}")
            raise ConnectionClosed(self.close_reason) from e

    def resolve(self, request_id: Any, response: dict) -> bool:
        with self._lock:
            pending = self._pending.pop(request_id, None)
        if pending is None:
            return False
        pending.response = response
        pending.event.set()
        return True

    def fail_all(self, error: BaseException) -> None:
        with self._lock:
            waiting = list(self._pending.values())
            self._pending.clear()
        for pending in waiting:
            pending.error = error
            pending.event.set()

    # ---- lifecycle
    def close(self, reason: str) -> None:
        with self._lock:
            if self.closed:
                return
            self.closed = True
            self.close_reason = reason
        self.transport.shutdown()
        self.fail_all(ConnectionClosed(reason))

    def _read_loop(self) -> None:
        buffer = bytearray()
        reason = "the server closed the connection"
        try:
            while True:
                try:
                    chunk = self.transport.recv()
                except (OSError, ssl.SSLError) as e:
                    reason = "the connection was closed" if self.closed else f"reading failed: {e}"
                    break
                if not chunk:
                    break
                buffer += chunk
                start = 0
                while True:
                    newline = buffer.find(b"\n", start)
                    if newline < 0:
                        break
                    line = bytes(buffer[start:newline])
                    start = newline + 1
                    self._handle_line(line)
                del buffer[:start]
                if len(buffer) > _MAX_REPLY_BYTES:
                    reason = f"a line from the server exceeded {_MAX_REPLY_BYTES} bytes"
                    break
        finally:
            self.close(self.close_reason or reason)
            try:
                self.transport.close()
            except OSError:
                pass

    def _handle_line(self, line: bytes) -> None:
        if not line.strip():
            return
        try:
            message = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            log.warning("caseload: ignoring a line from the server that is not JSON")
            return
        try:
            self._on_message(self, message)
        except Exception:  # never let a bug in dispatch kill the reader
            log.exception("caseload: failed to handle a message from the server")


# --------------------------------------------------------------------------- the connection


class Connection:
    """A connection to a Caseload server.

    ``Connection(host, port)`` dials at once. ``timeout`` (seconds, ``None`` = wait forever) is
    how long calls wait for their answer unless a call says otherwise, and how long dialling may
    take. ``tls`` is ``None`` (plain TCP), an :class:`ssl.SSLContext` (for example
    ``ssl.create_default_context(cafile=...)``, which verifies the certificate and host name),
    or ``True`` for the system's default verifying context.

    ``on_notification(ServerNotification)`` is called on the reader thread for every
    notification the server sends; they are also queued (the newest ``notification_buffer``)
    for :meth:`notifications`.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 7420,
        *,
        timeout: Optional[float] = 30.0,
        tls: Union[None, bool, ssl.SSLContext] = None,
        server_hostname: Optional[str] = None,
        on_notification: Optional[Callable[[ServerNotification], None]] = None,
        notification_buffer: int = 1000,
        max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
    ):
        if tls is True:
            tls = ssl.create_default_context()
        elif tls is False:
            tls = None
        if tls is not None and not isinstance(tls, ssl.SSLContext):
            raise TypeError("tls must be None, True or an ssl.SSLContext")
        self.host = host
        self.port = int(port)
        self.timeout = timeout
        self.on_notification = on_notification
        self.max_line_bytes = max_line_bytes
        self._tls: Optional[ssl.SSLContext] = tls
        self._server_hostname = server_hostname
        self._ids = itertools.count(1)
        self._ids_lock = threading.Lock()
        self._reconnect_lock = threading.RLock()
        self._token: Optional[str] = None
        # The error language asked for, sent again by reconnect (a new connection starts in English).
        self._language: Optional[str] = None
        self._closed = False
        self._notes: Deque[ServerNotification] = collections.deque(maxlen=max(1, notification_buffer))
        self._notes_cond = threading.Condition()
        self._link: _Link = self._dial()

    @classmethod
    def from_address(cls, address: str = DEFAULT_ADDRESS, **kwargs: Any) -> "Connection":
        """``Connection.from_address("127.0.0.1:7420")``: the same as ``Connection(host, port)``."""
        host, port = parse_address(address)
        return cls(host, port, **kwargs)

    # ------------------------------------------------------------------ dialling
    def _dial(self) -> _Link:
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        except OSError as e:
            raise ConnectionClosed(f"cannot connect to {self.host}:{self.port}: {connect_failure(e)}") from e
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
            if self._tls is not None:
                transport: Any = _TLSTransport(sock, self._tls, self._server_hostname or self.host)
            else:
                transport = _PlainTransport(sock)
            sock.settimeout(None)  # the reader blocks; call timeouts are kept by the waiters
        except BaseException:
            sock.close()
            raise
        return _Link(transport, self._on_message, name=f"caseload-reader-{self.host}:{self.port}")

    def _next_id(self) -> int:
        with self._ids_lock:
            return next(self._ids)

    @property
    def connected(self) -> bool:
        """Whether the current socket is open (it may still have been dropped unnoticed)."""
        return not self._closed and not self._link.closed

    @property
    def token(self) -> Optional[str]:
        """The token of the last successful :meth:`login` (used by :meth:`reconnect`)."""
        return self._token

    # ------------------------------------------------------------------ messages from the server
    def _on_message(self, link: _Link, message: Any) -> None:
        if isinstance(message, list):
            for item in message:
                self._on_message(link, item)
            return
        if not isinstance(message, dict):
            log.warning("caseload: ignoring a message that is not an object: %.200r", message)
            return
        if "method" in message:
            if "id" in message:  # the server asking us something: we offer no methods
                reply = {
                    "jsonrpc": "2.0",
                    "id": message.get("id"),
                    "error": {"code": -32601, "message": f"Method not found: {message.get('method')}"},
                }
                try:
                    link.send(self._encode(reply))
                except ConnectionClosed:
                    pass
                return
            self._deliver(ServerNotification(str(message["method"]), message.get("params")))
            return
        request_id = message.get("id")
        if request_id is not None and link.resolve(request_id, message):
            return
        error = message.get("error")
        if request_id is None and isinstance(error, dict) and error.get("code") == RequestTooLarge.code:
            # A line was too long: the server closes the connection next; fail every waiting
            # call with the reason rather than a bare "connection closed".
            link.fail_all(error_from_response(error))
            return
        log.warning("caseload: a response matches no waiting call (id %r)", request_id)

    def _deliver(self, note: ServerNotification) -> None:
        with self._notes_cond:
            self._notes.append(note)
            self._notes_cond.notify_all()
        callback = self.on_notification
        if callback is not None:
            try:
                callback(note)
            except Exception:
                log.exception("caseload: on_notification raised")

    def notifications(self, timeout: Optional[float] = None) -> Iterator[ServerNotification]:
        """Yields server notifications as they arrive (queued ones first).

        Stops when the connection closes, or when none arrives within ``timeout`` seconds.
        """
        while True:
            with self._notes_cond:
                deadline = None if timeout is None else time.monotonic() + timeout
                while not self._notes and self.connected:
                    remaining = None if deadline is None else deadline - time.monotonic()
                    if remaining is not None and remaining <= 0:
                        return
                    # Wake now and then to notice a dropped connection.
                    self._notes_cond.wait(0.2 if remaining is None else min(remaining, 0.2))
                if not self._notes:
                    return
                note = self._notes.popleft()
            yield note

    # ------------------------------------------------------------------ sending
    def _encode(self, message: Any) -> bytes:
        line = json.dumps(message, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8") + b"\n"
        if len(line) - 1 > self.max_line_bytes:
            raise RequestTooLarge(
                RequestTooLarge.code,
                f"Request too large: the line is {len(line) - 1} bytes, the limit is {self.max_line_bytes} (not sent)",
                {"bytes": len(line) - 1, "max_line_bytes": self.max_line_bytes, "sent": False},
            )
        return line

    @staticmethod
    def _request(method: str, params: Any, request_id: Any = None, notification: bool = False) -> dict:
        if not isinstance(method, str) or not method:
            raise TypeError("method must be a non-empty string")
        message: Dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            if not isinstance(params, (dict, list, tuple)):
                raise TypeError("params must be a dict (params are by name) or None")
            message["params"] = list(params) if isinstance(params, tuple) else params
        if not notification:
            message["id"] = request_id
        return message

    def _check_open(self) -> _Link:
        if self._closed:
            raise ConnectionClosed("the connection was closed by the client")
        return self._link

    def _timeout(self, timeout: Any) -> Optional[float]:
        return self.timeout if timeout is _DEFAULT else timeout

    @staticmethod
    def _wait(pending: _Pending, link: _Link, request_id: Any, method: str, timeout: Optional[float]) -> dict:
        if not pending.event.wait(timeout):
            link.forget(request_id)
            if not pending.event.is_set():
                raise CallTimeout(method, timeout if timeout is not None else 0.0)
        if pending.error is not None:
            raise pending.error
        assert pending.response is not None
        return pending.response

    @staticmethod
    def _outcome(response: dict) -> Tuple[bool, Any]:
        """(True, result) or (False, RpcError)."""
        if "error" in response:
            return False, error_from_response(response["error"])
        if "result" in response:
            return True, response["result"]
        return False, ProtocolViolation(f"a response without result or error: {response!r}")

    def _call_once(self, method: str, params: Any, timeout: Optional[float]) -> Tuple[_Link, Any]:
        link = self._check_open()
        request_id = self._next_id()
        line = self._encode(self._request(method, params, request_id))
        pending = link.register(request_id)
        try:
            link.send(line)
        except BaseException:
            link.forget(request_id)
            raise
        ok, value = self._outcome(self._wait(pending, link, request_id, method, timeout))
        if not ok:
            raise value
        return link, value

    def call(self, method: str, params: Any = None, *, timeout: Any = _DEFAULT, retry_on_disconnect: bool = False) -> Any:
        """Calls ``method`` with ``params`` (a dict, or ``None`` for none) and returns its result.

        Raises the :class:`~caseload.errors.RpcError` subclass for the server's error,
        :class:`~caseload.errors.CallTimeout` after ``timeout`` seconds (default: the
        connection's), or :class:`~caseload.errors.ConnectionClosed`. With
        ``retry_on_disconnect=True`` a call that finds the connection dropped reconnects (logging
        in again) and is sent once more; use it for reads, or for writes you know to be safe to
        repeat, since the first attempt may have been carried out.
        """
        timeout = self._timeout(timeout)
        link = self._link
        try:
            return self._call_once(method, params, timeout)[1]
        except ConnectionClosed:
            if not retry_on_disconnect or self._closed:
                raise
        self._reconnect_if(link)
        return self._call_once(method, params, timeout)[1]

    def notify(self, method: str, params: Any = None) -> None:
        """Sends a notification: the server runs it and never answers, not even with an error."""
        link = self._check_open()
        link.send(self._encode(self._request(method, params, notification=True)))

    def batch(
        self,
        calls: Sequence[Union[Tuple[str, Any], Tuple[str], Notify, str]],
        *,
        timeout: Any = _DEFAULT,
    ) -> List[Any]:
        """Sends several calls as one JSON-RPC batch (one line) and returns one entry per call,
        in order: the result, or the :class:`~caseload.errors.RpcError` instance for a call
        that failed (not raised). A :class:`Notify` item is sent as a notification and its
        entry is ``None``.

        ``conn.batch([("company.get", {"id": cid}), Notify("system.ping"), ("company.list", None)])``

        A batch the server refuses as a whole (too many requests) raises that error;
        a timeout raises :class:`~caseload.errors.CallTimeout`.
        """
        if not calls:
            raise ValueError("a batch needs at least one call (the server refuses an empty batch)")
        timeout = self._timeout(timeout)
        link = self._check_open()
        messages: List[dict] = []
        slots: List[Optional[int]] = []
        for item in calls:
            if isinstance(item, Notify):
                messages.append(self._request(item.method, item.params, notification=True))
                slots.append(None)
                continue
            if isinstance(item, str):
                method, params = item, None
            elif len(item) == 1:
                method, params = item[0], None
            elif len(item) == 2:
                method, params = item
            else:
                raise TypeError(f"batch items are (method, params) or Notify(...), not {item!r}")
            request_id = self._next_id()
            messages.append(self._request(method, params, request_id))
            slots.append(request_id)
        line = self._encode(messages)
        ids = [i for i in slots if i is not None]
        waiting = {request_id: link.register(request_id) for request_id in ids}
        try:
            link.send(line)
        except BaseException:
            for request_id in ids:
                link.forget(request_id)
            raise
        deadline = None if timeout is None else time.monotonic() + timeout
        responses: Dict[int, dict] = {}
        try:
            for request_id in ids:
                remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
                pending = waiting[request_id]
                if not pending.event.wait(remaining):
                    raise CallTimeout("batch", timeout if timeout is not None else 0.0)
                if pending.error is not None:  # connection lost, or the batch refused as a whole
                    raise pending.error
                assert pending.response is not None
                responses[request_id] = pending.response
        except BaseException:
            for request_id in ids:
                link.forget(request_id)
            raise
        results: List[Any] = []
        for slot in slots:
            if slot is None:
                results.append(None)
            else:
                results.append(self._outcome(responses[slot])[1])
        return results

    # ------------------------------------------------------------------ login and reconnecting
    def login(self, token: str, language: Optional[str] = None) -> Dict[str, Any]:
        """Logs this connection in (``auth.login``); the token is kept for :meth:`reconnect`.

        ``language`` (``"en"`` or ``"zh"``) chooses the language of the server's error
        messages on this connection (``RPCError.message`` and each ``errors[].message``);
        codes, fields and rules are the same in each. None leaves it as it is."""
        params: Dict[str, Any] = {"token": token}
        if language is not None:
            params["language"] = language
        result = self.call("auth.login", params)
        self._token = token
        if language is not None:
            self._language = language
        return result

    def set_language(self, language: str) -> Dict[str, Any]:
        """``auth.set_language``: error messages in ``"en"`` or ``"zh"`` from the next call on
        (before login too); kept for :meth:`reconnect`."""
        result = self.call("auth.set_language", {"language": language})
        self._language = language
        return result

    def logout(self) -> Any:
        """``auth.logout``; :meth:`reconnect` will not log in again afterwards."""
        result = self.call("auth.logout")
        self._token = None
        return result

    def reconnect(self, *, attempts: int = 10, delay: float = 0.2) -> None:
        """Drops the current socket (calls waiting on it raise ``ConnectionClosed``), dials
        again, and logs in with the last token. Dialling is tried ``attempts`` times, ``delay``
        seconds apart (growing), e.g. while a server restarts."""
        with self._reconnect_lock:
            if self._closed:
                raise ConnectionClosed("the connection was closed by the client")
            self._link.close("reconnecting")
            last: Optional[BaseException] = None
            for attempt in range(max(1, attempts)):
                if attempt:
                    time.sleep(min(delay * attempt, 2.0))
                try:
                    link = self._dial()
                    break
                except ConnectionClosed as e:
                    last = e
            else:
                assert last is not None
                raise last
            self._link = link
            if self._token is not None:
                params: Dict[str, Any] = {"token": self._token}
                if self._language is not None:
                    params["language"] = self._language
                self._call_once("auth.login", params, self.timeout)
            elif self._language is not None:
                self._call_once("auth.set_language", {"language": self._language}, self.timeout)

    def _reconnect_if(self, failed: _Link) -> None:
        """Reconnects unless another thread already replaced ``failed``."""
        with self._reconnect_lock:
            if self._link is failed or self._link.closed:
                self.reconnect()

    # ------------------------------------------------------------------ closing
    def close(self) -> None:
        """Closes the connection; calls still waiting raise ``ConnectionClosed``. Idempotent."""
        self._closed = True
        link = self._link
        link.close("the connection was closed by the client")
        if threading.current_thread() is not link.thread:
            link.thread.join(timeout=5)
        with self._notes_cond:
            self._notes_cond.notify_all()

    def __enter__(self) -> "Connection":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else ("open" if self.connected else "dropped")
        return f"<caseload.Connection {self.host}:{self.port} {state}{' tls' if self._tls else ''}>"
