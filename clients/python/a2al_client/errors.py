"""Exceptions raised by the a2ald JSON-RPC client (codes from docs/jsonrpc.md)."""

from typing import Any, Dict, Optional, Type

__all__ = [
    "RPCError", "ParseError", "InvalidRequest", "MethodNotFound", "InvalidParams",
    "InternalError", "NotFound", "RemoteTimeout", "StaleRecord", "InvalidRecord",
    "BadAddress", "PeerError", "Overloaded", "Conflict", "StorageError", "Unavailable",
    "SlowSubscriber", "RPCTimeout", "ProtocolError", "error_from_response",
]


class RPCError(Exception):
    """An error object returned by the daemon: ``code``, ``message``, ``data``."""

    code: Optional[int] = None  # class default; instances always set it

    def __init__(self, code: int, message: str, data: Any = None):
        super().__init__(code, message, data)
        self.code = code
        self.message = message
        self.data = data

    @property
    def kind(self) -> Optional[str]:
        """``data.kind`` of application errors (e.g. ``"not_found"``), else None."""
        return self.data.get("kind") if isinstance(self.data, dict) else None

    def __str__(self) -> str:
        return "[%s] %s" % (self.code, self.message)

    def __repr__(self) -> str:
        return "%s(code=%r, message=%r, data=%r)" % (
            type(self).__name__, self.code, self.message, self.data)


class ParseError(RPCError):
    code = -32700


class InvalidRequest(RPCError):
    code = -32600


class MethodNotFound(RPCError):
    code = -32601

    @property
    def method(self) -> Optional[str]:
        return self.data.get("method") if isinstance(self.data, dict) else None


class InvalidParams(RPCError):
    code = -32602

    @property
    def field(self) -> Optional[str]:
        """Path of the offending parameter (``data.field``), e.g. ``endpoints[1]``."""
        return self.data.get("field") if isinstance(self.data, dict) else None

    @property
    def reason(self) -> Optional[str]:
        return self.data.get("reason") if isinstance(self.data, dict) else None


class InternalError(RPCError):
    code = -32603


class NotFound(RPCError):
    code = -32001


class RemoteTimeout(RPCError):
    """The daemon's ``timeout_ms`` elapsed (-32002). Not to be confused with RPCTimeout."""
    code = -32002


class StaleRecord(RPCError):
    code = -32003


class InvalidRecord(RPCError):
    code = -32004


class BadAddress(RPCError):
    code = -32005


class PeerError(RPCError):
    code = -32006


class Overloaded(RPCError):
    code = -32007


class Conflict(RPCError):
    code = -32008


class StorageError(RPCError):
    code = -32009


class Unavailable(RPCError):
    code = -32010


class SlowSubscriber(RPCError):
    """Final notice: the daemon dropped this connection's subscriptions (-32011)."""
    code = -32011


class RPCTimeout(TimeoutError):
    """No reply arrived within the client-side timeout (a socket timeout)."""


class ProtocolError(Exception):
    """The daemon sent something that is not valid JSON-RPC, or closed the connection."""


_BY_CODE: Dict[int, Type[RPCError]] = {
    cls.code: cls for cls in (
        ParseError, InvalidRequest, MethodNotFound, InvalidParams, InternalError,
        NotFound, RemoteTimeout, StaleRecord, InvalidRecord, BadAddress, PeerError,
        Overloaded, Conflict, StorageError, Unavailable, SlowSubscriber,
    )
}


def error_from_response(error: Any) -> RPCError:
    """Build the typed exception for a JSON-RPC ``error`` member."""
    if not isinstance(error, dict):
        return RPCError(-32603, "malformed error object: %r" % (error,), None)
    code = error.get("code")
    message = error.get("message", "")
    data = error.get("data")
    cls = _BY_CODE.get(code, RPCError) if isinstance(code, int) else RPCError
    return cls(code, message, data)
