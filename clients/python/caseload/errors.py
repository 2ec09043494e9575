"""Exceptions raised by the Caseload client.

Every error the server answers with becomes an :class:`RpcError`; the documented codes
(docs/protocol.md, "Error codes") each have a subclass, so callers can catch exactly what
they handle::

    try:
        conn.call("company.create", {"name": "X", "credit_code": "91350200776049653B"})
    except ValidationFailed as e:
        for entry in e.errors:          # [{"field": "credit_code", "rule": "checksum", ...}]
            print(entry["field"], entry["rule"])

Problems on the client's side of the wire are not ``RpcError``: :class:`ConnectionClosed`
(the connection is gone, or was never there) and :class:`CallTimeout` (no answer in time).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Type

__all__ = [
    "CaseloadError",
    "ConnectionClosed",
    "CallTimeout",
    "ProtocolViolation",
    "RpcError",
    "ParseError",
    "InvalidRequest",
    "MethodNotFound",
    "InvalidParams",
    "InternalError",
    "Unauthenticated",
    "Forbidden",
    "NotFound",
    "Conflict",
    "ValidationFailed",
    "DatabaseUnavailable",
    "RequestTooLarge",
    "DeadlineExceeded",
    "RateLimited",
    "error_class",
    "error_from_response",
]


class CaseloadError(Exception):
    """Base class of everything this package raises on purpose."""


class ConnectionClosed(CaseloadError, ConnectionError):
    """The connection is closed (by us, by the server, or by the network), or could not be made.

    A call that was waiting for its answer when the connection went away raises this too: the
    server may or may not have carried it out.
    """


class CallTimeout(CaseloadError, TimeoutError):
    """No answer within the call's timeout. The request may still run on the server."""

    def __init__(self, method: str, timeout: float):
        super().__init__(f"{method}: no answer within {timeout:g} s")
        self.method = method
        self.timeout = timeout


class ProtocolViolation(CaseloadError):
    """The server sent something that is not JSON-RPC 2.0 (should never happen)."""


class RpcError(CaseloadError):
    """An error response: ``code``, ``message`` and ``data`` exactly as the server sent them.

    ``name`` is the documented name of the code (``validation_failed``) or ``None`` for a code
    this client does not know. ``errors`` is ``data["errors"]`` (one ``{"field", "rule",
    "message"}`` dict per broken rule) or an empty list.
    """

    code: int = 0
    name: Optional[str] = None

    def __init__(self, code: int, message: str, data: Any = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data

    @property
    def errors(self) -> List[Dict[str, Any]]:
        if isinstance(self.data, dict):
            entries = self.data.get("errors")
            if isinstance(entries, list):
                return [e for e in entries if isinstance(e, dict)]
        return []

    def __str__(self) -> str:
        label = self.name or str(self.code)
        text = f"{self.message} [{label}]"
        for entry in self.errors:
            text += f"; {entry.get('field')}: {entry.get('message')} ({entry.get('rule')})"
        return text

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, data={self.data!r})"

    def __reduce__(self):  # picklable, keeping code/message/data
        return (error_from_response, ({"code": self.code, "message": self.message, "data": self.data},))


class ParseError(RpcError):
    """-32700: the line was not valid JSON or not valid UTF-8."""

    code = -32700
    name = "parse_error"


class InvalidRequest(RpcError):
    """-32600: valid JSON, but not a JSON-RPC 2.0 request."""

    code = -32600
    name = "invalid_request"


class MethodNotFound(RpcError):
    """-32601: no method of that name."""

    code = -32601
    name = "method_not_found"


class InvalidParams(RpcError):
    """-32602: params do not match the method's schema (see ``errors``)."""

    code = -32602
    name = "invalid_params"


class InternalError(RpcError):
    """-32603: a bug or unexpected failure on the server."""

    code = -32603
    name = "internal_error"


class Unauthenticated(RpcError):
    """-32001: not logged in, or the token is unknown, expired or revoked."""

    code = -32001
    name = "unauthenticated"


class Forbidden(RpcError):
    """-32002: the logged-in user's role may not do this."""

    code = -32002
    name = "forbidden"


class NotFound(RpcError):
    """-32003: no such entity in the caller's agency."""

    code = -32003
    name = "not_found"


class Conflict(RpcError):
    """-32004: a duplicate, or a stale version (``current_version`` then tells the new one)."""

    code = -32004
    name = "conflict"

    @property
    def current_version(self) -> Optional[int]:
        return self.data.get("current_version") if isinstance(self.data, dict) else None


class ValidationFailed(RpcError):
    """-32005: well-formed values that break a domain rule (see ``errors``)."""

    code = -32005
    name = "validation_failed"


class DatabaseUnavailable(RpcError):
    """-32006: PostgreSQL cannot be reached; nothing was changed. Retry later."""

    code = -32006
    name = "database_unavailable"


class RequestTooLarge(RpcError):
    """-32007: a line over the limit (the server then closes the connection), or too big a batch."""

    code = -32007
    name = "request_too_large"


class DeadlineExceeded(RpcError):
    """-32008: the request ran past the server's deadline; a write may or may not have committed."""

    code = -32008
    name = "deadline_exceeded"


class RateLimited(RpcError):
    """-32009: too many failed logins from this address; ``data["retry_after_seconds"]`` says when to retry."""

    code = -32009
    name = "rate_limited"


_BY_CODE: Dict[int, Type[RpcError]] = {
    cls.code: cls
    for cls in (
        ParseError,
        InvalidRequest,
        MethodNotFound,
        InvalidParams,
        InternalError,
        Unauthenticated,
        Forbidden,
        NotFound,
        Conflict,
        ValidationFailed,
        DatabaseUnavailable,
        RequestTooLarge,
        DeadlineExceeded,
        RateLimited,
    )
}


def error_class(code: int) -> Type[RpcError]:
    """The exception class for a code: its subclass when documented, else ``RpcError``."""
    return _BY_CODE.get(code, RpcError)


def error_from_response(error: Any) -> RpcError:
    """An exception for the ``error`` member of a response."""
    if not isinstance(error, dict):
        return RpcError(-32603, f"malformed error object: {error!r}")
    code = error.get("code")
    if not isinstance(code, int) or isinstance(code, bool):
        return RpcError(-32603, f"malformed error object: {error!r}", error)
    message = error.get("message")
    return error_class(code)(code, message if isinstance(message, str) else "", error.get("data"))
