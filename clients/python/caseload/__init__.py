"""Python client for Caseload: line-delimited JSON-RPC 2.0 over TCP.

    >>> from caseload import Connection
    >>> with Connection("127.0.0.1", 7420) as conn:          # doctest: +SKIP
    ...     conn.login(token)
    ...     conn.call("company.list", {"limit": 10})

Standard library only. See README.md and docs/protocol.md.
"""

from .client import DEFAULT_ADDRESS, Connection, Notify, ServerNotification, parse_address
from . import errors
from .errors import *  # noqa: F401,F403 (re-exported: errors.__all__ is the list)

__version__ = "0.1.0"

__all__ = [
    "Connection",
    "Notify",
    "ServerNotification",
    "parse_address",
    "DEFAULT_ADDRESS",
] + errors.__all__
