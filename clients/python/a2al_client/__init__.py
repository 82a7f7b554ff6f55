"""a2al_client: a standard-library-only client for the a2ald JSON-RPC daemon."""

from .client import Client, Subscription, default_socket_path, u64
from .errors import (
    BadAddress, Conflict, InternalError, InvalidParams, InvalidRecord, InvalidRequest,
    MethodNotFound, NotFound, Overloaded, ParseError, PeerError, ProtocolError, RemoteTimeout,
    RPCError, RPCTimeout, SlowSubscriber, StaleRecord, StorageError, Unavailable,
    error_from_response,
)

__version__ = "0.1.0"

__all__ = [
    "Client", "Subscription", "default_socket_path", "u64", "error_from_response",
    "RPCError", "ParseError", "InvalidRequest", "MethodNotFound", "InvalidParams",
    "InternalError", "NotFound", "RemoteTimeout", "StaleRecord", "InvalidRecord",
    "BadAddress", "PeerError", "Overloaded", "Conflict", "StorageError", "Unavailable",
    "SlowSubscriber", "RPCTimeout", "ProtocolError",
]
