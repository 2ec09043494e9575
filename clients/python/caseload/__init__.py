"""Python client for Caseload: line-delimited JSON-RPC 2.0 over TCP.

    >>> from caseload import Connection
    >>> with Connection("127.0.0.1", 7420) as conn:          # doctest: +SKIP
    ...     conn.login(token)
    ...     conn.call("company.list", {"limit": 10})

Standard library only. See README.md and docs/protocol.md.
"""

from .client import DEFAULT_ADDRESS, Connection, Notify, ServerNotification, parse_address
from .errors import (
    CallTimeout,
    CaseloadError,
    Conflict,
    ConnectionClosed,
    DatabaseUnavailable,
    DeadlineExceeded,
    Forbidden,
    InternalError,
    InvalidParams,
    InvalidRequest,
    MethodNotFound,
    NotFound,
    ParseError,
    ProtocolViolation,
    RequestTooLarge,
    RpcError,
    Unauthenticated,
    ValidationFailed,
    error_class,
    error_from_response,
)

__version__ = "0.1.0"

__all__ = [
    "Connection",
    "Notify",
    "ServerNotification",
    "parse_address",
    "DEFAULT_ADDRESS",
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
    "error_class",
    "error_from_response",
]
